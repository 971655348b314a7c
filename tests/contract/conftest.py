"""One fixture, ``ws``, opens each backend under test; every contract test runs once per backend.

A new backend adds one entry to ``OPENERS`` and must pass the same assertions. Tests call only what
the :class:`~tui.workspace.protocol.Workspace` protocol (and what it hands out) offers. The few
tests a backend cannot pass yet are listed in ``LOCAL_ONLY`` with the missing piece they wait for:
they are skipped for that backend with that reason (``pytest -rs`` lists them), never hidden.

``databricks`` is the Databricks backend pointed at ``switchboard serve``'s app on a local workspace,
under Uvicorn on 127.0.0.1 in a thread of its own (its own event loop, as a real server would be). Its
token is an admin token of user ``tester`` (who it is, the backend asks the server when warmed up, as
the app warms it), so it may create and revoke other users' tokens as the local backend does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from tests.contract.sim import KEY, SCOPE, SIM_KEY, create_request
from tests.helpers.served import Served
from tui.settings import Settings
from tui.settings.models import TimeoutSettings
from tui.simulator import Simulator
from tui.transport.timeouts import Timeouts
from tui.workspace.databricks.workspace import DatabricksWorkspace
from tui.workspace.factory import open_workspace
from tui.workspace.protocol import Workspace

SETTINGS = Settings(timeouts=TimeoutSettings(connect=2, read=10, idle=5))
TIMEOUTS = Timeouts(**SETTINGS.timeouts.model_dump())


@asynccontextmanager
async def _local(folder: Path) -> AsyncIterator[Workspace]:
    workspace = open_workspace(folder / "contract.db", user="tester", settings=SETTINGS)
    try:
        yield workspace
    finally:
        await workspace.aclose()


@asynccontextmanager
async def _databricks(folder: Path) -> AsyncIterator[Workspace]:
    with Served(folder / "served.db", admin=True, settings=SETTINGS).running() as serve:
        workspace = DatabricksWorkspace(serve.url, serve.token, history=folder / "history.db", timeouts=TIMEOUTS)
        await asyncio.to_thread(workspace.warm_up)  # as the app does: learns the token's user off the loop
        try:
            yield workspace
        finally:
            await workspace.aclose()


OPENERS: dict[str, Callable[[Path], AbstractAsyncContextManager[Workspace]]] = {
    "local": _local,
    "databricks": _databricks,
}

LOCAL_ONLY: dict[str, dict[str, str]] = {
    "databricks": {
        "test_a_token_expires_after_its_lifetime": (
            "the server keeps its own clock: creating or checking a token at a chosen `now` cannot be sent "
            "over REST (the backend refuses it), and waiting for a real expiry would be a timed test"
        ),
    }
}
"""Backend -> contract test -> the missing server piece it waits for. Keep it small; remove a line when it lands."""


@pytest.fixture(params=sorted(OPENERS))
async def ws(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Workspace]:
    backend: str = request.param
    if reason := LOCAL_ONLY.get(backend, {}).get(request.node.originalname):
        pytest.skip(f"local-only on {backend}: {reason}")
    async with OPENERS[backend](tmp_path) as workspace:
        yield workspace


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
