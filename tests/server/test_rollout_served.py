"""A configuration rolling out behind ``switchboard serve`` (its ``--rollout-seconds``): the states, the 409 for a
second update and the 400 for a query too early reach the Databricks backend with the server's own messages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.served import Served
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.domain.errors import InvalidState, ResourceConflict
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.workspace.databricks.workspace import DatabricksWorkspace

BASE = "http://127.0.0.1:9"  # never called: nothing here reaches a provider
NAME = "openai-chat"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with Served(tmp_path / "served.db", rollout_seconds=600).running() as serve:
        yield serve


@pytest.fixture
async def db(served: Served, tmp_path: Path) -> AsyncIterator[DatabricksWorkspace]:
    workspace = DatabricksWorkspace(served.url, served.token, history=tmp_path / "history.db")
    await workspace.create_scope("sim")
    await workspace.put_secret("sim", "key", SIM_KEY.encode())
    yield workspace
    await workspace.aclose()


async def test_the_backend_sees_the_rollout_and_the_servers_refusals(db: DatabricksWorkspace, served: Served) -> None:
    body = endpoint_body(BASE, "openai", "chat")
    created = await db.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    assert created.state is not None and (created.state.ready, created.state.config_update) == (
        "NOT_READY",
        "IN_PROGRESS",
    )
    assert created.pending_config is not None and created.pending_config.config_version == 1
    assert (await db.get_endpoint(NAME)).state == created.state

    config = parse_user_input(EndpointCoreConfigInput, body["config"], "config")
    with pytest.raises(ResourceConflict, match=r"^Endpoint 'openai-chat' is being updated \(config version 1"):
        await db.update_config(NAME, config)
    with pytest.raises(InvalidState, match="not ready yet: its first configuration is still rolling out"):
        await db.query(NAME, {"messages": [{"role": "user", "content": "hi"}]})

    headers = {"Authorization": f"Bearer {served.token}"}
    async with httpx.AsyncClient(base_url=served.url, headers=headers) as client:
        put = await client.put(f"/api/2.0/serving-endpoints/{NAME}/config", json=body["config"])
        invoked = await client.post(f"/serving-endpoints/{NAME}/invocations", json={"messages": []})
    assert put.status_code == 409 and put.json()["error_code"] == "RESOURCE_CONFLICT"
    assert invoked.status_code == 400 and invoked.json()["error_code"] == "INVALID_STATE"
