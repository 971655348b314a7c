"""The app fixtures (a pytest plugin, registered by the root conftest): a simulator in the test's event loop
and ``make_app``, an app on a demo-filled workspace under Pilot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.app import all_mounted, wait_until
from tests.helpers.demo_app import SIZE, AppFactory, demo_app, demo_workspace
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_KEY
from tui.simulator import Simulator


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with Simulator(api_key=DEMO_KEY) as sim:
        yield sim


@pytest.fixture
def make_app(tmp_path: Path, simulator: Simulator) -> AppFactory:
    """``async with make_app(**settings) as (app, pilot):`` a demo-filled app under Pilot."""

    @asynccontextmanager
    async def factory(
        *, demo: bool = True, populate_workspace: bool = True, **settings: Any
    ) -> AsyncIterator[tuple[SwitchboardApp, Any]]:
        ws = await demo_workspace(
            tmp_path / f"app-{len(list(tmp_path.iterdir()))}.db",
            simulator.base_url,
            read=10,
            idle=5,
            populated=populate_workspace,
        )
        app = demo_app(ws, demo=demo, **settings)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.2)
            yield app, pilot
            # A widget still mounting when the app is taken down is pruned half-built, and Textual's own widgets
            # (Select) fail then: a test that ends right after a rebuild waits for it to finish first.
            await wait_until(pilot, lambda: all_mounted(app))

    return factory


@pytest.fixture(
    params=[
        ("textual-dark", False),
        ("textual-light", False),
        ("textual-dark", True),
        ("textual-light", True),
    ],
    ids=["dark", "light", "dark-NO_COLOR", "light-NO_COLOR"],
)
def painting_theme(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A theme to set on an app, in colour and with ``NO_COLOR`` (every line then filtered to monochrome): for
    widgets that paint their own lines, compared with Textual's painting of them."""
    theme, no_color = request.param
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    return str(theme)
