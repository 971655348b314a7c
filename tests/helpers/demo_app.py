"""Build the app the way ``--demo`` does, on a workspace filled with the demo endpoints (and any others)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tui.app.app import SwitchboardApp
from tui.app.demo import populate
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.settings import Settings
from tui.themes import load_themes
from tui.transport.timeouts import Timeouts
from tui.workspace.local.workspace import LocalWorkspace

SIZE = (160, 45)
HOSTNAME = "testhost"
AppFactory = Callable[..., Any]
"""``async with make_app(**settings) as (app, pilot):`` (the ``make_app`` fixture)."""


async def demo_workspace(
    path: Path, base: str, *, read: float, idle: float, populated: bool = True, extra: Iterable[dict[str, Any]] = ()
) -> LocalWorkspace:
    """A workspace at ``path`` holding the demo endpoints (unless not ``populated``) and the ``extra`` bodies,
    all served by the simulator at ``base``."""
    ws = LocalWorkspace(path, user="tester", timeouts=Timeouts(connect=2, read=read, idle=idle))
    if populated:
        await populate(ws, base)
    for body in extra:
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return ws


def demo_app(ws: LocalWorkspace, *, demo: bool = True, **settings: Any) -> SwitchboardApp:
    """The app on ``ws`` with ``settings``, on a host whose name is always the same."""
    return SwitchboardApp(ws, Settings(hostname=HOSTNAME, **settings), demo=demo, themes=load_themes())
