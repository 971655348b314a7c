"""The AI21 and Mistral dialects on the wire (raw httpx): OpenAI-shaped chat with usage on the last stream
chunk, AI21 without the object/created/model envelope, each provider's error bodies and refused fields."""

from __future__ import annotations

import httpx
import pytest

from tests.simulator.helpers import KEY, chunk_text, openai_chunks, stream_events

BEARER = {"authorization": f"Bearer {KEY}"}
AI21 = "/studio/v1/chat/completions"
MISTRAL = "/mistral/v1/chat/completions"


def chat(model: str, **extra: object) -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": "Say hi"}], **extra}


@pytest.mark.parametrize(("path", "model", "envelope"), [(AI21, "jamba-mini", False), (MISTRAL, "mistral-small", True)])
async def test_chat_answers_in_openai_shape(http: httpx.AsyncClient, path: str, model: str, envelope: bool) -> None:
    data = (await http.post(path, json=chat(model, max_tokens=5), headers=BEARER)).json()
    assert ("object" in data) is envelope and ("model" in data) is envelope and ("created" in data) is envelope
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] == 5


@pytest.mark.parametrize(("path", "model"), [(AI21, "jamba-mini"), (MISTRAL, "mistral-small")])
async def test_stream_carries_usage_on_the_finishing_chunk(http: httpx.AsyncClient, path: str, model: str) -> None:
    r, events = await stream_events(http, path, chat(model, max_tokens=4, stream=True), BEARER)
    chunks = openai_chunks(events)
    assert r.status_code == 200
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert [("usage" in c) for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == 4 and chunk_text(chunks)


async def test_n_streams_interleave_and_usage_covers_all(http: httpx.AsyncClient) -> None:
    _, events = await stream_events(http, AI21, chat("jamba-mini", max_tokens=2, n=2, stream=True), BEARER)
    chunks = openai_chunks(events)
    assert chunk_text(chunks, 0) != chunk_text(chunks, 1)
    assert chunks[-1]["usage"]["completion_tokens"] == 4


@pytest.mark.parametrize(
    ("path", "body", "status", "expected"),
    [
        (
            AI21,
            chat("jamba-mini", stream_options={"include_usage": True}),
            422,
            {"detail": "Extra inputs are not permitted: body.stream_options"},
        ),
        (AI21, chat("jamba-mini", n=17), 400, None),
        (MISTRAL, chat("mistral-small", seed=1), 422, None),
        ("/mistral/v1/completions", chat("mistral-small"), 404, None),
    ],
)
async def test_refusals(
    http: httpx.AsyncClient, path: str, body: dict[str, object], status: int, expected: object
) -> None:
    r = await http.post(path, json=body, headers=BEARER)
    assert r.status_code == status
    if expected is not None:
        assert r.json() == expected
    if path.startswith("/mistral") and status != 404:
        assert r.json()["object"] == "error" and "seed" in r.json()["message"]


async def test_bad_keys(http: httpx.AsyncClient) -> None:
    wrong = {"authorization": "Bearer nope"}
    r = await http.post(AI21, json=chat("jamba-mini"), headers=wrong)
    assert r.status_code == 401 and r.json() == {"detail": "Forbidden: Bad or missing API token."}
    r = await http.post(MISTRAL, json=chat("mistral-small"), headers=wrong)
    assert r.status_code == 401 and r.json()["message"] == "Unauthorized" and r.json()["request_id"]


async def test_mistral_embeddings_take_output_dimension(http: httpx.AsyncClient) -> None:
    body = {"model": "mistral-embed", "input": ["a", "b"], "output_dimension": 5}
    data = (await http.post("/mistral/v1/embeddings", json=body, headers=BEARER)).json()
    assert [len(d["embedding"]) for d in data["data"]] == [5, 5] and data["usage"]["prompt_tokens"] == 2


async def test_mistral_mid_stream_error_is_a_finish_reason(http: httpx.AsyncClient) -> None:
    body = chat("mistral-small@fault=error_event,cut_after=2,tokens=6", stream=True)
    _, events = await stream_events(http, MISTRAL, body, BEARER)
    assert events[-1][1] != "[DONE]" and '"finish_reason":"error"' in events[-1][1]
