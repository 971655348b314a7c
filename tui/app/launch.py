"""Open the app: resolve the workspace first, so a bad path is a clear message, not a traceback."""

from __future__ import annotations

import sys

from tui.domain.errors import SwitchboardError


def launch_app(*, workspace: str | None) -> int:
    from tui.workspace.local.workspace import LocalWorkspace

    try:
        ws = LocalWorkspace.open(workspace)
    except SwitchboardError as err:
        sys.stderr.write(f"Error: {err.message} ({err.error_code})\n")
        return 1
    from tui.app.app import SwitchboardApp

    SwitchboardApp(ws).run()
    return 0
