"""``switchboard serve``: the workspace behind the Databricks REST API, on 127.0.0.1 unless told otherwise.

Starlette and Uvicorn are imported only here, when the command runs, so no other command starts slower.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import socket
import sys

from tui.cli.io import warn
from tui.cli.simulate import port
from tui.domain.errors import InvalidParameterValue

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LOG_FORMAT = "%(asctime)s %(message)s"
WORKERS_LOG_FORMAT = "%(asctime)s [%(process)d] %(message)s"
"""With several processes, each line says which one wrote it."""
MAX_WORKERS = 64
MAX_ROLLOUT_SECONDS = 3600


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "serve",
        parents=[common],
        help="serve the workspace as the Databricks REST API (secrets, serving endpoints)",
        description=(
            "Serve the workspace's secrets and serving endpoints as the Databricks REST API, so the databricks "
            "CLI, databricks-sdk and MLflow's deployment client manage them here "
            "(DATABRICKS_HOST=http://127.0.0.1:PORT). Every call needs a token: "
            "`switchboard tokens create --user NAME`. One line per request is logged to stderr."
        ),
    )
    p.add_argument("--port", type=port, default=8080, help="port to listen on (default 8080; 0 picks a free one)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1); any other exposes the API, over plain HTTP, to the network",
    )
    p.add_argument(
        "--workers",
        type=workers,
        default=1,
        metavar="N",
        help=f"processes serving the one workspace (default 1, at most {MAX_WORKERS}); rate limits stay exact "
        "across them, and each log line starts with the [pid] of the process that wrote it",
    )
    p.add_argument(
        "--rollout-seconds",
        type=seconds,
        default=0.0,
        metavar="S",
        help="how long a created or changed configuration takes to serve (default 0: at once). Meanwhile the "
        "endpoint shows config_update IN_PROGRESS and refuses another config update with 409, as on Databricks: "
        "for trying clients and scripts that wait for an update",
    )
    p.set_defaults(run=serve, needs_workspace=False)


def seconds(text: str) -> float:
    number = float(text)  # a ValueError becomes argparse's "invalid seconds value"
    if not 0 <= number <= MAX_ROLLOUT_SECONDS:
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds (0 to {MAX_ROLLOUT_SECONDS})")
    return number


def workers(text: str) -> int:
    number = int(text)  # a ValueError becomes argparse's "invalid workers value"
    if not 1 <= number <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{number} is not a number of workers (1 to {MAX_WORKERS})")
    return number


def serve(args: argparse.Namespace) -> None:
    if args.host not in LOOPBACK:
        warn(
            f"listening on {args.host}: anyone who can reach it may call the API with a token, and tokens "
            "travel unencrypted (plain HTTP). Prefer 127.0.0.1 behind an SSH tunnel or a TLS proxy."
        )
    listener = _listen(args.host, args.port)
    log_format = LOG_FORMAT if args.workers == 1 else WORKERS_LOG_FORMAT
    logging.basicConfig(level=logging.INFO, format=log_format, stream=sys.stderr)
    try:
        if args.workers == 1:
            from tui.server.run import run_loop

            run_loop(_serve(args.workspace, listener, args.rollout_seconds))
        else:
            _serve_workers(args.workspace, listener, args.workers, log_format, args.rollout_seconds)
    except KeyboardInterrupt:  # Uvicorn has shut down gracefully and hands the Ctrl-C on
        pass
    finally:
        listener.close()
    logging.getLogger("switchboard.serve").info("Stopped")


def _listen(host: str, number: int) -> socket.socket:
    """The listening socket, made as TCP explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    connections accepted from such a socket, and with it on every small answer waited ~40 ms for the
    client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as socket.create_server does
        listener.bind((host, number))
        listener.listen()
    except OSError as err:  # taken, not an address of this machine, or below 1024 without the right
        listener.close()
        raise InvalidParameterValue(f"Cannot listen on {host}:{number}: {err.strerror or err}") from None
    return listener


async def _serve(workspace_option: str | None, listener: socket.socket, rollout_seconds: float) -> None:
    from tui.locations import workspace_path
    from tui.server.run import serve as run_server
    from tui.workspace.factory import open_workspace

    # a path, never a profile: serve serves a local workspace, whatever DATABRICKS_CONFIG_PROFILE says
    workspace = open_workspace(workspace_path(workspace_option), rollout_seconds=rollout_seconds)
    try:
        await run_server(workspace, listener)
    finally:
        await workspace.aclose()


def _serve_workers(
    workspace_option: str | None, listener: socket.socket, count: int, log_format: str, rollout_seconds: float
) -> None:
    from tui.locations import workspace_path
    from tui.server.workers import serve_workers
    from tui.workspace.factory import open_workspace

    opener = functools.partial(open_workspace, workspace_path(workspace_option), rollout_seconds=rollout_seconds)
    # opened (created if new, and checked) once here: a bad file is one clear error before any worker starts
    workspace = opener()
    asyncio.run(workspace.aclose())
    serve_workers(opener, workspace.label, listener, count, log_format)
