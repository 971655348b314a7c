"""Testing an endpoint (tui.manage.probe) against the loopback simulator: every flavour answers, and each
way it can fail (wrong key, provider error, nobody listening, no answer in time, missing secret) is a
result with the provider's words, never an exception."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.demo_app import quick_settings
from tests.security.hostile import RAW_SEQUENCES, hostile_server
from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed
from tui.manage.probe import ProbeResult, probe_endpoint
from tui.simulator import Simulator
from tui.simulator.endpoints import CASES, SIM_KEY, endpoint_body
from tui.workspace.factory import open_workspace
from tui.workspace.protocol import Workspace


@pytest.fixture
async def ws(tmp_path: Path) -> AsyncIterator[Workspace]:
    """A workspace whose secret ``sim/key`` holds the simulator's key; provider reads time out in 1 s."""
    workspace = open_workspace(tmp_path / "probe.db", user="tester", settings=quick_settings(read=1.0, idle=1.0))
    await workspace.create_scope("sim")
    await workspace.put_secret("sim", "key", SIM_KEY.encode())
    yield workspace
    await workspace.aclose()


async def endpoint(ws: Workspace, base: str, flavour: str = "openai", task: str = "chat", **kw: Any) -> Any:
    body = endpoint_body(base, flavour, task, **kw)
    return await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


@pytest.mark.parametrize(("flavour", "task"), CASES)
async def test_every_flavour_answers_ok_with_one_ping_token(
    ws: Workspace, simulator: Simulator, flavour: str, task: str
) -> None:
    result = await probe_endpoint(ws, await endpoint(ws, simulator.base_url, flavour, task))
    assert result.ok, result
    assert result.status == "OK · 200"
    assert 0 < result.latency_s < 5
    assert "answered" in result.message
    sent = [r.body for r in simulator.requests if r.body and "oauth2" not in r.path][-1]
    assert sent is not None
    if task == "embeddings":
        assert (sent.get("input") or sent.get("texts")) in ("ping", ["ping"]) and "max_tokens" not in sent
        assert "dimensions" in result.message
    else:
        assert 1 in (sent.get("max_tokens"), sent.get("inferenceConfig", {}).get("maxTokens"))  # Bedrock's place
        assert "ping" in str(sent.get("messages") or sent.get("prompt"))
        assert "stream" not in sent or sent["stream"] is False


async def test_a_wrong_key_shows_the_status_and_the_providers_words(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url)
    await ws.put_secret("sim", "key", b"sk-wrong-key-canary-1234567890")
    result = await probe_endpoint(ws, created)
    assert not result.ok
    assert result.status == "PERMISSION_DENIED · 401"
    assert "401" in result.message and "key" in result.message.lower()
    assert "sk-wrong-key-canary-1234567890" not in result.message, "the workspace redacts the key"
    assert "PERMISSION_DENIED · 401 · " in result.summary


async def test_a_provider_failure_is_a_result(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url, model="gpt-4o-mini@fault=500")
    result = await probe_endpoint(ws, created)
    assert not result.ok
    assert result.status.endswith("· 500")
    assert "500" in result.message


async def test_nobody_listening_says_unreachable(ws: Workspace) -> None:
    created = await endpoint(ws, "http://127.0.0.1:1")
    result = await probe_endpoint(ws, created)
    assert (result.ok, result.status) == (False, "TEMPORARILY_UNAVAILABLE")
    assert result.message


async def test_a_provider_that_never_answers_times_out(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url, model="gpt-4o-mini@fault=slow_headers,stall_s=5")
    result = await probe_endpoint(ws, created)  # the workspace's 1 s read timeout
    assert (result.ok, result.status) == (False, "DEADLINE_EXCEEDED")
    assert 0.5 < result.latency_s < 4


async def test_the_probe_has_its_own_deadline(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url, model="gpt-4o-mini@fault=slow_headers,stall_s=5")
    result = await probe_endpoint(ws, created, timeout=0.2)
    assert result == ProbeResult(False, "DEADLINE_EXCEEDED", result.latency_s, "No answer in 0.2 s")


async def test_a_missing_secret_names_it(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url)
    await ws.delete_secret("sim", "key")
    result = await probe_endpoint(ws, created)
    assert not result.ok and result.status == "RESOURCE_DOES_NOT_EXIST"
    assert "sim" in result.message and "key" in result.message
    assert not simulator.requests, "nothing is sent without a key"


async def test_an_endpoint_without_an_external_model_is_not_sent(ws: Workspace) -> None:
    bare = parse_stored(ServingEndpointDetailed, {"name": "bare"})
    result = await probe_endpoint(ws, bare)
    assert not result.ok and result.status == "INVALID_PARAMETER_VALUE"


async def test_an_endpoint_deleted_meanwhile_is_a_result(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url)
    await ws.delete_endpoint(created.name)
    result = await probe_endpoint(ws, created)
    assert (result.ok, result.status) == (False, "RESOURCE_DOES_NOT_EXIST")


async def test_cancelling_the_caller_cancels_the_request(ws: Workspace, simulator: Simulator) -> None:
    created = await endpoint(ws, simulator.base_url, model="gpt-4o-mini@fault=slow_headers,stall_s=5")
    task = asyncio.ensure_future(probe_endpoint(ws, created))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_hostile_answer_text_is_made_printable(ws: Workspace) -> None:
    with hostile_server() as server:
        created = await endpoint(ws, server.base("escape400"))
        result = await probe_endpoint(ws, created)
    assert not result.ok
    assert not any(raw in result.message for raw in RAW_SEQUENCES)
    assert "␛[2J" in result.message, "the escape is shown, not run"
