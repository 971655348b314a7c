"""Google Gemini API (providers.md §4): ``x-goog-api-key`` (or ``?key=``), the model in the path,
``generateContent`` / ``streamGenerateContent?alt=sse`` (``data:`` lines ending in CRLF, no event names, no
end marker: the last chunk carries ``finishReason``), ``embedContent`` / ``batchEmbedContents``, and Google's
``{"error": {"code", "message", "status", "details"}}`` bodies (a 429 says when to retry in ``RetryInfo``).

Safety, for tests: a prompt whose last user turn contains ``[sim:block]`` is blocked outright
(``promptFeedback.blockReason: SAFETY``, no candidates); one containing ``[sim:safety]`` stops half way
with ``finishReason: SAFETY``.
"""

from __future__ import annotations

import itertools
import json
import secrets
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
    format_seconds,
    json_reply,
)
from tui.simulator.dialects.request_values import chat_prompt, is_int, is_number
from tui.simulator.text import Generation, embedding, embedding_dim, generate

BLOCK_TRIGGER = "[sim:block]"
SAFETY_TRIGGER = "[sim:safety]"
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNKNOWN",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
    529: "UNAVAILABLE",
}
TOP_LEVEL = frozenset(
    {
        "contents",
        "system_instruction",
        "systemInstruction",
        "generationConfig",
        "generation_config",
        "tools",
        "toolConfig",
        "tool_config",
        "safetySettings",
        "safety_settings",
        "cachedContent",
        "labels",
    }
)
GENERATION_FIELDS = frozenset(
    {
        "temperature",
        "topP",
        "topK",
        "candidateCount",
        "maxOutputTokens",
        "stopSequences",
        "presencePenalty",
        "frequencyPenalty",
        "seed",
        "responseMimeType",
        "responseJsonSchema",
        "responseSchema",
        "responseLogprobs",
        "logprobs",
        "thinkingConfig",
    }
)
FINISH = {"stop": "STOP", "stop_sequence": "STOP", "length": "MAX_TOKENS"}
SAFETY_RATINGS = [
    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True},
]


class RetryLater(ApiError):
    """An error that says when to retry: Google puts it in the body (``RetryInfo``), not in a header."""

    def __init__(self, status: int, message: str, retry_delay: float) -> None:
        super().__init__(status, message)
        self.retry_delay = retry_delay


def google_sse(data: Any) -> bytes:
    """One ``alt=sse`` event: Google ends its lines with CRLF."""
    return b"data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode() + b"\r\n\r\n"


def _unknown_field(name: str, where: str = "") -> ApiError:
    at = f"'{where}'" if where else "''"
    return ApiError(400, f'Invalid JSON payload received. Unknown name "{name}" at {at}: Cannot find field.')


def _parts_text(parts: Any) -> str:
    if not isinstance(parts, list):
        return ""
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict))


class GeminiDialect(Dialect):
    name = "gemini"
    title = "Google Gemini"
    routes: ClassVar[tuple[Route, ...]] = (
        Route("POST", "/{version}/models/{model}:generateContent", "generate"),
        Route("POST", "/{version}/models/{model}:streamGenerateContent", "stream"),
        Route("POST", "/{version}/models/{model}:embedContent", "embed"),
        Route("POST", "/{version}/models/{model}:batchEmbedContents", "batch_embed"),
    )
    versions: ClassVar[tuple[str, ...]] = ("v1", "v1beta")
    requires_role: ClassVar[bool] = False

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith("/v1beta/")

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        if call.params.get("version") not in self.versions:
            raise ApiError(404, f"Not found: {call.request.path}")
        headers, query = call.request.headers, call.request.query
        key = headers.get("x-goog-api-key") or query.get("key")
        if not key:
            raise ApiError(
                403,
                "Method doesn't allow unregistered callers (callers without established identity). "
                "Please use API Key or other form of API consumer identity to call this API.",
            )
        if key != call.sim.api_key:
            raise ApiError(400, "API key not valid. Please pass a valid API key.", code="API_KEY_INVALID")

    def model_spec(self, call: Call) -> str | None:
        return call.params.get("model")

    def bad_json(self) -> ApiError:
        return ApiError(400, "Invalid JSON payload received. Unexpected token.")

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, f"The requested URL {request.path} was not found on this server.")

    # ------------------------------------------------------------------------------------ shapes
    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        status = STATUS_NAMES.get(err.status, "UNKNOWN")
        error: dict[str, Any] = {"code": err.status, "message": err.message, "status": status}
        if err.code == "API_KEY_INVALID":
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ]
        if isinstance(err, RetryLater):
            delay = f"{format_seconds(err.retry_delay)}s"
            error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]
        return json_reply(err.status, {"error": error}, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other valid authentication credential.",
            403: "Permission denied: Consumer has been suspended.",
            404: f"models/{call.model} is not found for API version v1beta, or is not supported for generateContent.",
            429: "Resource has been exhausted (e.g. check quota).",
            500: "An internal error has occurred. Please retry or report in "
            "https://developers.generativeai.google/guide/troubleshooting",
            502: "Bad gateway.",
            503: "The model is overloaded. Please try again later.",
            529: "The model is overloaded. Please try again later.",
        }
        message = messages.get(status, "Unknown error.")
        if status in (429, 503, 529):
            return RetryLater(status, message, call.knobs.retry_after)
        return ApiError(status, message)

    def stream_error_event(self, call: Call) -> bytes:
        error = {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}
        return google_sse({"error": error})

    # -------------------------------------------------------------------------------- validation
    def validate(self, call: Call) -> None:
        if call.op in ("embed", "batch_embed"):
            self._validate_embed(call)
            return
        body = call.body
        for name in body:
            if name not in TOP_LEVEL:
                raise _unknown_field(name)
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            raise ApiError(400, "* GenerateContentRequest.contents: contents is not specified")
        for i, item in enumerate(contents):
            if not isinstance(item, dict) or not isinstance(item.get("parts"), list) or not item["parts"]:
                raise ApiError(400, f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
            role = item.get("role")
            if role is None and self.requires_role:
                raise ApiError(400, "Please use a valid role: user, model.")
            if role not in (None, "user", "model", "function"):
                raise ApiError(400, f"Please use a valid role: user, model. (got '{role}')")
        config = body.get("generationConfig") or body.get("generation_config") or {}
        if not isinstance(config, dict):
            raise ApiError(400, "Invalid value at 'generation_config': expected an object")
        for name in config:
            if name not in GENERATION_FIELDS:
                raise _unknown_field(name, "generation_config")
        temperature = config.get("temperature")
        if temperature is not None and (not is_number(temperature) or not 0 <= temperature <= 2):
            raise ApiError(400, "* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0]")
        max_tokens = config.get("maxOutputTokens")
        if max_tokens is not None and (not is_int(max_tokens) or max_tokens < 1):
            raise ApiError(400, "* GenerateContentRequest.generation_config.max_output_tokens: must be positive")
        stops = config.get("stopSequences")
        if stops is not None and (not isinstance(stops, list) or len(stops) > 5):
            raise ApiError(400, "* GenerateContentRequest.generation_config.stop_sequences: at most 5 are allowed")
        count = config.get("candidateCount", 1)
        if not is_int(count) or not 1 <= count <= 8:
            raise ApiError(400, "* GenerateContentRequest.generation_config.candidate_count: must be in [1, 8]")

    def _validate_embed(self, call: Call) -> None:
        body = call.body
        items = body.get("requests") if call.op == "batch_embed" else [body]
        if not isinstance(items, list) or not items:
            raise ApiError(400, "* BatchEmbedContentsRequest.requests: requests is not specified")
        for item in items:
            if not isinstance(item, dict) or not _parts_text((item.get("content") or {}).get("parts")):
                raise ApiError(400, "* EmbedContentRequest.content: content is not specified")
            if call.op == "batch_embed" and item.get("model") != f"models/{call.model}":
                raise ApiError(
                    400,
                    f"Model mismatch: the request is for models/{call.model} but an item names {item.get('model')}",
                )

    # -------------------------------------------------------------------------------- responses
    def _generations(self, call: Call) -> tuple[list[Generation], int, str]:
        body = call.body
        system = body.get("system_instruction") or body.get("systemInstruction") or {}
        messages = [
            {"role": "assistant" if c.get("role") == "model" else "user", "content": _parts_text(c["parts"])}
            for c in body["contents"]
        ]
        seed_text, prompt_tokens, topic = chat_prompt(messages, _parts_text(system.get("parts")))
        config = body.get("generationConfig") or body.get("generation_config") or {}
        stops = [s for s in config.get("stopSequences") or [] if isinstance(s, str)]
        count = int(config.get("candidateCount") or 1)
        gens = [
            generate(
                call.model or "",
                seed_text,
                i,
                tokens=call.knobs.tokens,
                max_tokens=config.get("maxOutputTokens"),
                stop=stops,
                topic=topic,
            )
            for i in range(count)
        ]
        return gens, prompt_tokens, topic

    def _envelope(self, call: Call, response_id: str, candidates: list[dict[str, Any]], usage: dict[str, int]) -> Any:
        return {"candidates": candidates, "usageMetadata": usage, "modelVersion": call.model, "responseId": response_id}

    def _generate(self, call: Call) -> Reply | StreamReply:
        gens, prompt_tokens, topic = self._generations(call)
        response_id = secrets.token_urlsafe(16)
        if BLOCK_TRIGGER in topic:
            blocked = {
                "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": SAFETY_RATINGS},
                "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens},
                "modelVersion": call.model,
                "responseId": response_id,
            }
            if call.op == "stream":
                return StreamReply(lambda: [Event(google_sse(blocked), "terminal")])
            return json_reply(200, blocked)
        safety = SAFETY_TRIGGER in topic
        sizes = [g.count // 2 if safety else g.count for g in gens]  # a safety stop cuts each answer in half
        reasons = ["SAFETY" if safety else FINISH[g.finish] for g in gens]
        output = sum(sizes)
        usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": output, "totalTokenCount": 0}
        usage["totalTokenCount"] = prompt_tokens + output

        def candidate(i: int, text: str, reason: str | None) -> dict[str, Any]:
            item: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}}
            if reason:
                item["finishReason"] = reason
                if reason == "SAFETY":
                    item["safetyRatings"] = SAFETY_RATINGS
            item["index"] = i
            return item

        if call.op != "stream":
            candidates = [
                candidate(i, "".join(itertools.islice(g, size)), reasons[i])
                for i, (g, size) in enumerate(zip(gens, sizes, strict=True))
            ]
            return json_reply(200, self._envelope(call, response_id, candidates, usage), tokens=output)
        running = {"promptTokenCount": prompt_tokens, "totalTokenCount": prompt_tokens}

        def events() -> Iterator[Event]:
            for i, (g, size) in enumerate(zip(gens, sizes, strict=True)):
                for j, token in enumerate(itertools.islice(g, size) if size else [""]):
                    last = j == max(size, 1) - 1
                    data = self._envelope(
                        call,
                        response_id,
                        [candidate(i, token, reasons[i] if last else None)],
                        usage if last else running,
                    )
                    final = last and i == len(gens) - 1
                    yield Event(google_sse(data), "terminal" if final else "token")

        return StreamReply(events)

    def op_generate(self, call: Call) -> Reply | StreamReply:
        return self._generate(call)

    def op_stream(self, call: Call) -> Reply | StreamReply:
        if call.request.query.get("alt") != "sse":
            raise ApiError(400, "The simulator streams only with ?alt=sse (the JSON-array stream is not simulated).")
        return self._generate(call)

    def _vector(self, call: Call, item: dict[str, Any]) -> list[float]:
        dim = call.knobs.dim or item.get("outputDimensionality") or embedding_dim(call.model or "")
        return embedding(call.model or "", _parts_text(item["content"]["parts"]), dim)

    def op_embed(self, call: Call) -> Reply:
        return json_reply(200, {"embedding": {"values": self._vector(call, call.body)}})

    def op_batch_embed(self, call: Call) -> Reply:
        vectors = [{"values": self._vector(call, item)} for item in call.body["requests"]]
        return json_reply(200, {"embeddings": vectors})
