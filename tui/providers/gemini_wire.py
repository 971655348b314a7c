"""The Gemini wire format (providers.md §4), shared by the Gemini API and Vertex AI translators.

Request: ``contents`` (``user``/``model`` turns, tool calls as ``functionCall``/``functionResponse`` parts),
``system_instruction`` and ``generationConfig``. Answer: ``candidates`` with parts, ``finishReason`` and
``usageMetadata``. Streams (``alt=sse``) carry one ``GenerateContentResponse`` per ``data:`` line, with no
event names and no end marker: the stream is complete when a candidate has a ``finishReason``.
"""

from __future__ import annotations

import json
from typing import Any

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS
from tui.domain.errors import InvalidParameterValue, ProviderError, ProviderProtocolError, StreamInterrupted
from tui.domain.schemas import content_text
from tui.providers.base import Call, Chunk, Provider, new_id, prompt_text, stop_list
from tui.providers.stream_json import event_object
from tui.transport.errors import error_from_response
from tui.transport.messages import HttpRequest
from tui.transport.sse import SseEvent

CONTENT_FILTER = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "LANGUAGE",
        "OTHER",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
        "IMAGE_OTHER",
    }
)
_GENERATION = (
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
    ("max_completion_tokens", "maxOutputTokens"),
    ("max_tokens", "maxOutputTokens"),
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
    ("seed", "seed"),
)
_TOOL_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}
_OBJECTS = {TASK_CHAT: "chat.completion", TASK_COMPLETIONS: "text_completion"}
_CHUNK_OBJECTS = {TASK_CHAT: "chat.completion.chunk", TASK_COMPLETIONS: "text_completion_chunk"}


def finish_reason(reason: str | None, tool_calls: bool) -> str | None:
    """A Gemini ``finishReason`` in the standard vocabulary; a candidate that calls a tool says ``STOP``."""
    if not reason:
        return None
    if tool_calls:
        return "tool_calls"
    if reason == "MAX_TOKENS":
        return "length"
    return "content_filter" if reason in CONTENT_FILTER else "stop"


# ------------------------------------------------------------------------------------------- requests


def _function_response(message: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    text = content_text(message.get("content"))
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    call_id = message.get("tool_call_id")
    name = names.get(str(call_id)) or message.get("name")
    if not name:
        raise InvalidParameterValue(
            f"The tool message answering '{call_id}' follows no assistant tool call of that id; "
            "Gemini needs the function's name"
        )
    response: dict[str, Any] = {"name": name, "response": value if isinstance(value, dict) else {"output": text}}
    if call_id:
        response["id"] = call_id
    return {"functionResponse": response}


def _arguments(fn: dict[str, Any]) -> dict[str, Any]:
    try:
        args = json.loads(fn.get("arguments") or "{}")
    except ValueError:
        args = None
    if not isinstance(args, dict):
        raise InvalidParameterValue(
            f"The arguments of the tool call to '{fn.get('name')}' must be a JSON object for Gemini"
        )
    return args


def _contents(call: Call) -> tuple[list[str], list[dict[str, Any]]]:
    """(system texts, contents) of the standard request; every item carries its role (Vertex requires it)."""
    if call.task == TASK_COMPLETIONS:
        return [], [{"role": "user", "parts": [{"text": prompt_text(call.request)}]}]
    system: list[str] = []
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # tool call id -> function name: functionResponse needs the name
    for message in call.request.get("messages", []):
        role = message.get("role")
        text = content_text(message.get("content"))
        if role in ("system", "developer"):
            system.append(text)
        elif role == "tool":
            part = _function_response(message, names)
            if contents and contents[-1]["role"] == "user" and "functionResponse" in contents[-1]["parts"][-1]:
                contents[-1]["parts"].append(part)  # parallel answers go in one turn
            else:
                contents.append({"role": "user", "parts": [part]})
        elif role == "assistant":
            parts: list[dict[str, Any]] = [{"text": text}] if text else []
            for tool_call in message.get("tool_calls") or []:
                fn = tool_call.get("function") or {}
                names[str(tool_call.get("id"))] = fn.get("name", "")
                function_call = {"name": fn.get("name"), "args": _arguments(fn)}
                if tool_call.get("id"):
                    function_call["id"] = tool_call["id"]
                parts.append({"functionCall": function_call})
            contents.append({"role": "model", "parts": parts or [{"text": ""}]})
        else:
            contents.append({"role": "user", "parts": [{"text": text}]})
    return system, contents


def _generation_config(request: dict[str, Any], max_temperature: float) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for ours, theirs in _GENERATION:
        if request.get(ours) is not None:
            config[theirs] = request[ours]
    if isinstance(config.get("temperature"), (int, float)):
        config["temperature"] = min(config["temperature"], max_temperature)
    if int(request.get("n") or 1) > 1:
        config["candidateCount"] = request["n"]
    if stops := stop_list(request):
        config["stopSequences"] = stops
    response_format = request.get("response_format") or {}
    if response_format.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        schema = (response_format.get("json_schema") or {}).get("schema")
        if schema is not None:
            config["responseJsonSchema"] = schema
    return config


def _tool_config(choice: Any) -> dict[str, Any] | None:
    if isinstance(choice, str) and choice in _TOOL_MODES:
        return {"functionCallingConfig": {"mode": _TOOL_MODES[choice]}}
    if isinstance(choice, dict) and (name := (choice.get("function") or {}).get("name")):
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    return None


def generate_body(provider: Provider, call: Call) -> dict[str, Any]:
    """The ``generateContent`` body for a chat or completions call (``extra_params`` merged in last)."""
    request = call.request
    system, contents = _contents(call)
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["system_instruction"] = {"parts": [{"text": text} for text in system]}
    if config := _generation_config(request, provider.max_temperature):
        body["generationConfig"] = config
    if request.get("tools"):
        declarations = []
        for tool in request["tools"]:
            fn = tool.get("function") or {}
            declaration = {"name": fn.get("name"), "description": fn.get("description", "")}
            if fn.get("parameters") is not None:
                declaration["parametersJsonSchema"] = fn["parameters"]
            declarations.append(declaration)
        body["tools"] = [{"functionDeclarations": declarations}]
    if tool_config := _tool_config(request.get("tool_choice")):
        body["toolConfig"] = tool_config
    body.update(request.get("extra_params") or {})
    return body


def generate_request(provider: Provider, call: Call, model_url: str, headers: dict[str, str]) -> HttpRequest:
    """The chat or completions request to the model at ``model_url``: ``:generateContent``, or
    ``:streamGenerateContent?alt=sse`` for a stream (Gemini and Vertex AI alike)."""
    body = generate_body(provider, call)
    if call.stream:
        return HttpRequest("POST", f"{model_url}:streamGenerateContent", headers, body, params={"alt": "sse"})
    return HttpRequest("POST", f"{model_url}:generateContent", headers, body)


def versioned(base: str, default_version: str) -> str:
    """``base`` with an API version: kept when it ends in one (``/v1``, ``/v1beta``, ``/v1beta1``), else
    ``default_version`` is added, since the Google SDKs take the base URL without it."""
    last = base.rstrip("/").rsplit("/", 1)[-1]
    if last.startswith("v1"):
        return base.rstrip("/")
    return f"{base.rstrip('/')}/{default_version}"


# ------------------------------------------------------------------------------------------- answers


def _parts(candidate: dict[str, Any]) -> list[dict[str, Any]]:
    parts = (candidate.get("content") or {}).get("parts") or []
    return [p for p in parts if isinstance(p, dict)]


def _text(parts: list[dict[str, Any]]) -> str:
    if len(parts) == 1:  # a streamed chunk's usual one part: ~10x cheaper than the join
        part = parts[0]
        return str(part["text"]) if "text" in part and not part.get("thought") else ""
    return "".join(str(p.get("text", "")) for p in parts if "text" in p and not p.get("thought"))


def _tool_calls(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    calls = []
    for part in parts:
        if isinstance(fn := part.get("functionCall"), dict):
            calls.append(
                {
                    "id": fn.get("id") or new_id("call_"),
                    "type": "function",
                    "function": {"name": fn.get("name"), "arguments": json.dumps(fn.get("args") or {})},
                }
            )
    return calls


def usage(metadata: Any) -> dict[str, int]:
    """Standard usage from ``usageMetadata``; thinking tokens are billed as output, so they count."""
    data = metadata if isinstance(metadata, dict) else {}
    prompt = int(data.get("promptTokenCount") or 0)
    completion = int(data.get("candidatesTokenCount") or 0) + int(data.get("thoughtsTokenCount") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _blocked(body: dict[str, Any]) -> bool:
    return bool((body.get("promptFeedback") or {}).get("blockReason"))


def parse_generate(call: Call, body: Any, label: str) -> dict[str, Any]:
    """A ``GenerateContentResponse`` as a standard chat or completions answer."""
    if not isinstance(body, dict) or not (isinstance(body.get("candidates"), list) or _blocked(body)):
        raise ProviderProtocolError(f"{label} answered without 'candidates'", provider=label)
    chat = call.task == TASK_CHAT
    choices = []
    for i, candidate in enumerate(body.get("candidates") or []):
        parts = _parts(candidate)
        calls = _tool_calls(parts) if chat else []
        reason = finish_reason(candidate.get("finishReason") or "STOP", bool(calls))
        index = int(candidate.get("index") or i)
        if not chat:
            choices.append({"index": index, "text": _text(parts), "finish_reason": reason})
            continue
        message: dict[str, Any] = {"role": "assistant", "content": _text(parts)}
        if calls:
            message["tool_calls"] = calls
        choices.append({"index": index, "message": message, "finish_reason": reason})
    if not choices:  # the prompt itself was blocked
        empty: dict[str, Any] = {"text": ""} if not chat else {"message": {"role": "assistant", "content": ""}}
        choices.append({"index": 0, **empty, "finish_reason": "content_filter"})
    return {
        "id": body.get("responseId") or new_id("chatcmpl-" if chat else "cmpl-"),
        "object": _OBJECTS[call.task],
        "created": call.created,
        "model": body.get("modelVersion") or call.model,
        "choices": choices,
        "usage": usage(body.get("usageMetadata")),
    }


def stream_error(label: str, data: dict[str, Any]) -> ProviderError:
    """The typed error for ``{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", ...}}`` inside a stream."""
    err = data.get("error")
    code = err.get("code") if isinstance(err, dict) else None
    status = code if isinstance(code, int) and 400 <= code < 600 else 500
    typed = error_from_response(label, status, {}, data)
    typed.message = f"{typed.message} (reported mid-stream)"
    typed.args = (typed.message,)
    return typed


class GeminiStreamMapper:
    """``alt=sse`` chunks -> standard chunks: the role rides on the first delta, the finish on the chunk
    that carries ``finishReason``, one usage chunk (the last ``usageMetadata``) at the end."""

    def __init__(self, call: Call, label: str) -> None:
        self.call = call
        self.label = label
        self.chat = call.task == TASK_CHAT
        self.id = new_id("chatcmpl-" if self.chat else "cmpl-")
        self.model = call.model
        self.usage: Any = None
        self.started: set[int] = set()
        self.tools: dict[int, int] = {}  # candidate index -> tool calls so far
        self.finished = False

    def _chunk(self, choices: list[dict[str, Any]]) -> Chunk:
        return {
            "id": self.id,
            "object": _CHUNK_OBJECTS[self.call.task],
            "created": self.call.created,
            "model": self.model,
            "choices": choices,
        }

    def _choice(self, index: int, candidate: dict[str, Any]) -> dict[str, Any]:
        parts = _parts(candidate)
        calls = _tool_calls(parts) if self.chat else []
        seen = self.tools.get(index, 0)
        self.tools[index] = seen + len(calls)
        reason = finish_reason(candidate.get("finishReason"), bool(self.tools[index]))
        if not self.chat:
            return {"index": index, "text": _text(parts), "finish_reason": reason}
        first = index not in self.started
        delta: dict[str, Any] = {"role": "assistant"} if first else {}
        if (text := _text(parts)) or first:
            delta["content"] = text
        if calls:
            delta["tool_calls"] = [{"index": seen + i, **c} for i, c in enumerate(calls)]
        self.started.add(index)
        return {"index": index, "delta": delta, "finish_reason": reason}

    def feed(self, event: SseEvent) -> list[Chunk]:
        data = event_object(event.data, self.label, "stream chunk")
        if "error" in data:
            raise stream_error(self.label, data)
        self.id = data.get("responseId") or self.id
        self.model = data.get("modelVersion") or self.model
        if data.get("usageMetadata") is not None:
            self.usage = data["usageMetadata"]
        candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
        if not candidates and _blocked(data):
            self.finished = True
            blocked = {"role": "assistant", "content": ""} if self.chat else {}
            choice = {"index": 0, "delta": blocked} if self.chat else {"index": 0, "text": ""}
            return [self._chunk([{**choice, "finish_reason": "content_filter"}])]
        chunks = []
        for i, candidate in enumerate(candidates):
            if candidate.get("finishReason"):
                self.finished = True
            chunks.append(self._chunk([self._choice(int(candidate.get("index") or i), candidate)]))
        return chunks

    def finish(self) -> list[Chunk]:
        if not self.finished:
            raise StreamInterrupted(
                f"The {self.label} stream ended before a finishReason; the answer may be incomplete",
                provider=self.label,
            )
        return [{**self._chunk([]), "usage": usage(self.usage)}]
