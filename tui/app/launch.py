"""Open the app: settings, themes and the workspace are resolved first, so a bad path or file is a
clear message rather than a traceback; ``--demo`` brings a throwaway workspace and the simulator."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from tui.domain.errors import SwitchboardError
from tui.domain.text import printable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tui.app.app import SwitchboardApp
    from tui.settings import Settings
    from tui.workspace.protocol import Workspace


def launch_app(*, workspace: str | None, profile: str | None = None, demo: bool = False) -> int:
    from tui.settings import load_settings
    from tui.workspace.factory import open_workspace

    settings, notes = load_settings()
    if demo:
        from tui.app.demo import DEMO_ROLLOUT_S, demo_environment, seed
        from tui.simulator.process import SimulatorStartError

        with demo_environment() as (path, sim):
            asyncio.run(seed(path, sim.base_url))  # ready at once; what is changed later rolls out
            ws = open_workspace(path, settings=settings, rollout_seconds=DEMO_ROLLOUT_S)
            app = build_app(ws, settings, demo=True, notes=notes)
            try:
                sim.wait_ready()  # it started meanwhile: usually no wait at all
            except SimulatorStartError as err:  # it quotes the child's own output: shown, never interpreted
                sys.stderr.write(f"Error: {printable(str(err))}\n")
                return 1
            app.run()
            return 0
    try:
        ws = open_workspace(workspace, profile=profile, settings=settings)
    except SwitchboardError as err:
        sys.stderr.write(f"Error: {err.message} ({err.error_code})\n")
        return 1
    from tui.workspace.profiles import chosen_name

    chosen = None if workspace is not None else chosen_name(profile)
    build_app(ws, settings, demo=False, notes=notes, profile=chosen, local_path=workspace).run()
    return 0


def build_app(
    ws: Workspace,
    settings: Settings,
    *,
    demo: bool,
    notes: Iterable[str] = (),
    profile: str | None = None,
    local_path: str | None = None,
) -> SwitchboardApp:
    """The app on ``ws``, with the built-in and user themes; the one way it is built (also for the
    screenshots and the tests). ``notes`` are shown once it opens (e.g. a settings file that was wrong);
    ``profile`` names the Databricks profile ``ws`` was opened from, ``local_path`` the local workspace
    the switcher goes back to."""
    from tui.app.app import SwitchboardApp
    from tui.themes import load_themes

    return SwitchboardApp(
        ws, settings, demo=demo, themes=load_themes(), notes=notes, profile=profile, local_path=local_path
    )
