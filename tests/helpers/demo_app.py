"""Build the app the way ``--demo`` does, on a workspace filled with the demo endpoints (and any others)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tui.app.app import SwitchboardApp
from tui.app.demo import populate
from tui.app.launch import build_app
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.settings import Settings
from tui.settings.models import TimeoutSettings
from tui.workspace.factory import open_workspace
from tui.workspace.protocol import Workspace

SIZE = (160, 45)
HOSTNAME = "testhost"
AppFactory = Callable[..., Any]
"""``async with make_app(**settings) as (app, pilot):`` (the ``make_app`` fixture)."""


def quick_settings(*, connect: float = 10, read: float = 5, idle: float = 1.0, **settings: Any) -> Settings:
    """Settings for a test: short provider timeouts and a host whose name is always the same. The connect
    timeout stays the product's: with a 2 s one, an overloaded run once had panes end in an error after 2.4 s
    with nothing received (the only timer that short), and no test here times a connect out."""
    return Settings(hostname=HOSTNAME, timeouts=TimeoutSettings(connect=connect, read=read, idle=idle), **settings)


async def demo_workspace(
    path: Path, base: str, *, read: float, idle: float, populated: bool = True, extra: Iterable[dict[str, Any]] = ()
) -> Workspace:
    """A workspace at ``path`` holding the demo endpoints (unless not ``populated``) and the ``extra`` bodies,
    all served by the simulator at ``base``."""
    ws = open_workspace(path, user="tester", settings=quick_settings(read=read, idle=idle))
    if populated:
        await populate(ws, base)
    for body in extra:
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return ws


def demo_app(ws: Workspace, *, demo: bool = True, **settings: Any) -> SwitchboardApp:
    """The app on ``ws`` with ``settings``, on a host whose name is always the same."""
    return build_app(ws, Settings(hostname=HOSTNAME, **settings), demo=demo)
