"""Open the app: settings, themes and the workspace are resolved first, so a bad path or file is a
clear message rather than a traceback; ``--demo`` brings a throwaway workspace and the simulator."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from tui.domain.errors import SwitchboardError

if TYPE_CHECKING:
    from tui.settings import Settings
    from tui.workspace.protocol import Workspace


def launch_app(*, workspace: str | None, demo: bool = False) -> int:
    from tui.settings import load_settings
    from tui.transport.timeouts import Timeouts
    from tui.workspace.factory import open_workspace

    settings, notes = load_settings()
    timeouts = Timeouts(**settings.timeouts.model_dump())
    if demo:
        from tui.app.demo import demo_environment, populate

        with demo_environment() as (path, sim):
            ws = open_workspace(path, timeouts=timeouts)
            asyncio.run(populate(ws, sim.base_url))
            return _run(ws, settings, notes, demo=True)
    try:
        ws = open_workspace(workspace, timeouts=timeouts)
    except SwitchboardError as err:
        sys.stderr.write(f"Error: {err.message} ({err.error_code})\n")
        return 1
    return _run(ws, settings, notes, demo=False)


def _run(ws: Workspace, settings: Settings, notes: list[str], *, demo: bool) -> int:
    from tui.app.app import SwitchboardApp
    from tui.themes import load_themes

    SwitchboardApp(ws, settings, demo=demo, themes=load_themes(), notes=notes).run()
    return 0
