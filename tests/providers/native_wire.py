"""What Cohere, AI21 and Mistral must receive for the shared end-to-end requests (providers.md §7-§9):
``(path, auth headers, body)`` by flavour, for ``tests/providers/test_end_to_end.py``'s ``expected_request``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.simulator.endpoints import SIM_KEY
from tui.simulator.text import count_words

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
