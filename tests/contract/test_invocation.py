"""Query and stream through the workspace to the loopback simulator, and the errors on the way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.sim import create_request
from tui.domain.errors import InvalidParameterValue, RequestLimitExceeded, ResourceDoesNotExist
from tui.domain.gateway import RateLimit
from tui.simulator import Simulator
from tui.workspace.protocol import Workspace

CHAT: dict[str, Any] = {"messages": [{"role": "user", "content": "Say hello"}], "max_tokens": 20}


async def test_query_chat_returns_the_standard_response(sim_ws: Workspace, chat: str) -> None:
    answer = await sim_ws.query(chat, CHAT)
    assert answer["object"] == "chat.completion"
    [choice] = answer["choices"]
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    assert answer["usage"]["completion_tokens"] > 0


async def test_stream_yields_chunks_that_add_up_to_the_answer(sim_ws: Workspace, chat: str) -> None:
    chunks = [chunk async for chunk in sim_ws.stream(chat, {**CHAT, "stream": True})]
    assert chunks and all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == (await sim_ws.query(chat, CHAT))["choices"][0]["message"]["content"]


async def test_completions_and_embeddings(sim_ws: Workspace, simulator: Simulator) -> None:
    await sim_ws.create_endpoint(create_request("complete", simulator.base_url, "llm/v1/completions"))
    await sim_ws.create_endpoint(create_request("embed", simulator.base_url, "llm/v1/embeddings"))
    completion = await sim_ws.query("complete", {"prompt": "Once upon", "max_tokens": 10})
    assert completion["choices"][0]["text"]
    embeddings = await sim_ws.query("embed", {"input": ["one", "two"]})
    assert [d["index"] for d in embeddings["data"]] == [0, 1]
    assert all(isinstance(x, float) for x in embeddings["data"][0]["embedding"])


async def test_invocation_errors_carry_their_codes(sim_ws: Workspace, chat: str) -> None:
    with pytest.raises(ResourceDoesNotExist) as missing:
        await sim_ws.query("ghost", CHAT)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(ResourceDoesNotExist):
        async for _ in sim_ws.stream("ghost", {**CHAT, "stream": True}):
            pass
    with pytest.raises(InvalidParameterValue) as invalid:
        await sim_ws.query(chat, {"messages": "not a list"})
    assert invalid.value.error_code == "INVALID_PARAMETER_VALUE"


async def test_exceeding_a_rate_limit_is_request_limit_exceeded(sim_ws: Workspace, chat: str) -> None:
    await sim_ws.put_rate_limits(chat, [RateLimit(calls=1, key="user")])
    await sim_ws.query(chat, CHAT)
    with pytest.raises(RequestLimitExceeded) as refused:
        await sim_ws.query(chat, CHAT)
    assert refused.value.error_code == "REQUEST_LIMIT_EXCEEDED" and refused.value.http_status == 429
    with pytest.raises(RequestLimitExceeded):
        async for _ in sim_ws.stream(chat, {**CHAT, "stream": True}):
            pass
