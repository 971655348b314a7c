"""One fixture, ``ws``, opens each backend under test; every contract test runs once per backend.

A new backend adds one entry to ``OPENERS`` and must pass the same assertions. Tests call only what
the :class:`~tui.workspace.protocol.Workspace` protocol (and what it hands out) offers. The few
tests a backend cannot pass yet are listed in ``LOCAL_ONLY`` with the missing piece they wait for:
they are skipped for that backend with that reason (``pytest -rs`` lists them), never hidden.

``databricks`` is the Databricks backend pointed at ``switchboard serve``'s app on a local workspace,
under Uvicorn on 127.0.0.1 in a thread of its own (its own event loop, as a real server would be).
"""

from __future__ import annotations

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
    with Served(folder / "served.db", settings=SETTINGS).running() as serve:
        workspace = DatabricksWorkspace(
            serve.url, serve.token, user="tester", history=folder / "history.db", timeouts=TIMEOUTS
        )
        try:
            yield workspace
        finally:
            await workspace.aclose()


OPENERS: dict[str, Callable[[Path], AbstractAsyncContextManager[Workspace]]] = {
    "local": _local,
    "databricks": _databricks,
}

_NO_USE = "Databricks does not report how much of a limit or endpoint was used; serve has no usage route"
_NO_TOKENS = (
    "serve has no /api/2.0/token/* routes, and a Databricks workspace makes tokens only for its caller "
    "and never says whose a token is (authenticate is refused)"
)
LOCAL_ONLY: dict[str, dict[str, str]] = {
    "databricks": {
        "test_limit_status_counts_this_minute": _NO_USE,
        "test_usage_rows_count_calls_and_tokens": _NO_USE,
        "test_a_token_authenticates_its_user_until_it_is_revoked": _NO_TOKENS,
        "test_each_token_stands_for_its_own_user_and_a_revoked_one_leaves_the_others": _NO_TOKENS,
        "test_wrong_values_authenticate_no_one": _NO_TOKENS,
        "test_a_token_expires_after_its_lifetime": _NO_TOKENS,
        "test_bad_requests_are_refused_and_nothing_is_created": _NO_TOKENS,
        "test_revoking_an_unknown_token_says_so_and_never_repeats_a_value": _NO_TOKENS,
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
