"""``switchboard``: with no command it opens the app; with one it runs it and prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, cast

from tui import __version__
from tui.cli import locate, secrets, serve, serving_endpoints, simulate, tokens, transfer
from tui.cli.io import print_error, print_json, warn
from tui.domain.errors import InvalidParameterValue, SwitchboardError
from tui.domain.text import has_surrogate, printable

if TYPE_CHECKING:
    from tui.settings import Settings

WORKSPACE_HELP = "workspace file (default: $SWITCHBOARD_WORKSPACE, else the user data dir)"
PROFILE_HELP = "Databricks profile in ~/.databrickscfg ('env': $DATABRICKS_HOST and $DATABRICKS_TOKEN)"

ANY_BYTES_ARGS = frozenset({"workspace", "json"})
"""Arguments that may hold bytes that are not UTF-8: a path may (``--json @FILE`` too; inline JSON is
checked by ``read_json_arg``). Every other argument is a name or a value that must be UTF-8 text."""

POSITIONAL_ARGS = frozenset({"scope", "key", "name", "token_id"})
"""The positional arguments holding free text, named by their metavar in messages."""

ARG_HINTS = {"string_value": secrets.BINARY_HINT}
"""What to add when an argument is refused for not being UTF-8."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse quoting the user's input in its errors made printable (no escape sequence reaches stderr)."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        super().exit(status, printable(message) if message else message)


def build_parser() -> argparse.ArgumentParser:
    # --workspace is accepted before or after the command; SUPPRESS keeps a later one from erasing an earlier one
    common = ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS, help=WORKSPACE_HELP)
    common.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help=PROFILE_HELP)

    parser = ArgumentParser(
        prog="switchboard",
        description="Manage keys and external model endpoints and compare providers side by side.",
        epilog="With no command, the app opens.",
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    parser.add_argument("--workspace", metavar="PATH", default=None, help=WORKSPACE_HELP)
    parser.add_argument("--profile", metavar="NAME", default=None, help=PROFILE_HELP)
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a throwaway workspace with simulated endpoints (no keys)"
    )
    # our parser class, for printable errors; the commands only need what argparse's offers
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]", parser.add_subparsers(dest="command", metavar="COMMAND")
    )
    secrets.register(commands, common)
    serving_endpoints.register(commands, common)
    transfer.register(commands, common)
    tokens.register(commands, common)
    simulate.register(commands)
    serve.register(commands, common)
    locate.register(commands, common)
    return parser


async def _run_command(args: argparse.Namespace) -> object:
    from tui.workspace.factory import open_workspace

    settings = _settings() if getattr(args, "uses_network", False) else None
    workspace = open_workspace(args.workspace, profile=args.profile, settings=settings)
    try:
        return await args.run(args, workspace)
    finally:
        await workspace.aclose()


def _settings() -> Settings:
    """The settings (for their timeouts); loaded only by commands that call providers (they cost ~20 ms)."""
    from tui.settings import load_settings

    settings, warnings = load_settings()
    for warning in warnings:
        warn(warning)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.workspace is not None and args.profile is not None:
        parser.error("--workspace and --profile choose the same thing: give one of them")
    if args.command == "serve" and args.profile is not None:
        parser.error("switchboard serve serves a local workspace (--workspace), not a Databricks --profile")
    if args.command is None:
        from tui.app.launch import launch_app

        return launch_app(workspace=args.workspace, profile=args.profile, demo=args.demo)
    try:
        _refuse_non_utf8(args)
        result = args.run(args) if not getattr(args, "needs_workspace", True) else asyncio.run(_run_command(args))
        if result is not None:
            print_json(result)
    except SwitchboardError as err:
        print_error(err)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 141
    except Exception as err:  # a safety net, never the plan: each cause found is fixed where it arises
        print_error(SwitchboardError(f"internal error: {type(err).__name__}: {err}"))
        return 1
    return 0


def _refuse_non_utf8(args: argparse.Namespace) -> None:
    """Refuse an argument that was not UTF-8 (Python hands its bytes over as lone surrogates)."""
    for dest, value in vars(args).items():
        if dest not in ANY_BYTES_ARGS and isinstance(value, str) and has_surrogate(value):
            label = dest.upper() if dest in POSITIONAL_ARGS else "--" + dest.replace("_", "-")
            raise InvalidParameterValue(f"{label} '{value}' is not valid UTF-8{ARG_HINTS.get(dest, '')}")
