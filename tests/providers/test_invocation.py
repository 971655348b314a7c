"""What the local workspace adds around a provider call: rate limits, fan-out of n, fallback,
traffic split, usage records, request checks."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from tests.providers.rig import Rig
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderRateLimited,
    RequestLimitExceeded,
    ResourceDoesNotExist,
)
from tui.domain.gateway import AiGatewayConfig, RateLimit
from tui.simulator.endpoints import endpoint_body
from tui.workspace.local.limits import Caller

CHAT = {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 8}


async def create(rig: Rig, body: dict[str, Any]) -> str:
    await rig.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return str(body["name"])


async def test_legacy_rate_limit_per_user(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model="gpt-4o-mini@tokens=3")
    await rig.ws.put_rate_limits(name, [RateLimit(calls=2, key="user")])
    for _ in range(2):
        await rig.ws.query(name, CHAT)
    with pytest.raises(RequestLimitExceeded) as caught:
        await rig.ws.query(name, CHAT)
    err = caught.value
    assert err.error_code == "REQUEST_LIMIT_EXCEEDED" and err.http_status == 429
    assert "2 calls/minute per user" in err.message and f"endpoint '{name}'" in err.message
    assert err.retry_after is not None and 0 < err.retry_after <= 60
    assert len([r for r in rig.sim.requests]) == 2  # the provider never saw the refused call
    await rig.ws.query(name, CHAT, caller=Caller("someone-else"))  # another user has their own quota
    status = await rig.ws.rate_limit_status(name)
    assert status == [
        {
            "label": "2 calls/minute per user",
            "calls": 2,
            "calls_limit": 2,
            "tokens": status[0]["tokens"],
            "tokens_limit": None,
        }
    ]


async def test_a_limit_holds_exactly_under_100_concurrent_queries(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model="gpt-4o-mini@tokens=3")
    await rig.ws.put_rate_limits(name, [RateLimit(calls=20, key="endpoint")])
    results = await asyncio.gather(*(rig.ws.query(name, CHAT) for _ in range(100)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, RequestLimitExceeded)]
    answered = [r for r in results if isinstance(r, dict)]
    assert (len(answered), len(refused)) == (20, 80)
    assert len(rig.sim.requests) == 20  # the provider saw exactly the admitted calls


async def test_gateway_token_limit_counts_real_usage(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model="gpt-4o-mini@tokens=30")
    await rig.ws.put_ai_gateway(
        name, AiGatewayConfig.model_validate({"rate_limits": [{"tokens": 50, "key": "endpoint"}]})
    )
    first = await rig.ws.query(name, {**CHAT, "max_tokens": 30})
    assert first["usage"]["total_tokens"] > 30
    await rig.ws.query(name, {**CHAT, "max_tokens": 30})  # 1 token still left when it started
    with pytest.raises(RequestLimitExceeded, match="50 tokens/minute per endpoint"):
        await rig.ws.query(name, CHAT)
    [status] = await rig.ws.rate_limit_status(name)
    assert status["tokens"] == first["usage"]["total_tokens"] * 2 and status["tokens_limit"] == 50


async def test_streams_count_tokens_too(rig: Rig) -> None:
    name = await rig.endpoint("anthropic", "chat", model="claude@tokens=10")
    await rig.ws.put_ai_gateway(name, AiGatewayConfig.model_validate({"rate_limits": [{"tokens": 1000, "calls": 5}]}))
    chunks = [c async for c in rig.ws.stream(name, CHAT)]
    usage = next(c["usage"] for c in chunks if c.get("usage"))
    [status] = await rig.ws.rate_limit_status(name)
    assert status["calls"] == 1 and status["tokens"] == usage["total_tokens"]


async def test_n_without_native_support_is_refused_by_default(rig: Rig) -> None:
    name = await rig.endpoint("anthropic", "chat", model="claude@tokens=5")
    with pytest.raises(InvalidParameterValue, match=r"Anthropic cannot return n=3 choices.*n_strategy"):
        await rig.ws.query(name, {**CHAT, "n": 3})
    assert rig.sim.requests == []


async def test_fan_out_merges_n_parallel_answers(rig: Rig) -> None:
    name = await rig.endpoint("anthropic", "chat", model="claude@tokens=5", n_strategy="fan_out")
    answer = await rig.ws.query(name, {**CHAT, "n": 3, "temperature": 0.7})
    assert [c["index"] for c in answer["choices"]] == [0, 1, 2]
    assert len(rig.sim.requests) == 3 and all("n" not in r.body for r in rig.sim.requests)
    single = answer["usage"]["completion_tokens"] // 3
    assert answer["usage"]["completion_tokens"] == 3 * single == 15
    with pytest.raises(InvalidParameterValue, match="identical answers"):
        await rig.ws.query(name, {**CHAT, "n": 2, "temperature": 0})


async def test_fan_out_streams_are_multiplexed_by_choice_index(rig: Rig) -> None:
    name = await rig.endpoint("anthropic", "chat", model="claude@tokens=6", n_strategy="fan_out")
    chunks = [c async for c in rig.ws.stream(name, {**CHAT, "n": 2})]
    texts = {0: "", 1: ""}
    for chunk in chunks:
        for choice in chunk["choices"]:
            texts[choice["index"]] += choice["delta"].get("content") or ""
    assert all(len(t.split()) == 6 for t in texts.values())
    finishes = sorted(c["choices"][0]["index"] for c in chunks if c["choices"] and c["choices"][0].get("finish_reason"))
    assert finishes == [0, 1]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 12


def two_entities(base: str, primary_model: str, *, fallback: bool) -> dict[str, Any]:
    body = endpoint_body(base, "openai", "chat", model=primary_model, name="with-fallback")
    backup = json.loads(json.dumps(body["config"]["served_entities"][0]))
    backup["name"] = "backup"
    backup["external_model"]["provider"] = "anthropic"
    backup["external_model"]["name"] = "claude@tokens=4"
    backup["external_model"].pop("openai_config")
    backup["external_model"]["anthropic_config"] = {
        "anthropic_api_key": "{{secrets/sim/key}}",
        "anthropic_api_base": f"{base}/v1",
    }
    body["config"]["served_entities"].append(backup)
    body["config"]["traffic_config"] = {
        "routes": [
            {"served_entity_name": "primary", "traffic_percentage": 100},
            {"served_entity_name": "backup", "traffic_percentage": 0},
        ]
    }
    if fallback:
        body["ai_gateway"] = {"fallback_config": {"enabled": True}}
    return body


@pytest.mark.parametrize("stream", [False, True])
async def test_fallback_moves_on_after_a_429(rig: Rig, stream: bool) -> None:
    name = await create(rig, two_entities(rig.base, "gpt-4o-mini@fault=429", fallback=True))
    if stream:
        chunks = [c async for c in rig.ws.stream(name, CHAT)]
        model = chunks[0]["model"]
    else:
        model = (await rig.ws.query(name, CHAT))["model"]
    assert model == "claude"
    assert [r.path for r in rig.sim.requests] == ["/v1/chat/completions", "/v1/messages"]
    rows = {r.served_entity: r for r in rig.ws.usage.rows(name)}
    assert rows["primary"].errors == 1 and rows["backup"].errors == 0 and rows["backup"].calls == 1


async def test_without_fallback_the_error_is_returned(rig: Rig) -> None:
    name = await create(rig, two_entities(rig.base, "gpt-4o-mini@fault=429,retry_after=3", fallback=False))
    with pytest.raises(ProviderRateLimited) as caught:
        await rig.ws.query(name, CHAT)
    assert caught.value.retry_after == 3
    assert len(rig.sim.requests) == 1


async def test_fallback_does_not_hide_a_bad_request(rig: Rig) -> None:
    name = await create(rig, two_entities(rig.base, "gpt-4o-mini@fault=400", fallback=True))
    with pytest.raises(Exception, match=r"rejected the request \(400\)"):
        await rig.ws.query(name, CHAT)
    assert len(rig.sim.requests) == 1


async def test_traffic_split_follows_the_weights(rig: Rig) -> None:
    body = two_entities(rig.base, "gpt-4o-mini@tokens=2", fallback=False)
    body["config"]["served_entities"][1]["external_model"]["name"] = "claude@tokens=2"
    body["config"]["traffic_config"]["routes"][0]["traffic_percentage"] = 75
    body["config"]["traffic_config"]["routes"][1]["traffic_percentage"] = 25
    name = await create(rig, body)
    rig.ws.invoker._rng = random.Random(7)
    models = [(await rig.ws.query(name, CHAT))["model"] for _ in range(200)]
    share = models.count("gpt-4o-mini") / len(models)
    assert 0.65 < share < 0.85 and "claude" in models


async def test_bad_requests_are_refused_before_any_call(rig: Rig) -> None:
    chat = await rig.endpoint("openai", "chat")
    embeddings = await rig.endpoint("openai", "embeddings")
    with pytest.raises(InvalidParameterValue, match="a chat endpoint takes 'messages'"):
        await rig.ws.query(chat, {"prompt": "hi"})
    with pytest.raises(InvalidParameterValue, match="temperature"):
        await rig.ws.query(chat, {**CHAT, "temperature": 3})
    with pytest.raises(InvalidParameterValue, match="an embeddings endpoint takes 'input'"):
        await rig.ws.query(embeddings, CHAT)
    with pytest.raises(InvalidParameterValue, match="must be a JSON object"):
        await rig.ws.query(chat, ["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(ResourceDoesNotExist, match="Endpoint 'ghost' does not exist"):
        await rig.ws.query("ghost", CHAT)
    assert rig.sim.requests == []


async def test_a_deleted_secret_is_named_not_shown(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat")
    await rig.ws.delete_secret("sim", "key")
    with pytest.raises(ResourceDoesNotExist, match=r"Secret 'key' does not exist in scope 'sim'"):
        await rig.ws.query(name, CHAT)


async def test_usage_is_recorded_per_entity_and_user(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model="gpt-4o-mini@tokens=5")
    answer = await rig.ws.query(name, CHAT)
    await rig.ws.query(name, CHAT, caller=Caller("bob"))
    rows = {r.user: r for r in rig.ws.usage.rows(name)}
    assert set(rows) == {"tester", "bob"}
    assert rows["tester"].calls == 1 and rows["tester"].prompt_tokens == answer["usage"]["prompt_tokens"]
    assert rows["tester"].completion_tokens == 5 and rows["tester"].served_entity == "primary"
