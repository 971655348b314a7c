"""What Cohere, AI21 and Mistral must receive for the shared end-to-end requests (providers.md §7-§9):
``(path, auth headers, body)`` by flavour, for ``tests/providers/test_end_to_end.py``'s ``expected_request``;
and what AI21 and Mistral, which share a wire, must answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.providers.rig import Rig
from tui.simulator.endpoints import SIM_KEY
from tui.simulator.text import count_words, tokenize

WORKED = {
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "temperature": 0.5,
    "max_tokens": 16,
    "stop": ["\n\n"],
}
"""The spec's worked chat request for Cohere, AI21 and Mistral."""
PROMPT_TOKENS = count_words("You are terse.") + count_words("Say hi")
"""What the simulator counts for the worked request's prompt."""

Expected = tuple[str, dict[str, str], dict[str, Any]]
BEARER = {"authorization": f"Bearer {SIM_KEY}"}


def _as_chat(model: str, std: dict[str, Any]) -> dict[str, Any]:
    """A completions request as the one-user-message chat request AI21 and Mistral get."""
    body = {k: v for k, v in std.items() if k != "prompt"}
    return {"model": model, "messages": [{"role": "user", "content": std["prompt"]}], **body}


def cohere(model: str, task: str, std: dict[str, Any], stream: bool) -> Expected:
    if task == "embeddings":
        body = {"model": model, "texts": std["input"], "input_type": "search_document", "embedding_types": ["float"]}
        return "/v2/embed", BEARER, body
    renamed = {"stop_sequences" if k == "stop" else k: v for k, v in std.items() if k != "prompt"}
    messages = std.get("messages") or [{"role": "user", "content": std.get("prompt")}]
    body = {"model": model, **renamed, "messages": messages, **({"stream": True} if stream else {})}
    return "/v2/chat", BEARER, body


def ai21(model: str, task: str, std: dict[str, Any], stream: bool) -> Expected:
    body = _as_chat(model, std) if task == "completions" else {**std, "model": model}
    return "/studio/v1/chat/completions", BEARER, {**body, **({"stream": True} if stream else {})}


def mistral(model: str, task: str, std: dict[str, Any], stream: bool) -> Expected:
    if task == "embeddings":
        return "/mistral/v1/embeddings", BEARER, {**std, "model": model}
    body = _as_chat(model, std) if task == "completions" else {**std, "model": model}
    return "/mistral/v1/chat/completions", BEARER, {**body, **({"stream": True} if stream else {})}


EXPECTED: dict[str, Callable[[str, str, dict[str, Any], bool], Expected]] = {
    "cohere": cohere,
    "ai21": ai21,
    "mistral": mistral,
}


def standard_chat_answer(answer: dict[str, Any], model: str) -> dict[str, Any]:
    """The standard chat answer ``answer`` must be for the worked request: its own id, time and text."""
    text = answer["choices"][0]["message"]["content"]
    n = len(tokenize(text))
    return {
        "id": answer["id"],
        "object": "chat.completion",
        "created": answer["created"],
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "tool_calls": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": n, "total_tokens": PROMPT_TOKENS + n},
    }


async def assert_stream_splits_usage_off_the_last_chunk(rig: Rig, name: str, model: str) -> None:
    """A stream of the worked request on endpoint ``name`` (AI21 and Mistral put usage in the last chunk):
    sent without ``stream_options``, the same text as the answer, and usage as a standard chunk of its own."""
    whole = await rig.ws.query(name, WORKED)
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, WORKED)]
    assert rig.only_request().body == {**WORKED, "model": model, "stream": True}  # no stream_options
    first = chunks[0]
    common = {"id": first["id"], "object": "chat.completion.chunk", "created": first["created"], "model": model}
    tokens = [c["choices"][0]["delta"]["content"] for c in chunks[1:-2]]
    assert "".join(tokens) == whole["choices"][0]["message"]["content"]
    assert chunks == [
        {**common, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
        *({**common, "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]} for t in tokens),
        {**common, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}]},
        {**common, "choices": [], "usage": whole["usage"]},
    ]
