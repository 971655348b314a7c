"""Cohere v2: ``POST {base}/v2/chat`` and ``POST {base}/v2/embed`` with a bearer key (providers.md §7).

Chat renames ``top_p``/``top_k``/``stop`` to ``p``/``k``/``stop_sequences`` and ``tool_choice`` to Cohere's
upper-case values; completions are sent as one user message. Answers hold content blocks and two usage
counts: ``usage.tokens`` (everything the model read, what is reported) and ``billed_units``. The stream is
named events (``message-start`` ... ``message-end``); a finish reason of ``ERROR`` or ``TIMEOUT`` is raised as
an error. ``cohere_api_base`` is accepted as the SDK documents it (``https://api.cohere.com``) or with a
version path (MLflow's ``https://api.cohere.ai/v1``), which is dropped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderError,
    ProviderProtocolError,
    ProviderTimeout,
    StreamInterrupted,
)
from tui.domain.schemas import content_text
from tui.providers.base import (
    Call,
    Chunk,
    Provider,
    StreamMapper,
    credential,
    embedding_texts,
    embeddings_answer,
    prompt_text,
    stop_list,
)
from tui.providers.stream_json import event_object
from tui.transport.messages import HttpRequest
from tui.transport.sse import SseEvent

COHERE_BASE = "https://api.cohere.com"
LABEL = "Cohere"
FINISH_REASONS = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length", "TOOL_CALL": "tool_calls"}
_PASSED_THROUGH = ("temperature", "max_tokens", "seed", "frequency_penalty", "presence_penalty", "response_format")
_RENAMES = {"top_p": "p", "top_k": "k"}
_TOOL_CHOICES = {"required": "REQUIRED", "none": "NONE"}
DEFAULT_INPUT_TYPE = "search_document"


def finish_reason(value: Any, where: str) -> str | None:
    """The standard finish reason; Cohere's ``ERROR`` and ``TIMEOUT`` raise (the answer is incomplete)."""
    if value in ("ERROR", "TIMEOUT"):
        kind = ProviderTimeout if value == "TIMEOUT" else ProviderError
        raise kind(f"Cohere stopped the answer with finish_reason {value}{where}; it is incomplete", provider=LABEL)
    return FINISH_REASONS.get(value, "stop") if value else None


def _messages(request: dict[str, Any], task: str) -> list[dict[str, Any]]:
    if task == TASK_COMPLETIONS:
        return [{"role": "user", "content": prompt_text(request)}]
    out: list[dict[str, Any]] = []
    for message in request.get("messages", []):
        role = "system" if message.get("role") == "developer" else message.get("role")
        converted: dict[str, Any] = {"role": role}
        if role == "tool":
            converted["tool_call_id"] = message.get("tool_call_id")
        text = content_text(message.get("content"))
        if role != "assistant" or text or not message.get("tool_calls"):
            converted["content"] = text
        if role == "assistant" and message.get("tool_calls"):
            converted["tool_calls"] = message["tool_calls"]
        out.append(converted)
    return out


def _usage(usage: Any) -> dict[str, int]:
    """Standard usage from ``tokens`` (all the model read), each count falling back to ``billed_units``."""
    usage = usage if isinstance(usage, dict) else {}
    tokens, billed = usage.get("tokens") or {}, usage.get("billed_units") or {}
    prompt, completion = (int(tokens.get(key) or billed.get(key) or 0) for key in ("input_tokens", "output_tokens"))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class CohereProvider(Provider):
    name: ClassVar[str] = "cohere"
    label: ClassVar[str] = LABEL
    native_n: ClassVar[bool] = False
    default_base: ClassVar[str] = COHERE_BASE

    def base_url(self, call: Call) -> str:
        base = super().base_url(call)
        return base[:-3] if base.endswith(("/v1", "/v2")) else base

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        headers = {"authorization": f"Bearer {credential(call.config, 'cohere_api_key')}"}
        if call.task == TASK_EMBEDDINGS:
            return HttpRequest("POST", self.base_url(call) + "/v2/embed", headers, self._embed_body(call))
        request = call.request
        body: dict[str, Any] = {"model": call.model, "messages": _messages(request, call.task)}
        for key in _PASSED_THROUGH:
            if request.get(key) is not None:
                body[key] = request[key]
        for key, native in _RENAMES.items():
            if request.get(key) is not None:
                body[native] = request[key]
        if stops := stop_list(request):
            body["stop_sequences"] = stops
        if request.get("tools"):
            body["tools"] = request["tools"]
        choice = request.get("tool_choice")
        if choice is not None and choice != "auto":
            if not isinstance(choice, str) or choice not in _TOOL_CHOICES:
                raise InvalidParameterValue("Cohere's tool_choice can only be 'auto', 'required' or 'none'")
            body["tool_choice"] = _TOOL_CHOICES[choice]
        body.update(request.get("extra_params") or {})
        self.clamp_temperature(body)
        if call.stream:
            body["stream"] = True
        return HttpRequest("POST", self.base_url(call) + "/v2/chat", headers, body)

    def _embed_body(self, call: Call) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": call.model,
            "texts": embedding_texts(call, LABEL),
            "input_type": DEFAULT_INPUT_TYPE,
            "embedding_types": ["float"],
        }
        if call.request.get("dimensions") is not None:
            body["output_dimension"] = call.request["dimensions"]
        body.update(call.request.get("extra_params") or {})
        return body

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ProviderProtocolError("Cohere answered with JSON that is not an object", provider=LABEL)
        if call.task == TASK_EMBEDDINGS:
            return self._parse_embeddings(call, body)
        message = body.get("message")
        if not isinstance(message, dict):
            raise ProviderProtocolError("Cohere answered without a 'message'", provider=LABEL)
        content = message.get("content") or []
        text = "".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
        common = {
            "id": body.get("id"),
            "created": call.created,
            "model": call.model,
            "usage": _usage(body.get("usage")),
        }
        reason = finish_reason(body.get("finish_reason"), "")
        if call.task == TASK_COMPLETIONS:
            choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": reason}
            return {**common, "object": "text_completion", "choices": [choice]}
        answer: dict[str, Any] = {"role": "assistant", "content": text}
        if message.get("tool_calls"):
            answer["tool_calls"] = [
                {"id": t.get("id"), "type": "function", "function": t.get("function") or {}}
                for t in message["tool_calls"]
            ]
        choice = {"index": 0, "message": answer, "finish_reason": reason}
        return {**common, "object": "chat.completion", "choices": [choice]}

    def _parse_embeddings(self, call: Call, body: dict[str, Any]) -> dict[str, Any]:
        embeddings = body.get("embeddings")
        vectors = embeddings.get("float") if isinstance(embeddings, dict) else embeddings
        if not isinstance(vectors, list):
            raise ProviderProtocolError("Cohere answered without float embeddings", provider=LABEL)
        tokens = int(((body.get("meta") or {}).get("billed_units") or {}).get("input_tokens") or 0)
        return embeddings_answer(call, vectors, tokens)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return CohereStreamMapper(call)


class CohereStreamMapper:
    """message-start -> role chunk; content-delta -> content; tool-call-* -> tool_calls; message-end -> finish
    and usage, the end of the stream."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.chat = call.task == TASK_CHAT
        self.id = ""
        self.done = False
        self.tool_index = -1

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None = None) -> Chunk:
        if delta is None:
            choices: list[dict[str, Any]] = []
        elif self.chat:
            choices = [{"index": 0, "delta": delta, "finish_reason": finish}]
        else:
            choices = [{"index": 0, "text": delta.get("content", ""), "finish_reason": finish}]
        return {
            "id": self.id,
            "object": "chat.completion.chunk" if self.chat else "text_completion_chunk",
            "created": self.call.created,
            "model": self.call.model,
            "choices": choices,
        }

    def feed(self, event: SseEvent) -> list[Chunk]:
        if event.data == "[DONE]":  # not sent by v2, skipped by the SDK if it ever is
            return []
        data = event_object(event.data, LABEL, "stream event")
        kind = data.get("type") or event.event
        message = ((data.get("delta") or {}).get("message")) or {}
        if kind == "content-delta":
            return [self._chunk({"content": (message.get("content") or {}).get("text", "")})]
        if kind == "message-start":
            self.id = data.get("id") or self.id
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind in ("tool-call-start", "tool-call-delta") and self.chat:
            call = message.get("tool_calls") or {}
            if kind == "tool-call-start":
                self.tool_index += 1
                delta = {
                    "index": self.tool_index,
                    "id": call.get("id"),
                    "type": "function",
                    "function": call.get("function") or {},
                }
            else:
                delta = {
                    "index": self.tool_index,
                    "function": {"arguments": (call.get("function") or {}).get("arguments", "")},
                }
            return [self._chunk({"tool_calls": [delta]})]
        if kind == "message-end":
            end = data.get("delta") or {}
            if end.get("error"):
                raise ProviderError(f"Cohere failed mid-stream: {end['error']}", provider=LABEL)
            reason = finish_reason(end.get("finish_reason"), " mid-stream")
            self.done = True
            return [self._chunk({}, reason), {**self._chunk(None), "usage": _usage(end.get("usage"))}]
        return []  # content-start/-end, tool-plan-delta, citations, tool-call-end, future events

    def finish(self) -> list[Chunk]:
        if not self.done:
            raise StreamInterrupted(
                "The Cohere stream ended without message-end; the answer may be incomplete", provider=LABEL
            )
        return []
