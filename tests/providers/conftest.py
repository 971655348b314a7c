"""A workspace whose endpoints point at a running provider simulator, one endpoint per provider and task."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.providers.rig import Rig
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY
from tui.transport.timeouts import Timeouts
from tui.workspace.local.workspace import LocalWorkspace


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with Simulator(api_key=SIM_KEY) as sim:
        ws = LocalWorkspace(tmp_path / "w.db", user="tester", timeouts=Timeouts(connect=2, read=5, idle=5.0))
        await ws.create_scope("sim")
        await ws.put_secret("sim", "key", SIM_KEY.encode())
        try:
            yield Rig(sim, ws)
        finally:
            await ws.aclose()
