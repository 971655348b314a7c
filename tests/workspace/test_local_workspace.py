"""The Workspace contract on the local backend: secrets and endpoints, happy paths and every error."""

from __future__ import annotations

import json

import pytest

from tests.payloads import (
    ANTHROPIC_COMPLETIONS,
    OPENAI_COMPLETIONS,
    OPENAI_SCOPE,
    RATE_LIMITS,
    azure_openai,
    openai_plaintext,
    served_config,
)
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.domain.errors import (
    InvalidParameterValue,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
    ResourceLimitExceeded,
)
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimitsRequest
from tui.domain.names import SECRET_VALUE_MAX_BYTES
from tui.domain.secret_refs import SecretRef
from tui.workspace.local.workspace import LocalWorkspace


def create_request(body: dict) -> CreateServingEndpoint:
    return parse_user_input(CreateServingEndpoint, body, "endpoint")


async def with_openai_key(ws: LocalWorkspace) -> None:
    await ws.create_scope(OPENAI_SCOPE)
    await ws.put_secret(OPENAI_SCOPE, "openai_api_key", b"sk-test-123")


# -- secrets -------------------------------------------------------------------------------------


async def test_scopes_are_created_listed_and_deleted(workspace: LocalWorkspace) -> None:
    assert await workspace.list_scopes() == []
    await workspace.create_scope("team-b")
    await workspace.create_scope("team.a@x")
    assert [s.name for s in await workspace.list_scopes()] == ["team-b", "team.a@x"]
    assert (await workspace.list_scopes())[0].to_json() == {"name": "team-b", "backend_type": "DATABRICKS"}
    await workspace.delete_scope("team-b")
    assert [s.name for s in await workspace.list_scopes()] == ["team.a@x"]


async def test_scope_names_are_unique_ignoring_case(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("Keys")
    with pytest.raises(ResourceAlreadyExists, match="already exists"):
        await workspace.create_scope("keys")
    await workspace.put_secret("KEYS", "k", b"v")  # any case reaches the scope
    assert [m.key for m in await workspace.list_secrets("keys")] == ["k"]


@pytest.mark.parametrize("bad", ["", "has space", "slash/x", "x" * 129])
async def test_bad_scope_names_are_refused(workspace: LocalWorkspace, bad: str) -> None:
    with pytest.raises(InvalidParameterValue, match="Scope name"):
        await workspace.create_scope(bad)
    assert await workspace.list_scopes() == []


async def test_secrets_list_metadata_never_values(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("s")
    await workspace.put_secret("s", "b", b"value-b")
    await workspace.put_secret("s", "a", b"value-a")
    listed = await workspace.list_secrets("s")
    assert [m.key for m in listed] == ["a", "b"]
    assert all(m.last_updated_timestamp and m.last_updated_timestamp > 1_600_000_000_000 for m in listed)
    assert "value-" not in json.dumps([m.to_json() for m in listed])


async def test_put_secret_overwrites(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("s")
    await workspace.put_secret("s", "k", b"one")
    await workspace.put_secret("s", "k", b"two")
    assert len(await workspace.list_secrets("s")) == 1
    assert workspace.secrets.read_value(SecretRef("s", "k")) == b"two"


async def test_secret_value_limit_is_128_kb(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("s")
    await workspace.put_secret("s", "max", b"x" * SECRET_VALUE_MAX_BYTES)
    with pytest.raises(InvalidParameterValue, match="128 KB"):
        await workspace.put_secret("s", "big", b"x" * (SECRET_VALUE_MAX_BYTES + 1))
    assert [m.key for m in await workspace.list_secrets("s")] == ["max"]


async def test_secret_errors_name_what_is_missing(workspace: LocalWorkspace) -> None:
    with pytest.raises(ResourceDoesNotExist, match="scope 'nope' does not exist"):
        await workspace.put_secret("nope", "k", b"v")
    with pytest.raises(ResourceDoesNotExist, match="scope 'nope'"):
        await workspace.list_secrets("nope")
    with pytest.raises(ResourceDoesNotExist, match="scope 'nope'"):
        await workspace.delete_scope("nope")
    await workspace.create_scope("s")
    with pytest.raises(ResourceDoesNotExist, match="Secret 'k' does not exist in scope 's'"):
        await workspace.delete_secret("s", "k")
    with pytest.raises(InvalidParameterValue, match="Secret key"):
        await workspace.put_secret("s", "bad key", b"v")


async def test_deleting_a_scope_deletes_its_secrets(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("s")
    await workspace.put_secret("s", "k", b"v")
    await workspace.delete_scope("s")
    await workspace.create_scope("s")
    assert await workspace.list_secrets("s") == []


async def test_secrets_per_scope_limit(workspace: LocalWorkspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.workspace.local.secrets_repo.SECRETS_PER_SCOPE_MAX", 3)
    await workspace.create_scope("s")
    for i in range(3):
        await workspace.put_secret("s", f"k{i}", b"v")
    await workspace.put_secret("s", "k0", b"overwrite is fine")
    with pytest.raises(ResourceLimitExceeded, match="3 secrets"):
        await workspace.put_secret("s", "k3", b"v")


# -- endpoints -----------------------------------------------------------------------------------


async def test_seed_openai_endpoint_round_trips(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    created = await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    got = await workspace.get_endpoint("openai-completions")
    assert got.to_json() == created.to_json()
    doc = got.to_json()
    assert doc["state"] == {"ready": "READY", "config_update": "NOT_UPDATING"}
    assert doc["config"]["config_version"] == 1
    assert doc["task"] == "llm/v1/completions"
    assert doc["creator"] == "tester"
    assert len(doc["id"]) == 32
    entities = [{"name": e["name"], "external_model": e["external_model"]} for e in doc["config"]["served_entities"]]
    assert entities == served_config(OPENAI_COMPLETIONS)
    assert doc["config"]["traffic_config"] == {
        "routes": [{"served_entity_name": "openai-completions", "traffic_percentage": 100}]
    }
    assert doc["tags"] == [{"key": "team", "value": "gen-ai"}]


async def test_plaintext_keys_are_stored_but_never_returned(workspace: LocalWorkspace) -> None:
    body = openai_plaintext()
    await workspace.create_endpoint(create_request(body))
    for shown in [await workspace.get_endpoint(body["name"]), *(await workspace.list_endpoints())]:
        text = json.dumps(shown.to_json())
        assert "sk-plaintext-not-for-echo" not in text
        assert "_plaintext" not in text
    entities = (await workspace.get_endpoint(body["name"])).to_json()["config"]["served_entities"]
    assert [{"name": e["name"], "external_model": e["external_model"]} for e in entities] == served_config(body)
    stored = workspace.endpoints.for_query(body["name"])
    assert "sk-plaintext-not-for-echo" in json.dumps(stored.to_json())


async def test_azure_and_anthropic_seed_endpoints(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    await workspace.create_scope("my_anthropic_secret_scope")
    await workspace.put_secret("my_anthropic_secret_scope", "anthropic_api_key", b"sk-ant")
    for body in (azure_openai(), ANTHROPIC_COMPLETIONS):
        await workspace.create_endpoint(create_request(body))
        doc = (await workspace.get_endpoint(body["name"])).to_json()
        entities = [
            {"name": e["name"], "external_model": e["external_model"]} for e in doc["config"]["served_entities"]
        ]
        assert entities == served_config(body)
    assert [e.name for e in await workspace.list_endpoints()] == [
        "anthropic-completions-endpoint",
        "openai-azure-completions",
    ]


async def test_missing_secret_scope_or_key_refuses_the_endpoint(workspace: LocalWorkspace) -> None:
    with pytest.raises(ResourceDoesNotExist, match="Secret scope 'my_openai_secret_scope' does not exist"):
        await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    await workspace.create_scope(OPENAI_SCOPE)
    with pytest.raises(ResourceDoesNotExist, match="Secret 'openai_api_key' does not exist in scope"):
        await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    assert await workspace.list_endpoints() == []


async def test_duplicate_endpoint_is_refused(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    with pytest.raises(ResourceAlreadyExists, match="'openai-completions' already exists"):
        await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))


async def test_endpoint_needs_a_config_of_external_models(workspace: LocalWorkspace) -> None:
    with pytest.raises(InvalidParameterValue, match="'config' is required"):
        await workspace.create_endpoint(create_request({"name": "empty"}))
    body = {
        "name": "custom",
        "config": {"served_entities": [{"entity_name": "catalog.schema.model", "entity_version": "1"}]},
    }
    with pytest.raises(InvalidParameterValue, match="external models only"):
        await workspace.create_endpoint(create_request(body))


async def test_update_config_bumps_the_version_and_checks_secrets(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    new = parse_user_input(EndpointCoreConfigInput, azure_openai()["config"], "config")
    updated = await workspace.update_config("openai-completions", new)
    assert updated.config is not None and updated.config.config_version == 2
    entity = updated.to_json()["config"]["served_entities"][0]
    assert entity["external_model"]["openai_config"]["openai_api_type"] == "azure"
    missing = parse_user_input(
        EndpointCoreConfigInput,
        {
            "served_entities": [
                {
                    "external_model": {
                        "name": "gpt-4o",
                        "provider": "openai",
                        "task": "llm/v1/chat",
                        "openai_config": {"openai_api_key": "{{secrets/other/key}}"},
                    }
                }
            ]
        },
        "config",
    )
    with pytest.raises(ResourceDoesNotExist, match="scope 'other'"):
        await workspace.update_config("openai-completions", missing)
    after = await workspace.get_endpoint("openai-completions")
    assert after.config is not None and after.config.config_version == 2
    with pytest.raises(ResourceDoesNotExist, match="'ghost' does not exist"):
        await workspace.update_config("ghost", new)


async def test_rate_limits_gateway_and_tags(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    limits = parse_user_input(RateLimitsRequest, RATE_LIMITS, "rate limits").rate_limits
    returned = await workspace.put_rate_limits("openai-completions", limits)
    assert [r.to_json() for r in returned] == RATE_LIMITS["rate_limits"]
    assert (await workspace.get_endpoint("openai-completions")).to_json()["rate_limits"] == RATE_LIMITS["rate_limits"]

    gateway_body = {
        "rate_limits": [{"calls": 5, "tokens": 1000, "key": "user", "renewal_period": "minute"}],
        "usage_tracking_config": {"enabled": True},
        "fallback_config": {"enabled": True},
        "guardrails": {"input": {"pii": {"behavior": "BLOCK"}, "invalid_keywords": ["secret"]}},
    }
    gateway = parse_user_input(AiGatewayConfig, gateway_body, "AI gateway")
    assert (await workspace.put_ai_gateway("openai-completions", gateway)).to_json() == gateway_body
    assert (await workspace.get_endpoint("openai-completions")).to_json()["ai_gateway"] == gateway_body

    patch = parse_user_input(
        PatchTagsRequest,
        {"add_tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "ml"}], "delete_tags": []},
        "tags",
    )
    tags = await workspace.patch_tags("openai-completions", patch)
    assert [t.to_json() for t in tags] == [{"key": "team", "value": "ml"}, {"key": "env", "value": "dev"}]
    tags = await workspace.patch_tags("openai-completions", PatchTagsRequest(delete_tags=["team", "absent"]))
    assert [t.to_json() for t in tags] == [{"key": "env", "value": "dev"}]

    for call in (
        workspace.put_rate_limits("ghost", limits),
        workspace.put_ai_gateway("ghost", gateway),
        workspace.patch_tags("ghost", patch),
        workspace.delete_endpoint("ghost"),
        workspace.get_endpoint("ghost"),
    ):
        with pytest.raises(ResourceDoesNotExist, match="Endpoint 'ghost' does not exist"):
            await call


async def test_delete_endpoint(workspace: LocalWorkspace) -> None:
    await with_openai_key(workspace)
    await workspace.create_endpoint(create_request(OPENAI_COMPLETIONS))
    await workspace.delete_endpoint("openai-completions")
    assert await workspace.list_endpoints() == []
    with pytest.raises(ResourceDoesNotExist):
        await workspace.get_endpoint("openai-completions")


async def test_two_served_entities_get_an_even_split(workspace: LocalWorkspace) -> None:
    body = openai_plaintext()
    entity = body["config"]["served_entities"][0]
    second = json.loads(json.dumps(entity))
    second["name"] = "second"
    body["config"]["served_entities"].append(second)
    doc = (await workspace.create_endpoint(create_request(body))).to_json()
    assert doc["config"]["traffic_config"]["routes"] == [
        {"served_entity_name": "openai-completions", "traffic_percentage": 50},
        {"served_entity_name": "second", "traffic_percentage": 50},
    ]
