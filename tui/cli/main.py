"""``switchboard``: with no command it opens the app; with one it runs it and prints JSON."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from tui import __version__
from tui.cli import locate, secrets, serving_endpoints, simulate
from tui.cli.io import print_error, print_json, warn
from tui.domain.errors import SwitchboardError
from tui.transport.timeouts import Timeouts

WORKSPACE_HELP = "workspace file (default: $SWITCHBOARD_WORKSPACE, else the user data dir)"


def build_parser() -> argparse.ArgumentParser:
    # --workspace is accepted before or after the command; SUPPRESS keeps a later one from erasing an earlier one
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS, help=WORKSPACE_HELP)

    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Manage keys and external model endpoints and compare providers side by side.",
        epilog="With no command, the app opens.",
    )
    parser.add_argument("--version", action="version", version=f"switchboard {__version__}")
    parser.add_argument("--workspace", metavar="PATH", default=None, help=WORKSPACE_HELP)
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a throwaway workspace with simulated endpoints (no keys)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    secrets.register(commands, common)
    serving_endpoints.register(commands, common)
    simulate.register(commands)
    locate.register(commands, common)
    return parser


async def _run_command(args: argparse.Namespace) -> object:
    from tui.workspace.local.workspace import LocalWorkspace

    workspace = LocalWorkspace.open(args.workspace, timeouts=_timeouts() if getattr(args, "uses_network", False) else None)
    try:
        return await args.run(args, workspace)
    finally:
        await workspace.aclose()


def _timeouts() -> Timeouts:
    """Timeouts from the settings; loaded only by commands that call providers (settings cost ~20 ms)."""
    from tui.settings import load_settings

    settings, warnings = load_settings()
    for warning in warnings:
        warn(warning)
    return Timeouts(**settings.timeouts.model_dump())


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from tui.app.launch import launch_app

        return launch_app(workspace=args.workspace, demo=args.demo)
    try:
        if not getattr(args, "needs_workspace", True):
            result = args.run(args)
        else:
            result = asyncio.run(_run_command(args))
    except SwitchboardError as err:
        print_error(err)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted\n")
        return 130
    if result is not None:
        print_json(result)
    return 0
