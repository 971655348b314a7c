"""The one place that chooses a backend: the faces open their workspace here and see only the protocol."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tui.workspace.protocol import Workspace

if TYPE_CHECKING:
    from tui.settings import Settings


def open_workspace(
    path: str | os.PathLike[str] | None = None, *, user: str | None = None, settings: Settings | None = None
) -> Workspace:
    """Open (creating if needed) the workspace at ``path``, ``$SWITCHBOARD_WORKSPACE`` or the default file.

    ``user`` overrides who calls (the login name by default). ``settings`` give the provider timeouts and
    are needed only by callers that query (without them, the transport's defaults apply). Only the local
    backend exists today; a Databricks profile will be chosen here too.
    """
    # imported here so the backend's modules load only when one is opened
    from tui.transport.timeouts import Timeouts
    from tui.workspace.local.workspace import LocalWorkspace

    timeouts = None if settings is None else Timeouts(**settings.timeouts.model_dump())
    return LocalWorkspace.open(path, user=user, timeouts=timeouts)
