"""What the OpenAI-shaped providers share (OpenAI, Azure OpenAI, Databricks, OpenAI-compatible servers):
the request body, response normalisation and the ``data: {...}`` / ``data: [DONE]`` stream.

:class:`OpenAICompatible` is their base: a subclass only says where to send and how to authenticate.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.errors import ProviderError, ProviderProtocolError, StreamInterrupted
from tui.domain.provider_wire import openai_base
from tui.domain.schemas import content_text
from tui.providers.base import Call, Chunk, Provider, StreamMapper, new_id
from tui.providers.stream_json import event_object
from tui.transport.errors import error_from_stream_event
from tui.transport.messages import HttpRequest
from tui.transport.sse import SseEvent

_OBJECTS = {TASK_CHAT: "chat.completion", TASK_COMPLETIONS: "text_completion"}
_CHUNK_OBJECTS = {TASK_CHAT: "chat.completion.chunk", TASK_COMPLETIONS: "text_completion_chunk"}
_UNKNOWN_FIELD = re.compile(
    r"(unrecogni[sz]ed|unknown|unexpected|extra)\s+(request\s+)?(field|argument|parameter|key|input|propert)"
)
"""Matches "Unrecognized request argument supplied" (Azure, proxies) and "Extra inputs are not permitted"
(pydantic's wording, vLLM)."""


def openai_body(provider: Provider, call: Call, *, with_model: bool, stream_usage: bool = True) -> dict[str, Any]:
    """The standard request as an OpenAI-style body (``extra_params`` merged in)."""
    body = {k: v for k, v in call.request.items() if k not in ("stream", "extra_params")}
    body.update(call.request.get("extra_params") or {})
    if with_model:
        body["model"] = call.model
    provider.clamp_temperature(body)
    if call.stream:
        body["stream"] = True
        if stream_usage:
            body.setdefault("stream_options", {"include_usage": True})
    return body


def without_stream_options(http: HttpRequest) -> HttpRequest | None:
    """The same request without ``stream_options``; None when it has none to drop."""
    body = http.json
    if not isinstance(body, dict) or "stream_options" not in body:
        return None
    return replace(http, json={k: v for k, v in body.items() if k != "stream_options"})


def rejects_stream_options(err: ProviderError) -> bool:
    """Whether a 400/422 looks like a server refusing ``stream_options`` (some vLLM and llama.cpp versions,
    older proxies, Azure's older API versions): its message names the field or an unknown field."""
    if err.provider_status not in (400, 422):
        return False
    message = err.message.lower()
    return "stream_options" in message or _UNKNOWN_FIELD.search(message) is not None


def normalize_response(call: Call, body: Any, label: str) -> dict[str, Any]:
    """Fill what some OpenAI-compatible servers leave out; keep what they add."""
    if not isinstance(body, dict):
        raise ProviderProtocolError(f"{label} answered with JSON that is not an object", provider=label)
    out = dict(body)
    if call.task == TASK_EMBEDDINGS:
        if not isinstance(out.get("data"), list):
            raise ProviderProtocolError(f"{label} answered without 'data' embeddings", provider=label)
        out.setdefault("object", "list")
        out.setdefault("model", call.model)
        return out
    if not isinstance(out.get("choices"), list):
        raise ProviderProtocolError(f"{label} answered without 'choices'", provider=label)
    out.setdefault("id", new_id("chatcmpl-" if call.task == TASK_CHAT else "cmpl-"))
    out["object"] = out.get("object") or _OBJECTS[call.task]
    out.setdefault("created", call.created)
    out["model"] = out.get("model") or call.model
    if call.task == TASK_CHAT:
        choices = []
        for i, choice in enumerate(out["choices"]):
            message = dict(choice.get("message") or {})
            message.setdefault("role", "assistant")
            if isinstance(message.get("content"), list):
                message["content"] = content_text(message["content"])
            choices.append({**choice, "index": choice.get("index", i), "message": message})
        out["choices"] = choices
    return out


class OpenAICompatible(Provider):
    """A provider whose answers and stream are OpenAI's: parsing and stream mapping are shared."""

    def base_url(self, call: Call) -> str:
        return openai_base(call.config.api_base())

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        return normalize_response(call, body, self.label)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return OpenAIStreamMapper(call, self.label)


class OpenAIStreamMapper:
    """OpenAI chunks are already standard: check, fill gaps, drop Azure's prompt-filter preamble."""

    def __init__(self, call: Call, label: str) -> None:
        self.call = call
        self.label = label
        self.done = False
        self.chunk_object = _CHUNK_OBJECTS.get(call.task, "chat.completion.chunk")
        self.id = new_id("chatcmpl-")

    def feed(self, event: SseEvent) -> list[Chunk]:
        data = event.data
        if data == "[DONE]":
            self.done = True
            return []
        chunk = event_object(data, self.label, "stream chunk")
        if "error" in chunk:
            raise error_from_stream_event(self.label, chunk)
        if not chunk.get("choices") and chunk.get("usage") is None:
            return []  # Azure's prompt_filter_results preamble, keep-alive objects
        chunk["id"] = chunk.get("id") or self.id
        chunk["object"] = self.chunk_object  # OpenAI says "text_completion"; the standard says "..._chunk"
        chunk["created"] = chunk.get("created") or self.call.created
        chunk["model"] = chunk.get("model") or self.call.model
        return [chunk]

    def finish(self) -> list[Chunk]:
        if not self.done:
            raise StreamInterrupted(
                f"The {self.label} stream ended without its end marker ([DONE]); the answer may be incomplete",
                provider=self.label,
            )
        return []
