"""Endpoints: create, get, list, update config, rate limits, AI gateway, tags, delete, and their errors."""

from __future__ import annotations

import pytest

from tests.contract.sim import config_input, create_request
from tui.domain.base import parse_user_input
from tui.domain.errors import ResourceAlreadyExists, ResourceDoesNotExist
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit
from tui.simulator import Simulator
from tui.workspace.protocol import Workspace

GATEWAY = {
    "rate_limits": [{"calls": 5, "tokens": 1000, "key": "user", "renewal_period": "minute"}],
    "usage_tracking_config": {"enabled": True},
}


async def test_create_get_list_delete(sim_ws: Workspace, simulator: Simulator) -> None:
    created = await sim_ws.create_endpoint(
        create_request("ep-one", simulator.base_url, tags=[{"key": "env", "value": "dev"}])
    )
    assert created.name == "ep-one"
    fetched = await sim_ws.get_endpoint("ep-one")
    assert fetched.name == "ep-one" and fetched.config is not None
    assert [e.external_model.name for e in fetched.config.served_entities if e.external_model] == ["gpt-4o-mini"]
    assert [t.to_json() for t in fetched.tags or []] == [{"key": "env", "value": "dev"}]
    await sim_ws.create_endpoint(create_request("ep-two", simulator.base_url, "llm/v1/embeddings"))
    assert sorted(e.name for e in await sim_ws.list_endpoints()) == ["ep-one", "ep-two"]
    await sim_ws.delete_endpoint("ep-one")
    assert [e.name for e in await sim_ws.list_endpoints()] == ["ep-two"]


async def test_update_config_replaces_the_served_entities(sim_ws: Workspace, chat: str, simulator: Simulator) -> None:
    before = await sim_ws.get_endpoint(chat)
    updated = await sim_ws.update_config(chat, config_input(simulator.base_url, model="gpt-4o"))
    assert updated.config is not None and before.config is not None
    assert [e.external_model.name for e in updated.config.served_entities if e.external_model] == ["gpt-4o"]
    assert (updated.config.config_version or 0) > (before.config.config_version or 0)
    after = await sim_ws.get_endpoint(chat)
    assert after.config is not None
    assert [e.external_model.name for e in after.config.served_entities if e.external_model] == ["gpt-4o"]


async def test_rate_limits_ai_gateway_and_tags(sim_ws: Workspace, chat: str) -> None:
    limits = [RateLimit(calls=7, key="user")]
    assert [r.to_json() for r in await sim_ws.put_rate_limits(chat, limits)] == [r.to_json() for r in limits]
    assert [r.to_json() for r in (await sim_ws.get_endpoint(chat)).rate_limits or []] == [r.to_json() for r in limits]

    gateway = parse_user_input(AiGatewayConfig, GATEWAY, "AI gateway")
    assert (await sim_ws.put_ai_gateway(chat, gateway)).to_json() == GATEWAY
    stored = (await sim_ws.get_endpoint(chat)).ai_gateway
    assert stored is not None and stored.to_json() == GATEWAY

    patch = parse_user_input(
        PatchTagsRequest, {"add_tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "ml"}]}, "tags"
    )
    assert {t.key: t.value for t in await sim_ws.patch_tags(chat, patch)} == {"env": "dev", "team": "ml"}
    remaining = await sim_ws.patch_tags(chat, PatchTagsRequest(delete_tags=["team", "absent"]))
    assert [t.to_json() for t in remaining] == [{"key": "env", "value": "dev"}]


async def test_endpoint_errors_carry_their_codes(sim_ws: Workspace, chat: str, simulator: Simulator) -> None:
    with pytest.raises(ResourceAlreadyExists) as exists:
        await sim_ws.create_endpoint(create_request(chat, simulator.base_url))
    assert exists.value.error_code == "RESOURCE_ALREADY_EXISTS"
    gateway = parse_user_input(AiGatewayConfig, GATEWAY, "AI gateway")
    for call in (
        sim_ws.get_endpoint("ghost"),
        sim_ws.update_config("ghost", config_input(simulator.base_url)),
        sim_ws.put_rate_limits("ghost", [RateLimit(calls=1)]),
        sim_ws.put_ai_gateway("ghost", gateway),
        sim_ws.patch_tags("ghost", PatchTagsRequest(delete_tags=["x"])),
        sim_ws.delete_endpoint("ghost"),
    ):
        with pytest.raises(ResourceDoesNotExist) as missing:
            await call
        assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST" and "ghost" in missing.value.message


async def test_a_key_in_a_missing_scope_refuses_the_endpoint(ws: Workspace, simulator: Simulator) -> None:
    with pytest.raises(ResourceDoesNotExist) as missing:
        await ws.create_endpoint(create_request("no-key", simulator.base_url))
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert await ws.list_endpoints() == []
