"""Cohere v2 chat and embed (providers.md §7): ``POST /v2/chat`` (streamed when ``"stream": true``) and
``POST /v2/embed`` with a bearer key; ``{"id", "message"}`` error bodies; named stream events from
``message-start`` to ``message-end``, which carries the finish reason and usage (and ends the stream).

Unknown request fields are refused as Cohere does, so an OpenAI name that was not translated (``stop``,
``top_p``, ``n``) fails loudly. [unconfirmed] The exact error sentences; usage counts ``tokens`` as every
word read and ``billed_units`` as the words of the non-system messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from tui.simulator.dialects.base import (
    ApiError,
    Call,
    Dialect,
    Event,
    RecordedRequest,
    Reply,
    Route,
    StreamReply,
    bearer,
    json_reply,
    sse,
)
from tui.simulator.dialects.request_values import chat_prompt, content_text, is_int, is_number
from tui.simulator.text import count_words, embedding, embedding_dim, generate

CHAT_FIELDS = frozenset(
    [
        "model",
        "messages",
        "tools",
        "strict_tools",
        "documents",
        "citation_options",
        "response_format",
        "safety_mode",
        "max_tokens",
        "stop_sequences",
        "temperature",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "k",
        "p",
        "logprobs",
        "tool_choice",
        "thinking",
        "priority",
        "stream",
    ]
)
EMBED_FIELDS = frozenset(
    [
        "model",
        "texts",
        "images",
        "inputs",
        "input_type",
        "embedding_types",
        "truncate",
        "output_dimension",
        "max_tokens",
    ]
)
INPUT_TYPES = ("search_document", "search_query", "classification", "clustering", "image")
EMBEDDING_TYPES = ("float", "int8", "uint8", "binary", "ubinary", "base64")
ROLES = ("system", "user", "assistant", "tool")
FINISH = {"stop": "COMPLETE", "length": "MAX_TOKENS", "stop_sequence": "STOP_SEQUENCE"}
MAX_TEXTS = 96


def _invalid(message: str) -> ApiError:
    return ApiError(400, f"invalid request: {message}")


class CohereDialect(Dialect):
    name = "cohere"
    title = "Cohere v2"
    routes: ClassVar[tuple[Route, ...]] = (Route("POST", "/v2/chat", "chat"), Route("POST", "/v2/embed", "embed"))

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith("/v2/")

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        token = bearer(call.request.headers)
        if not token:
            raise ApiError(401, "no api key supplied")
        if token != call.sim.api_key:
            raise ApiError(401, "invalid api token")

    def bad_json(self) -> ApiError:
        return _invalid("the request body is not valid JSON")

    # ------------------------------------------------------------------------------------ shapes
    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, f"404 page not found: {request.path}")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        return json_reply(err.status, {"id": str(uuid.uuid4()), "message": err.message}, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        messages = {
            400: "invalid request: the simulator rejected this request (fault=400)",
            401: "invalid api token",
            403: "Forbidden: your API key may not use this model",
            404: f"model '{call.model}' not found, make sure the correct model ID was used and that you have "
            "access to the model.",
            429: "You are past the per minute request limit, please wait and try again later.",
            498: "invalid token: the API key is not valid or has expired",
            499: "request cancelled by the user",
            500: "internal server error, this has been reported to our developers",
            503: "service unavailable",
        }
        return self.table_fault(status, call, messages)

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}

    def stream_error_event(self, call: Call) -> bytes:
        data = {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "internal server error"}}
        return sse(data, "message-end")

    # -------------------------------------------------------------------------------- validation
    def validate(self, call: Call) -> None:
        body = call.body
        known = CHAT_FIELDS if call.op == "chat" else EMBED_FIELDS
        for name in body:
            if name not in known:
                raise _invalid(f"unknown field: parameter {name} is not a valid field")
        if not isinstance(body.get("model"), str) or not body["model"]:
            raise _invalid("model must be provided")
        if call.op == "chat":
            self._validate_chat(body)
        else:
            self._validate_embed(body)

    @staticmethod
    def _validate_chat(body: dict[str, Any]) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _invalid("messages must be a non-empty list")
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise _invalid(f"messages[{i}].role must be one of {', '.join(ROLES)}")
        temperature = body.get("temperature")
        if temperature is not None and (not is_number(temperature) or temperature < 0):
            raise _invalid("temperature must be a non-negative number")
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens < 1):
            raise _invalid("max_tokens must be a positive integer")
        stops = body.get("stop_sequences")
        if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
            raise _invalid("stop_sequences must be a list of strings")

    @staticmethod
    def _validate_embed(body: dict[str, Any]) -> None:
        texts = body.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise _invalid("texts must be a non-empty list of strings")
        if len(texts) > MAX_TEXTS:
            raise _invalid(f"too many texts - received {len(texts)}, the maximum is {MAX_TEXTS}")
        if body.get("input_type") not in INPUT_TYPES:
            raise _invalid(f"valid input_type must be provided with the provided model ({', '.join(INPUT_TYPES)})")
        kinds = body.get("embedding_types", ["float"])
        if not isinstance(kinds, list) or not all(k in EMBEDDING_TYPES for k in kinds):
            raise _invalid(f"embedding_types must be a list of {', '.join(EMBEDDING_TYPES)}")

    # -------------------------------------------------------------------------------- responses
    def op_chat(self, call: Call) -> Reply | StreamReply:
        body = call.body
        seed_text, prompt_tokens, topic = chat_prompt(body["messages"])
        system_words = sum(
            count_words(content_text(m.get("content"))) for m in body["messages"] if m.get("role") == "system"
        )
        gen = generate(
            call.model or "",
            seed_text,
            0,
            tokens=call.knobs.tokens,
            max_tokens=body.get("max_tokens"),
            stop=body.get("stop_sequences") or [],
            topic=topic,
        )
        output = gen.count
        usage = {
            "billed_units": {"input_tokens": prompt_tokens - system_words, "output_tokens": output},
            "tokens": {"input_tokens": prompt_tokens, "output_tokens": output},
        }
        cid = str(uuid.uuid4())
        finish = FINISH[gen.finish]
        if not call.stream:
            message = {"role": "assistant", "content": [{"type": "text", "text": gen.text}]}
            answer = {"id": cid, "message": message, "finish_reason": finish, "usage": usage}
            return json_reply(200, answer, tokens=output)
        start = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
        text_start = {"content": {"type": "text", "text": ""}}
        end = {"type": "message-end", "delta": {"finish_reason": finish, "usage": usage}}

        def events() -> Iterator[Event]:
            yield Event(sse({"id": cid, "type": "message-start", "delta": {"message": start}}, "message-start"), "head")
            yield Event(
                sse({"type": "content-start", "index": 0, "delta": {"message": text_start}}, "content-start"), "head"
            )
            for token in gen:
                delta = {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": token}}}}
                yield Event(sse(delta, "content-delta"))
            yield Event(sse({"type": "content-end", "index": 0}, "content-end"), "tail")
            yield Event(sse(end, "message-end"), "terminal")

        return StreamReply(events)

    def op_embed(self, call: Call) -> Reply:
        body = call.body
        model = call.model or ""
        dim = call.knobs.dim or body.get("output_dimension") or embedding_dim(model)
        texts: list[str] = body["texts"]
        vectors = [embedding(model, text, dim) for text in texts]
        answer = {
            "id": str(uuid.uuid4()),
            "embeddings": {kind: vectors for kind in body.get("embedding_types", ["float"])},
            "texts": texts,
            "meta": {
                "api_version": {"version": "2"},
                "billed_units": {"input_tokens": sum(count_words(t) for t in texts)},
            },
            "response_type": "embeddings_by_type",
        }
        return json_reply(200, answer)
