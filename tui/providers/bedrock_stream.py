"""ConverseStream events (AWS event-stream messages) -> standard chunks, and Bedrock's in-stream errors.

Order on the wire: ``messageStart``, ``contentBlockStart`` (tool-use blocks), ``contentBlockDelta``...,
``contentBlockStop``, ``messageStop`` (the stop reason), then ``metadata`` (the usage). An ``exception``
message inside the 200 (``:exception-type`` header, ``{"message": ...}`` payload) is a typed error with the
status Bedrock would have answered with over HTTP (throttling -> 429).
"""

from __future__ import annotations

from typing import Any

from tui.domain.endpoints import TASK_CHAT
from tui.domain.errors import ProviderError, StreamInterrupted
from tui.providers.base import Call, Chunk, new_id
from tui.providers.stream_json import event_object
from tui.transport.errors import error_from_response
from tui.transport.eventstream import EventMessage

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
EXCEPTION_STATUS = {
    "validationexception": 400,
    "accessdeniedexception": 403,
    "resourcenotfoundexception": 404,
    "modeltimeoutexception": 408,
    "throttlingexception": 429,
    "modelnotreadyexception": 429,
    "servicequotaexceededexception": 400,
    "modelerrorexception": 424,
    "modelstreamerrorexception": 424,
    "internalserverexception": 500,
    "serviceunavailableexception": 503,
}


def finish_reason(stop_reason: str | None) -> str | None:
    return FINISH_REASONS.get(stop_reason, "stop") if stop_reason else None


def stream_exception(provider: str, kind: str, payload: dict[str, Any]) -> ProviderError:
    """The typed error for an ``exception`` (or ``error``) message in a 200 stream."""
    status = EXCEPTION_STATUS.get(kind.lower(), 500)
    message = str(payload.get("message") or payload.get("Message") or kind)
    typed = error_from_response(provider, status, {}, {"message": f"{kind}: {message}"})
    typed.message = f"{typed.message} (reported mid-stream)"
    typed.args = (typed.message,)
    return typed


class ConverseStreamMapper:
    def __init__(self, call: Call, provider: str) -> None:
        self.call = call
        self.provider = provider
        self.chat = call.task == TASK_CHAT
        self.id = new_id("chatcmpl-" if self.chat else "cmpl-")
        self.stopped = False
        self.done = False
        self.tool_index = -1
        self.block_tool: dict[int, int] = {}

    def _chunk(
        self, delta: dict[str, Any] | None, finish: str | None = None, usage: dict[str, int] | None = None
    ) -> Chunk:
        choices: list[dict[str, Any]] = []
        if delta is not None:
            if self.chat:
                choices.append({"index": 0, "delta": delta, "finish_reason": finish})
            else:
                choices.append({"index": 0, "text": delta.get("content", ""), "finish_reason": finish})
        chunk: Chunk = {
            "id": self.id,
            "object": "chat.completion.chunk" if self.chat else "text_completion_chunk",
            "created": self.call.created,
            "model": self.call.model,
            "choices": choices,
        }
        if usage is not None:
            chunk["usage"] = usage
        return chunk

    def _payload(self, message: EventMessage) -> dict[str, Any]:
        return event_object(message.payload, self.provider, "stream event") if message.payload else {}

    def feed(self, message: EventMessage) -> list[Chunk]:
        kind = message.message_type
        if kind == "exception":
            raise stream_exception(self.provider, str(message.headers.get(":exception-type")), self._payload(message))
        if kind == "error":
            code = str(message.headers.get(":error-code") or "InternalServerException")
            raise stream_exception(self.provider, code, {"message": message.headers.get(":error-message") or code})
        data = self._payload(message)
        event = message.headers.get(":event-type")
        if event == "contentBlockDelta":
            delta = data.get("delta") or {}
            if "text" in delta:
                return [self._chunk({"content": str(delta["text"])})]
            tool = delta.get("toolUse")
            if isinstance(tool, dict) and self.chat:
                index = self.block_tool.get(int(data.get("contentBlockIndex") or 0), 0)
                call = {"index": index, "function": {"arguments": str(tool.get("input") or "")}}
                return [self._chunk({"tool_calls": [call]})]
            return []  # reasoning content, future delta kinds
        if event == "messageStart":
            return [self._chunk({"role": "assistant", "content": ""})]
        if event == "contentBlockStart":
            tool = (data.get("start") or {}).get("toolUse")
            if not isinstance(tool, dict) or not self.chat:
                return []
            self.tool_index += 1
            self.block_tool[int(data.get("contentBlockIndex") or 0)] = self.tool_index
            call = {
                "index": self.tool_index,
                "id": tool.get("toolUseId"),
                "type": "function",
                "function": {"name": tool.get("name"), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if event == "messageStop":
            self.stopped = True
            return [self._chunk({}, finish_reason(data.get("stopReason")) or "stop")]
        if event == "metadata":
            self.done = True
            usage = data.get("usage") or {}
            prompt, completion = int(usage.get("inputTokens") or 0), int(usage.get("outputTokens") or 0)
            total = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
            return [self._chunk(None, usage=total)]
        return []  # contentBlockStop, unknown future events

    def finish(self) -> list[Chunk]:
        if not (self.stopped and self.done):
            missing = "messageStop" if not self.stopped else "its metadata event"
            raise StreamInterrupted(
                f"The {self.provider} stream ended without {missing}; the answer may be incomplete",
                provider=self.provider,
            )
        return []
