"""One fixture, ``ws``, opens each backend under test; every contract test runs once per backend.

A new backend adds one entry to ``OPENERS`` and must pass the same assertions. Tests call only what
the :class:`~tui.workspace.protocol.Workspace` protocol (and what it hands out) offers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.contract.sim import KEY, SCOPE, SIM_KEY, create_request
from tui.settings import Settings
from tui.settings.models import TimeoutSettings
from tui.simulator import Simulator
from tui.workspace.factory import open_workspace
from tui.workspace.protocol import Workspace

SETTINGS = Settings(timeouts=TimeoutSettings(connect=2, read=10, idle=5))


async def _local(folder: Path) -> Workspace:
    return open_workspace(folder / "contract.db", user="tester", settings=SETTINGS)


OPENERS: dict[str, Callable[[Path], Awaitable[Workspace]]] = {"local": _local}


@pytest.fixture(params=sorted(OPENERS))
async def ws(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Workspace]:
    workspace = await OPENERS[request.param](tmp_path)
    try:
        yield workspace
    finally:
        await workspace.aclose()


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with Simulator(api_key=SIM_KEY) as sim:
        yield sim


@pytest.fixture
async def sim_ws(ws: Workspace, simulator: Simulator) -> Workspace:
    """``ws`` holding the simulator's key in scope ``sim``, ready for endpoints made by :mod:`tests.contract.sim`."""
    await ws.create_scope(SCOPE)
    await ws.put_secret(SCOPE, KEY, SIM_KEY.encode())
    return ws


@pytest.fixture
async def chat(sim_ws: Workspace, simulator: Simulator) -> str:
    """The name of a chat endpoint answered by the simulator."""
    await sim_ws.create_endpoint(create_request("chat", simulator.base_url))
    return "chat"
