"""Anthropic Messages API: ``POST {base}/messages`` with ``x-api-key`` and ``anthropic-version``.

Chat maps system messages to ``system`` and tool calls to content blocks; completions are sent as
one user message (the legacy ``/complete`` API is retired) and answered in the completions shape.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS
from tui.domain.errors import ProviderProtocolError, StreamInterrupted
from tui.domain.provider_configs import AnthropicConfig
from tui.domain.provider_wire import ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_VERSION, anthropic_base
from tui.domain.schemas import content_text
from tui.providers.base import Call, Chunk, Provider, StreamMapper, credential, prompt_text, stop_list
from tui.providers.stream_json import event_object
from tui.transport.errors import error_from_stream_event
from tui.transport.messages import HttpRequest
from tui.transport.sse import SseEvent

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_PASSED_THROUGH = ("temperature", "top_p", "top_k", "metadata")


def finish_reason(stop_reason: str | None) -> str | None:
    return FINISH_REASONS.get(stop_reason, "stop") if stop_reason else None


def _messages(request: dict[str, Any], task: str) -> tuple[str | None, list[dict[str, Any]]]:
    if task == TASK_COMPLETIONS:
        return None, [{"role": "user", "content": prompt_text(request)}]
    system: list[str] = []
    out: list[dict[str, Any]] = []
    for message in request.get("messages", []):
        role = message.get("role")
        if role == "system":
            system.append(content_text(message.get("content")))
        elif role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id"),
                "content": content_text(message.get("content")),
            }
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)  # parallel tool results go in one user message
            else:
                out.append({"role": "user", "content": [block]})
        elif role == "assistant" and message.get("tool_calls"):
            blocks: list[dict[str, Any]] = []
            if text := content_text(message.get("content")):
                blocks.append({"type": "text", "text": text})
            for call in message["tool_calls"]:
                fn = call.get("function", {})
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call.get("id"),
                        "name": fn.get("name"),
                        "input": json.loads(fn.get("arguments") or "{}"),
                    }
                )
            out.append({"role": "assistant", "content": blocks})
        else:
            out.append({"role": role, "content": message.get("content")})
    return ("\n".join(system) if system else None), out


class AnthropicProvider(Provider):
    name: ClassVar[str] = "anthropic"
    label: ClassVar[str] = "Anthropic"
    tasks: ClassVar[frozenset[str]] = frozenset({TASK_CHAT, TASK_COMPLETIONS})
    native_n: ClassVar[bool] = False
    max_temperature: ClassVar[float] = 1.0

    def base_url(self, call: Call) -> str:
        return anthropic_base(call.config.api_base())

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        request = call.request
        system, messages = _messages(request, call.task)
        body: dict[str, Any] = {"model": call.model}
        if system is not None:
            body["system"] = system
        body["messages"] = messages
        body["max_tokens"] = request.get("max_tokens") or ANTHROPIC_DEFAULT_MAX_TOKENS
        for key in _PASSED_THROUGH:
            if request.get(key) is not None:
                body[key] = request[key]
        if stops := stop_list(request):
            body["stop_sequences"] = stops
        if request.get("tools"):
            body["tools"] = [
                {
                    "name": t["function"]["name"],
                    "description": t["function"].get("description", ""),
                    "input_schema": t["function"].get("parameters", {}),
                }
                for t in request["tools"]
            ]
        body.update(request.get("extra_params") or {})
        self.clamp_temperature(body)
        if call.stream:
            body["stream"] = True
        config = call.config
        version = (
            config.anthropic_version
            if isinstance(config, AnthropicConfig) and config.anthropic_version
            else ANTHROPIC_VERSION
        )
        headers = {"x-api-key": credential(config, "anthropic_api_key"), "anthropic-version": version}
        return HttpRequest("POST", self.base_url(call) + "/messages", headers, body)

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("content"), list):
            raise ProviderProtocolError("Anthropic answered without 'content'", provider=self.label)
        text = "".join(b.get("text", "") for b in body["content"] if b.get("type") == "text")
        usage = body.get("usage") or {}
        prompt, completion = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
        common = {
            "id": body.get("id"),
            "created": call.created,
            "model": body.get("model") or call.model,
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
        reason = finish_reason(body.get("stop_reason"))
        if call.task == TASK_COMPLETIONS:
            return {
                **common,
                "object": "text_completion",
                "choices": [{"index": 0, "text": text, "finish_reason": reason}],
            }
        message: dict[str, Any] = {"role": "assistant", "content": text}
        tool_calls = [
            {
                "id": b.get("id"),
                "type": "function",
                "function": {"name": b.get("name"), "arguments": json.dumps(b.get("input", {}))},
            }
            for b in body["content"]
            if b.get("type") == "tool_use"
        ]
        if tool_calls:
            message["tool_calls"] = tool_calls
        return {
            **common,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": reason}],
        }

    def stream_mapper(self, call: Call) -> StreamMapper:
        return AnthropicStreamMapper(call)


class AnthropicStreamMapper:
    """message_start -> role chunk; text_delta -> content; message_delta -> finish + usage; message_stop -> end."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.chat = call.task == TASK_CHAT
        self.id = ""
        self.model = call.model
        self.prompt_tokens = 0
        self.done = False
        self.tool_index = -1
        self.block_tool: dict[int, int] = {}

    def _chunk(self, choice: dict[str, Any] | None, usage: dict[str, int] | None = None) -> Chunk:
        chunk: Chunk = {
            "id": self.id,
            "object": "chat.completion.chunk" if self.chat else "text_completion_chunk",
            "created": self.call.created,
            "model": self.model,
            "choices": [choice] if choice is not None else [],
        }
        if usage is not None:
            chunk["usage"] = usage
        return chunk

    def _delta(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if self.chat:
            return {"index": 0, "delta": delta, "finish_reason": finish}
        return {"index": 0, "text": delta.get("content", ""), "finish_reason": finish}

    def feed(self, event: SseEvent) -> list[Chunk]:
        data = event_object(event.data, "Anthropic", "stream event")
        kind = data.get("type") or event.event
        if kind == "content_block_delta":
            delta = data.get("delta") or {}
            if delta.get("type") == "text_delta":
                return [self._chunk(self._delta({"content": delta.get("text", "")}))]
            if delta.get("type") == "input_json_delta" and self.chat:
                index = self.block_tool.get(data.get("index", 0), 0)
                call = {"index": index, "function": {"arguments": delta.get("partial_json", "")}}
                return [self._chunk(self._delta({"tool_calls": [call]}))]
            return []
        if kind == "message_start":
            message = data.get("message") or {}
            self.id = message.get("id") or self.id
            self.model = message.get("model") or self.model
            self.prompt_tokens = int((message.get("usage") or {}).get("input_tokens") or 0)
            return [self._chunk(self._delta({"role": "assistant", "content": ""}))]
        if kind == "content_block_start":
            block = data.get("content_block") or {}
            if block.get("type") == "tool_use" and self.chat:
                self.tool_index += 1
                self.block_tool[data.get("index", 0)] = self.tool_index
                call = {
                    "index": self.tool_index,
                    "id": block.get("id"),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": ""},
                }
                return [self._chunk(self._delta({"tool_calls": [call]}))]
            return []
        if kind == "message_delta":
            reason = finish_reason((data.get("delta") or {}).get("stop_reason"))
            usage = data.get("usage") or {}
            prompt = int(usage.get("input_tokens") or self.prompt_tokens)
            completion = int(usage.get("output_tokens") or 0)
            total = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
            return [self._chunk(self._delta({}, reason)), self._chunk(None, total)]
        if kind == "message_stop":
            self.done = True
            return []
        if kind == "error":
            raise error_from_stream_event("Anthropic", data)
        return []  # ping, content_block_stop, unknown future events

    def finish(self) -> list[Chunk]:
        if not self.done:
            raise StreamInterrupted(
                "The Anthropic stream ended without message_stop; the answer may be incomplete", provider="Anthropic"
            )
        return []
