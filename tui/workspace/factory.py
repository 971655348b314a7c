"""The one place that chooses a backend: the faces open their workspace here and see only the protocol."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tui.domain.errors import InvalidParameterValue
from tui.workspace.protocol import Workspace

if TYPE_CHECKING:
    from tui.settings import Settings
    from tui.transport.timeouts import Timeouts


def open_workspace(
    path: str | os.PathLike[str] | None = None,
    *,
    profile: str | None = None,
    user: str | None = None,
    settings: Settings | None = None,
    rollout_seconds: float = 0.0,
) -> Workspace:
    """Open the workspace asked for: the Databricks ``profile`` (see :mod:`tui.workspace.profiles` for
    the rule, ``DATABRICKS_CONFIG_PROFILE`` included), else the local one at ``path``,
    ``$SWITCHBOARD_WORKSPACE`` or the default file (created if needed). ``path`` and ``profile``
    together are refused. An explicit ``path`` always means the local workspace.

    ``user`` overrides who calls on the local workspace (the login name by default). On Databricks the
    token decides: its user is asked of the server (``GET /api/2.0/preview/scim/v2/Me``) the first time
    it is needed, not before every command, so ``user`` with a profile is refused.
    ``settings`` give the provider timeouts and are needed only by callers that query (without them,
    the transport's defaults apply). ``rollout_seconds`` is how long a configuration takes to serve on
    the local workspace (0: at once; ``serve --rollout-seconds`` and the demo show Databricks's states).
    """
    # imported here so the backend's modules load only when one is opened
    from tui.transport.timeouts import Timeouts

    if path is not None and profile is not None:
        raise InvalidParameterValue("Give either a workspace path or a Databricks profile, not both")
    timeouts = None if settings is None else Timeouts(**settings.timeouts.model_dump())
    if path is None:
        from tui.workspace.profiles import chosen_profile

        chosen = chosen_profile(profile)
        if chosen is not None:
            if user is not None:
                raise InvalidParameterValue(
                    f"Profile '{chosen.name}': a Databricks workspace acts as the user of its token, not as '{user}'"
                )
            return _open_databricks(chosen.name, chosen.host, chosen.token, timeouts=timeouts)
    from tui.workspace.local.workspace import LocalWorkspace

    return LocalWorkspace.open(path, user=user, timeouts=timeouts, rollout_seconds=rollout_seconds)


def _open_databricks(name: str, host: str, token: str, *, timeouts: Timeouts | None) -> Workspace:
    from tui.workspace.databricks.workspace import DatabricksWorkspace

    return DatabricksWorkspace(host, token, profile=name, timeouts=timeouts)
