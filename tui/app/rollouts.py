"""The app's watch on endpoints whose configuration is being updated (see :mod:`tui.manage.rollout_watch`).

One watch per endpoint, whoever asked for it; it lives on the app, so how an update ended is said on
whichever screen is shown by then. Screens hear of each state on the ``changed`` signal.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.signal import Signal

from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import SwitchboardError
from tui.manage.rollout_watch import follow, outcome
from tui.workspace.protocol import Workspace

GROUP = "rollouts"


class Rollouts:
    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self.changed: Signal[ServingEndpointDetailed] = Signal(app, "endpoint-changed")
        self._watched: set[str] = set()

    def follow(self, workspace: Workspace, name: str) -> None:
        """Watch ``name`` on ``workspace`` until its update ends (nothing new when it is watched already)."""
        if name in self._watched:
            return
        self._watched.add(name)
        self._app.run_worker(self._watch(workspace, name), group=GROUP, exit_on_error=False)

    def stop(self) -> None:
        """Forget every watch (the workspace is being replaced)."""
        self._app.workers.cancel_group(self._app, GROUP)
        self._watched.clear()

    async def _watch(self, workspace: Workspace, name: str) -> None:
        try:
            ended = await follow(lambda: workspace.get_endpoint(name), self.changed.publish)
        except SwitchboardError as err:
            self._app.notify(f"Stopped watching {name}'s update: {err.message}", severity="warning", markup=False)
            return
        finally:
            self._watched.discard(name)
        if ended is not None:
            sentence, failed = outcome(ended)
            self._app.notify(sentence, severity="error" if failed else "information", markup=False, timeout=8)
