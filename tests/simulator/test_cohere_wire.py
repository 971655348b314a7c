"""The Cohere v2 dialect on the wire (raw httpx): chat, the named stream events in the spec's order,
embed, ``{"id", "message"}`` errors, unknown fields refused, 498/499 faults."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from tests.simulator.helpers import KEY, stream_events
from tui.simulator.text import tokenize

BEARER = {"authorization": f"Bearer {KEY}"}
CHAT = {"model": "command-r-plus-08-2024", "messages": [{"role": "user", "content": "Say hi"}]}


async def test_chat_answer_has_content_blocks_and_two_usage_counts(http: httpx.AsyncClient) -> None:
    body = {**CHAT, "messages": [{"role": "system", "content": "Be terse."}, *CHAT["messages"]], "max_tokens": 7}
    r = await http.post("/v2/chat", json=body, headers=BEARER)
    assert r.status_code == 200 and r.headers["x-simulator"] == "switchboard"
    data = r.json()
    assert set(data) == {"id", "message", "finish_reason", "usage"}
    assert data["finish_reason"] == "MAX_TOKENS"
    assert data["message"]["role"] == "assistant" and data["message"]["content"][0]["type"] == "text"
    assert len(tokenize(data["message"]["content"][0]["text"])) == 7
    assert data["usage"] == {
        "billed_units": {"input_tokens": 2, "output_tokens": 7},
        "tokens": {"input_tokens": 4, "output_tokens": 7},
    }


async def test_stream_is_named_events_from_message_start_to_message_end(http: httpx.AsyncClient) -> None:
    r, events = await stream_events(http, "/v2/chat", {**CHAT, "stream": True, "max_tokens": 3}, BEARER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    names = [name for name, _ in events]
    assert names == ["message-start", "content-start", *["content-delta"] * 3, "content-end", "message-end"]
    payloads = [json.loads(data) for _, data in events]
    assert all(p["type"] == name for p, name in zip(payloads, names, strict=True))
    assert payloads[0]["id"] and payloads[0]["delta"]["message"]["role"] == "assistant"
    assert payloads[1]["delta"]["message"]["content"] == {"type": "text", "text": ""}
    assert payloads[-1]["delta"] == {
        "finish_reason": "MAX_TOKENS",
        "usage": {
            "billed_units": {"input_tokens": 2, "output_tokens": 3},
            "tokens": {"input_tokens": 2, "output_tokens": 3},
        },
    }
    assert not any(data == "[DONE]" for _, data in events)


async def test_embed_answers_embeddings_by_type(http: httpx.AsyncClient) -> None:
    body = {"model": "embed-english-v3.0", "texts": ["a b", "c"], "input_type": "search_query", "output_dimension": 6}
    data = (await http.post("/v2/embed", json=body, headers=BEARER)).json()
    assert data["response_type"] == "embeddings_by_type" and data["texts"] == ["a b", "c"]
    assert data["meta"] == {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 3}}
    vectors = data["embeddings"]["float"]
    assert [len(v) for v in vectors] == [6, 6]
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-6) for v in vectors)


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/v2/chat", {**CHAT, "stop": ["x"]}, 400, "unknown field: parameter stop is not a valid field"),
        ("/v2/chat", {**CHAT, "top_p": 0.5}, 400, "parameter top_p is not a valid field"),
        ("/v2/chat", {"messages": CHAT["messages"]}, 400, "model must be provided"),
        ("/v2/embed", {"model": "embed-english-v3.0", "texts": ["a"]}, 400, "valid input_type must be provided"),
        ("/v2/nothing", CHAT, 404, "404 page not found"),
    ],
)
async def test_errors_are_id_and_message(
    http: httpx.AsyncClient, path: str, body: dict[str, object], status: int, words: str
) -> None:
    r = await http.post(path, json=body, headers=BEARER)
    assert r.status_code == status
    data = r.json()
    assert set(data) == {"id", "message"} and words in data["message"]


async def test_keys_are_checked(http: httpx.AsyncClient) -> None:
    assert (await http.post("/v2/chat", json=CHAT)).json()["message"] == "no api key supplied"
    r = await http.post("/v2/chat", json=CHAT, headers={"authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["message"] == "invalid api token"


@pytest.mark.parametrize(("fault", "status"), [("498", 498), ("499", 499), ("429", 429)])
async def test_cohere_statuses_can_be_injected(http: httpx.AsyncClient, fault: str, status: int) -> None:
    r = await http.post("/v2/chat", json={**CHAT, "model": f"command-r@fault={fault},retry_after=3"}, headers=BEARER)
    assert r.status_code == status and r.json()["message"]
    assert (r.headers.get("retry-after") == "3") is (status == 429)
