"""An app on a workspace filled like ``--demo``, its simulator running in the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tui.app.app import SwitchboardApp
from tui.app.demo import populate
from tui.settings import Settings
from tui.simulator import Simulator
from tui.themes import load_themes
from tui.transport.timeouts import Timeouts
from tui.workspace.local.workspace import LocalWorkspace

SIZE = (160, 45)
AppFactory = Callable[..., Any]


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with Simulator(api_key="sim-key") as sim:
        yield sim


@pytest.fixture
def make_app(tmp_path: Path, simulator: Simulator) -> AppFactory:
    """``async with make_app(**settings) as (app, pilot):`` a demo-filled app under Pilot."""

    @asynccontextmanager
    async def factory(*, demo: bool = True, populate_workspace: bool = True, **settings: Any) -> AsyncIterator[tuple[SwitchboardApp, Any]]:
        ws = LocalWorkspace(tmp_path / f"app-{len(list(tmp_path.iterdir()))}.db", user="tester",
                            timeouts=Timeouts(connect=2, read=10, idle=5))
        if populate_workspace:
            await populate(ws, simulator.base_url)
        app = SwitchboardApp(ws, Settings(hostname="testhost", **settings), demo=demo, themes=load_themes())
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
            yield app, pilot

    return factory


async def wait_until(pilot: Any, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Pause until ``condition()`` holds (bounded; fails the test when it never does)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app copied, in order, instead of reaching a clipboard."""
    texts: list[str] = []

    class Result:
        message = "Copied"
        severity = "information"

    def fake_copy(text: str, **kwargs: Any) -> Result:
        texts.append(text)
        return Result()

    monkeypatch.setattr("tui.clipboard.copy_text", fake_copy)
    monkeypatch.setattr("tui.screens.json_view.copy_text", fake_copy)
    return texts
