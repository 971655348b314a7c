"""Every provider x task x (stream, non-stream) through Workspace.query/stream against the simulator.

Each test checks the exact request the provider received (path, auth header, body) and the standard
answer that came back (shape, text, finish reason, usage), and that streaming gives the same text.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.providers.native_wire import EXPECTED as NATIVE_EXPECTED
from tests.providers.rig import Rig
from tests.providers.test_bedrock import converse_request
from tui.simulator.endpoints import CASES, SIM_KEY, model_name

CHAT = {
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "temperature": 0.5,
    "max_tokens": 40,
    "stop": ["\n\n\n"],
}
COMPLETIONS = {"prompt": "Say hi", "temperature": 0.5, "max_tokens": 40}
EMBEDDINGS = {"input": ["alpha", "beta", "alpha"]}
REQUESTS = {"chat": CHAT, "completions": COMPLETIONS, "embeddings": EMBEDDINGS}


def expected_request(flavour: str, task: str, stream: bool) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(path, auth headers, body) the provider must receive for REQUESTS[task]."""
    model = model_name(flavour, task)
    std = dict(REQUESTS[task])
    openai_path = {"chat": "/chat/completions", "completions": "/completions", "embeddings": "/embeddings"}[task]
    streaming = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
    if flavour in ("openai", "custom"):
        return f"/v1{openai_path}", {"authorization": f"Bearer {SIM_KEY}"}, {**std, "model": model, **streaming}
    if flavour == "azure":
        return f"/openai/deployments/{model}{openai_path}", {"api-key": SIM_KEY}, {**std, **streaming}
    if flavour == "azuread":
        return f"/openai/deployments/{model}{openai_path}", {}, {**std, **streaming}
    if flavour == "bedrock":  # SigV4 headers and exact bytes: tests/providers/test_bedrock.py
        return converse_request(task, stream, REQUESTS[task])
    if flavour == "databricks":
        return (
            f"/serving-endpoints/{model}/invocations",
            {"authorization": f"Bearer {SIM_KEY}"},
            {**std, **({"stream": True} if stream else {})},
        )
    if flavour in NATIVE_EXPECTED:
        return NATIVE_EXPECTED[flavour](model, task, std, stream)
    assert flavour == "anthropic"
    body: dict[str, Any] = {"model": model}
    if task == "chat":
        body["system"] = "You are terse."
        body["messages"] = [{"role": "user", "content": "Say hi"}]
    else:
        body["messages"] = [{"role": "user", "content": "Say hi"}]
    body["max_tokens"] = 40
    body["temperature"] = 0.5
    if task == "chat":
        body["stop_sequences"] = ["\n\n\n"]
    if stream:
        body["stream"] = True
    return "/v1/messages", {"x-api-key": SIM_KEY, "anthropic-version": "2023-06-01"}, body


def provider_request(rig: Rig) -> Any:
    calls = [r for r in rig.sim.requests if "/oauth2/" not in r.path]
    assert len(calls) == 1, [r.path for r in rig.sim.requests]
    return calls[0]


def check_request(rig: Rig, flavour: str, task: str, stream: bool) -> None:
    path, auth, body = expected_request(flavour, task, stream)
    seen = provider_request(rig)
    assert seen.method == "POST" and seen.path == path
    for header, value in auth.items():
        assert seen.headers.get(header) == value
    if flavour == "azuread":
        assert (
            seen.headers["authorization"].startswith("Bearer ") and seen.headers["authorization"] != f"Bearer {SIM_KEY}"
        )
    if flavour.startswith("azure"):
        assert seen.query == {"api-version": "2024-10-21"}
    assert seen.body == body


def text_of(answer: dict[str, Any], task: str) -> str:
    choice = answer["choices"][0]
    return choice["message"]["content"] if task == "chat" else choice["text"]


@pytest.mark.parametrize(("flavour", "task"), CASES)
async def test_query(rig: Rig, flavour: str, task: str) -> None:
    name = await rig.endpoint(flavour, task)
    answer = await rig.ws.query(name, REQUESTS[task])
    check_request(rig, flavour, task, stream=False)
    if task == "embeddings":
        assert answer["object"] == "list"
        vectors = [d["embedding"] for d in answer["data"]]
        assert [d["index"] for d in answer["data"]] == [0, 1, 2]
        assert all(math.isclose(math.fsum(v * v for v in vec), 1.0, rel_tol=1e-6) for vec in vectors)
        assert vectors[0] == vectors[2] and vectors[0] != vectors[1]
        assert answer["usage"]["prompt_tokens"] > 0
        return
    assert answer["object"] == ("chat.completion" if task == "chat" else "text_completion")
    assert answer["id"] and isinstance(answer["created"], int) and answer["model"] == model_name(flavour, task)
    assert len(answer["choices"]) == 1 and answer["choices"][0]["index"] == 0
    if task == "chat":
        assert answer["choices"][0]["message"]["role"] == "assistant"
    assert answer["choices"][0]["finish_reason"] == "length"  # the simulated answer is longer than 40 tokens
    usage = answer["usage"]
    assert usage["completion_tokens"] == 40 and usage["total_tokens"] == usage["prompt_tokens"] + 40
    assert text_of(answer, task).strip()
    again = await rig.ws.query(name, REQUESTS[task])
    assert text_of(again, task) == text_of(answer, task)  # deterministic


@pytest.mark.parametrize(("flavour", "task"), [c for c in CASES if c[1] != "embeddings"])
async def test_stream(rig: Rig, flavour: str, task: str) -> None:
    name = await rig.endpoint(flavour, task)
    whole = await rig.ws.query(name, REQUESTS[task])
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, REQUESTS[task])]
    check_request(rig, flavour, task, stream=True)
    object_name = "chat.completion.chunk" if task == "chat" else "text_completion_chunk"
    assert {c["object"] for c in chunks} == {object_name}
    content = [c for c in chunks if c["choices"]]
    if task == "chat":
        assert content[0]["choices"][0]["delta"]["role"] == "assistant"
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in content)
    else:
        text = "".join(c["choices"][0].get("text") or "" for c in content)
    assert text == text_of(whole, task)
    finishes = [c["choices"][0]["finish_reason"] for c in content if c["choices"][0].get("finish_reason")]
    assert finishes == ["length"]
    usage = [c["usage"] for c in chunks if c.get("usage")]
    if flavour == "databricks":  # no stream_options sent, so no usage chunk is asked for
        assert usage in ([], [whole["usage"]])
    else:
        assert usage == [whole["usage"]]


async def test_seed_predict_returns_two_choices(rig: Rig) -> None:
    name = await rig.endpoint("openai", "completions", name="openai-completions")
    answer = await rig.ws.query(name, {"prompt": "What is Databricks?", "temperature": 0.1, "max_tokens": 10, "n": 2})
    assert answer["object"] == "text_completion"
    assert [c["index"] for c in answer["choices"]] == [0, 1]
    assert all(c["finish_reason"] == "length" and c["text"] for c in answer["choices"])
    assert answer["choices"][0]["text"] != answer["choices"][1]["text"]
    assert answer["usage"]["completion_tokens"] == 20
    assert provider_request(rig).body == {
        "prompt": "What is Databricks?",
        "temperature": 0.1,
        "max_tokens": 10,
        "n": 2,
        "model": "gpt-3.5-turbo-instruct",
    }


async def test_entra_token_is_fetched_once_and_cached(rig: Rig) -> None:
    name = await rig.endpoint("azuread", "chat")
    for _ in range(3):
        await rig.ws.query(name, CHAT)
    tokens = [r for r in rig.sim.requests if "/oauth2/" in r.path]
    assert len(tokens) == 1
    assert tokens[0].path == "/tenant-1/oauth2/v2.0/token"


async def test_temperature_is_clamped_to_the_provider_range(rig: Rig) -> None:
    name = await rig.endpoint("anthropic", "chat")
    await rig.ws.query(name, {**CHAT, "temperature": 1.8})
    assert provider_request(rig).body["temperature"] == 1.0
