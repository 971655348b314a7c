"""OpenAI dialect on the wire (raw httpx): shapes, streams, knobs, validation and auth errors."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct

import httpx

from tests.simulator.helpers import KEY, OPENAI, chat, chunk_text, openai_chunks, stream_events
from tui.simulator import Simulator
from tui.simulator.text import count_words, tokenize


async def test_chat_completion_shape_and_usage(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat(content="Tell me about switchboards"), headers=OPENAI)
    assert r.status_code == 200
    assert r.headers["x-simulator"] == "switchboard"
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"].startswith("req_")
    data = r.json()
    assert data["id"].startswith("chatcmpl-sim")
    assert data["object"] == "chat.completion"
    assert isinstance(data["created"], int) and data["created"] > 1_600_000_000
    assert data["model"] == "gpt-4o-mini"
    assert "sim" in data["system_fingerprint"]
    [choice] = data["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert content.startswith("# ") and "```python\n" in content
    usage = data["usage"]
    assert usage["prompt_tokens"] == count_words("Tell me about switchboards") == 4
    assert usage["completion_tokens"] == len(tokenize(content))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


async def test_same_request_twice_gives_the_same_text_streamed_or_not(http: httpx.AsyncClient) -> None:
    body = chat(content="determinism please")
    first = (await http.post("/v1/chat/completions", json=body, headers=OPENAI)).json()
    second = (await http.post("/v1/chat/completions", json=body, headers=OPENAI)).json()
    text = first["choices"][0]["message"]["content"]
    assert text == second["choices"][0]["message"]["content"]
    assert first["id"] != second["id"]
    _, events = await stream_events(http, "/v1/chat/completions", {**body, "stream": True}, OPENAI)
    assert chunk_text(openai_chunks(events)) == text
    other = (await http.post("/v1/chat/completions", json=chat(content="something else"), headers=OPENAI)).json()
    assert other["choices"][0]["message"]["content"] != text


async def test_stream_follows_the_transcript(http: httpx.AsyncClient) -> None:
    response, events = await stream_events(
        http, "/v1/chat/completions", chat("gpt-4o-mini@tokens=3", stream=True), OPENAI
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.headers["x-simulator"] == "switchboard"
    chunks = openai_chunks(events)
    assert len(chunks) == 1 + 3 + 1
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1 and ids.pop().startswith("chatcmpl-sim")
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "gpt-4o-mini" for c in chunks)
    assert all("usage" not in c for c in chunks), "no usage key unless include_usage"
    first, *content, last = chunks
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert first["choices"][0]["finish_reason"] is None
    assert all(set(c["choices"][0]["delta"]) == {"content"} for c in content)
    assert last["choices"][0]["delta"] == {} and last["choices"][0]["finish_reason"] == "stop"


async def test_include_usage_adds_a_usage_chunk_and_null_usage_before(http: httpx.AsyncClient) -> None:
    body = chat("gpt-4o-mini@tokens=4", stream=True, stream_options={"include_usage": True})
    _, events = await stream_events(http, "/v1/chat/completions", body, OPENAI)
    chunks = openai_chunks(events)
    *earlier, usage_chunk = chunks
    assert all(c["usage"] is None for c in earlier)
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["prompt_tokens"] == 2
    assert usage_chunk["usage"]["completion_tokens"] == 4
    assert usage_chunk["usage"]["total_tokens"] == 6


async def test_tokens_knob_gives_exactly_that_many_content_chunks(http: httpx.AsyncClient) -> None:
    _, events = await stream_events(http, "/v1/chat/completions", chat("gpt-4o-mini@tokens=37", stream=True), OPENAI)
    chunks = openai_chunks(events)
    content = [
        c
        for c in chunks
        if c["choices"] and "content" in c["choices"][0]["delta"] and c["choices"][0]["delta"].get("role") is None
    ]
    assert len(content) == 37
    r = await http.post("/v1/chat/completions", json=chat("gpt-4o-mini@tokens=37"), headers=OPENAI)
    assert r.json()["usage"]["completion_tokens"] == 37
    assert len(tokenize(r.json()["choices"][0]["message"]["content"])) == 37


async def test_header_knobs_win_over_the_model_suffix(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/v1/chat/completions", json=chat("gpt-4o-mini@tokens=5"), headers={**OPENAI, "x-sim-tokens": "9"}
    )
    assert r.json()["usage"]["completion_tokens"] == 9
    assert r.json()["model"] == "gpt-4o-mini"


async def test_n_gives_n_different_choices(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat(n=2), headers=OPENAI)
    choices = r.json()["choices"]
    assert [c["index"] for c in choices] == [0, 1]
    assert choices[0]["message"]["content"] != choices[1]["message"]["content"]
    total = sum(len(tokenize(c["message"]["content"])) for c in choices)
    assert r.json()["usage"]["completion_tokens"] == total
    _, events = await stream_events(http, "/v1/chat/completions", chat(n=2, stream=True), OPENAI)
    chunks = openai_chunks(events)
    for i in (0, 1):
        assert chunk_text(chunks, i) == choices[i]["message"]["content"]
        finishes = [c for c in chunks if c["choices"][0]["index"] == i and c["choices"][0]["finish_reason"]]
        assert len(finishes) == 1


async def test_max_tokens_cuts_with_finish_reason_length(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat(max_tokens=5), headers=OPENAI)
    data = r.json()
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] == 5
    _, events = await stream_events(http, "/v1/chat/completions", chat(max_completion_tokens=5, stream=True), OPENAI)
    chunks = openai_chunks(events)
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunk_text(chunks) == data["choices"][0]["message"]["content"]


async def test_stop_sequence_is_honoured(http: httpx.AsyncClient) -> None:
    full = (await http.post("/v1/chat/completions", json=chat(), headers=OPENAI)).json()
    r = await http.post("/v1/chat/completions", json=chat(stop=["\n\n"]), headers=OPENAI)
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == full["choices"][0]["message"]["content"].split("\n\n")[0]


async def test_legacy_completions_default_to_16_tokens(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/completions", json={"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi"}, headers=OPENAI)
    data = r.json()
    assert data["id"].startswith("cmpl-sim") and data["object"] == "text_completion"
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"] == {**data["usage"], "prompt_tokens": 2, "completion_tokens": 16, "total_tokens": 18}
    body = {"model": "gpt-3.5-turbo-instruct@tokens=6", "prompt": ["a b", "c"], "max_tokens": 50, "stream": True}
    _, events = await stream_events(http, "/v1/completions", body, OPENAI)
    chunks = openai_chunks(events)
    assert all(c["object"] == "text_completion" for c in chunks)
    assert sorted({c["choices"][0]["index"] for c in chunks}) == [0, 1]
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"][0]["finish_reason"]] == ["stop"] * 2
    assert sum(1 for c in chunks if c["choices"][0]["text"]) == 12


async def test_embeddings_float_and_base64(http: httpx.AsyncClient) -> None:
    body = {"model": "my-embedder", "input": ["hello world", "hello world", "other"]}
    r = await http.post("/v1/embeddings", json=body, headers=OPENAI)
    data = r.json()
    assert data["object"] == "list" and data["model"] == "my-embedder"
    assert data["usage"] == {"prompt_tokens": 5, "total_tokens": 5}
    vectors = [d["embedding"] for d in data["data"]]
    assert [d["index"] for d in data["data"]] == [0, 1, 2]
    assert all(len(v) == 8 for v in vectors)
    assert all(math.isclose(sum(x * x for x in v), 1.0) for v in vectors)
    assert math.isclose(sum(a * b for a, b in zip(vectors[0], vectors[1], strict=False)), 1.0)
    assert sum(a * b for a, b in zip(vectors[0], vectors[2], strict=False)) < 0.999

    b64 = (await http.post("/v1/embeddings", json={**body, "encoding_format": "base64"}, headers=OPENAI)).json()
    decoded = struct.unpack("<8f", base64.b64decode(b64["data"][0]["embedding"]))
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(decoded, vectors[0], strict=False))

    sized = await http.post("/v1/embeddings", json={**body, "dimensions": 5}, headers=OPENAI)
    assert len(sized.json()["data"][0]["embedding"]) == 5
    knob = await http.post("/v1/embeddings", json={**body, "model": "my-embedder@dim=3"}, headers=OPENAI)
    assert len(knob.json()["data"][0]["embedding"]) == 3 and knob.json()["model"] == "my-embedder"
    real = await http.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "x"}, headers=OPENAI)
    assert len(real.json()["data"][0]["embedding"]) == 1536


async def test_wrong_and_missing_key_get_openai_401s_without_echoing_the_key(http: httpx.AsyncClient) -> None:
    presented = "sk-proj-secret-value-xyz"
    r = await http.post("/v1/chat/completions", json=chat(), headers={"authorization": f"Bearer {presented}"})
    assert r.status_code == 401
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_api_key" and error["param"] is None
    assert error["message"].startswith("Incorrect API key provided: sk-...xyz.")
    assert presented not in r.text
    missing = await http.post("/v1/chat/completions", json=chat())
    assert missing.status_code == 401
    assert missing.json()["error"]["message"].startswith("You didn't provide an API key.")


async def test_required_fields_are_checked(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json={"model": "gpt-4o-mini"}, headers=OPENAI)
    assert r.status_code == 400
    assert r.json()["error"] == {
        "message": "Missing required parameter: 'messages'.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "missing_required_parameter",
    }
    r = await http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}, headers=OPENAI)
    assert r.status_code == 400 and "model" in r.json()["error"]["message"]
    r = await http.post("/v1/chat/completions", json=chat(messages=[{"role": "robot", "content": "x"}]), headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages[0].role"
    r = await http.post("/v1/chat/completions", json=chat(stream_options={"include_usage": True}), headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "stream_options"
    r = await http.post("/v1/chat/completions", json=chat(temperature=3), headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "temperature"
    r = await http.post("/v1/embeddings", json={"model": "e"}, headers=OPENAI)
    assert r.status_code == 400 and r.json()["error"]["param"] == "input"
    r = await http.post(
        "/v1/chat/completions", content=b"{not json", headers={**OPENAI, "content-type": "application/json"}
    )
    assert r.status_code == 400 and "could not parse the JSON body" in r.json()["error"]["message"]


async def test_unknown_knobs_and_bad_values_are_400s_in_openai_shape(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat("gpt-4o-mini@warp=9"), headers=OPENAI)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "Unknown simulator knob 'warp'" in error["message"] and "Known knobs:" in error["message"]
    r = await http.post("/v1/chat/completions", json=chat(), headers={**OPENAI, "x-sim-tps": "lots"})
    assert r.status_code == 400 and "'tps'" in r.json()["error"]["message"]


async def test_unknown_paths_get_plausible_404s(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/nothing-here", json={}, headers=OPENAI)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "Invalid URL (POST /v1/nothing-here)"
    r = await http.get("/v1/chat/completions", headers=OPENAI)
    assert r.status_code == 405 and "error" in r.json()
    r = await http.post("/somewhere/else", json={})
    assert r.status_code == 404 and r.headers["x-simulator"] == "switchboard"
    assert "no route" in r.json()["error"]["message"]
    index = await http.get("/")
    assert index.status_code == 200 and any("/v1/chat/completions" in line for line in index.json()["routes"])


async def test_requests_are_recorded_in_order_and_cleared(sim: Simulator, http: httpx.AsyncClient) -> None:
    await http.post("/v1/chat/completions?trace=1", json=chat(), headers={**OPENAI, "X-Custom": "Yes"})
    await http.post("/v1/embeddings", json={"model": "e", "input": "x"}, headers=OPENAI)
    first, second = sim.requests
    assert (first.method, first.path, first.query) == ("POST", "/v1/chat/completions", {"trace": "1"})
    assert first.headers["x-custom"] == "Yes" and first.headers["authorization"] == f"Bearer {KEY}"
    assert first.body == chat()
    assert second.path == "/v1/embeddings" and second.body == {"model": "e", "input": "x"}
    sim.clear()
    assert sim.requests == []


async def test_openai_compatible_clients_reuse_one_keep_alive_connection(sim: Simulator) -> None:
    transport = httpx.AsyncHTTPTransport()
    async with httpx.AsyncClient(base_url=sim.base_url, transport=transport) as client:
        for _ in range(3):
            r = await client.post("/v1/chat/completions", json=chat("m@tokens=2", stream=True), headers=OPENAI)
            assert r.status_code == 200 and r.text.endswith("data: [DONE]\n\n")
        assert len(sim._conns) == 1
    body = json.dumps(chat()).encode()
    raw_request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sim.base_url.rsplit(":", 1)[1]))
    writer.write(raw_request)
    answer = await asyncio.wait_for(reader.read(), 5)  # connection: close → server closes after the answer
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nconnection: close\r\n" in answer
