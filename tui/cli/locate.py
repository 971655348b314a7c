"""``switchboard locate [WHAT]``: where Switchboard keeps its files, for support and scripts.

With no argument it prints one ``name: path`` line per location; with one it prints just that path
(``$EDITOR "$(switchboard locate config)"``). Nothing is created: a path may not exist yet.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tui import locations

TARGETS: dict[str, str] = {
    "config": "the settings file (config.toml)",
    "data": "the data directory",
    "workspace": "the local workspace file (--workspace and $SWITCHBOARD_WORKSPACE apply)",
    "themes": "the folder for your own themes (*.toml)",
    "builtin-themes": "the folder of the themes shipped with Switchboard",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "locate",
        parents=[common],
        help="print where Switchboard keeps its files",
        description="Print where Switchboard keeps its files. "
        + "; ".join(f"{name}: {text}" for name, text in TARGETS.items())
        + ".",
    )
    p.add_argument("what", nargs="?", choices=list(TARGETS), metavar="WHAT", help=f"one of: {', '.join(TARGETS)}")
    p.set_defaults(run=locate, needs_workspace=False)


def paths(workspace: str | None = None) -> dict[str, Path]:
    """Every location, by name (the keys of ``TARGETS``)."""
    from tui.themes import builtin_themes_dir

    return {
        "config": locations.config_file(),
        "data": locations.data_dir(),
        "workspace": locations.workspace_path(workspace),
        "themes": locations.user_themes_dir(),
        "builtin-themes": builtin_themes_dir(),
    }


def locate(args: argparse.Namespace, ws: object | None = None) -> None:
    """Print the paths as plain text (not JSON, so it returns None).

    It needs no workspace and does no I/O worth a loop, so it is a plain function: ``main`` calls
    ``args.run(args)`` for commands registered with ``needs_workspace=False``, without opening (and so
    creating) a workspace. ``ws`` is accepted and ignored, for callers that always pass one.
    """
    found = paths(getattr(args, "workspace", None))
    what = getattr(args, "what", None)
    if what:
        _write(f"{found[what]}\n")
    else:
        _write("".join(f"{name}: {path}\n" for name, path in found.items()))


def _write(text: str) -> None:
    """Paths as the file system's bytes, so ``$(switchboard locate config)`` names the file even when
    its name is not UTF-8 (a text stream would refuse those bytes, or show them as something else)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(os.fsencode(text))
    buffer.flush()
