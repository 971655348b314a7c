"""Fixtures: a fresh simulator per test (it starts in about a millisecond) and an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.simulator.helpers import KEY
from tui.simulator import Simulator


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(api_key=KEY, port=0) as simulator:
        yield simulator


@pytest.fixture
async def http(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sim.base_url, timeout=5.0) as client:
        yield client
