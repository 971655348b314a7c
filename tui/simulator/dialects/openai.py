"""OpenAI Chat Completions / Completions / Embeddings, also used for OpenAI-compatible servers (vLLM,
llama.cpp, Ollama ``/v1``, a Databricks ``custom`` provider) and for Databricks model serving
(``/serving-endpoints/{name}/invocations``, same bodies, Databricks-shaped errors).

Shapes follow providers.md §1, §10, §11 and databricks-api.md §5.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar
from urllib.parse import unquote

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
    format_seconds,
    json_reply,
    mask_key,
    sse,
)
from tui.simulator.text import (
    Generation,
    count_words,
    embedding,
    embedding_base64,
    embedding_dim,
    generate,
)

SYSTEM_FINGERPRINT = "fp_sim0switchboard"
CHAT_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
DONE = b"data: [DONE]\n\n"

MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
    "you're accessing the API from your browser and are prompted for a username. You can obtain an API key "
    "from https://platform.openai.com/account/api-keys."
)
BAD_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
    "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def content_text(content: object) -> str:
    """The text of a message ``content``: a string, or a list of parts with ``text``."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif "content" in part:
                    texts.append(content_text(part["content"]))
        return "\n".join(texts)
    return ""


def chat_prompt(messages: list[Any]) -> tuple[str, int, str]:
    """(seed text, prompt token count, topic = the last user message) of a chat ``messages`` list."""
    lines = []
    words = 0
    topic = ""
    for m in messages:
        if isinstance(m, dict):
            text = content_text(m.get("content"))
            lines.append(f"{m.get('role')}: {text}")
            words += count_words(text)
            if m.get("role") == "user":
                topic = text
    return "\n".join(lines), words, topic


def stop_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for s in value if isinstance(s, str)]
    return []


def duration(seconds: float) -> str:
    """OpenAI's ``x-ratelimit-reset-*`` format: ``20ms``, ``1s``, ``6m0s``."""
    if seconds < 1:
        return f"{int(round(seconds * 1000))}ms"
    minutes, secs = divmod(seconds, 60)
    if minutes:
        return f"{int(minutes)}m{format_seconds(round(secs, 3))}s"
    return f"{format_seconds(round(secs, 3))}s"


FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length"}


class OpenAIDialect(Dialect):
    name = "openai"
    title = "OpenAI / OpenAI-compatible"
    routes = (
        Route("POST", "/v1/chat/completions", "chat"),
        Route("POST", "/v1/completions", "completions"),
        Route("POST", "/v1/embeddings", "embeddings"),
    )

    max_n: ClassVar[int] = 128
    completions_default_max_tokens: ClassVar[int | None] = 16  # the legacy endpoint's real default
    completion_chunk_object: ClassVar[str] = "text_completion"
    fingerprint: ClassVar[bool] = True
    message_extras: ClassVar[dict[str, Any]] = {"refusal": None, "annotations": []}

    def owns(self, request: RecordedRequest) -> bool:
        return request.path == "/v1" or request.path.startswith("/v1/")

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        token = bearer(call.request.headers)
        if not token:
            raise ApiError(401, MISSING_KEY, type="invalid_request_error")
        if token != call.sim.api_key:
            raise ApiError(401, self._incorrect_key(token), code="invalid_api_key", type="invalid_request_error")

    @staticmethod
    def _incorrect_key(token: str) -> str:
        return (
            f"Incorrect API key provided: {mask_key(token)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys."
        )

    def bad_json(self) -> ApiError:
        return ApiError(400, BAD_JSON, type="invalid_request_error")

    # ------------------------------------------------------------------------------------ shapes
    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, f"Invalid URL ({request.method} {request.path})", type="invalid_request_error")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        if err.type:
            etype = err.type
        elif err.status >= 500:
            etype = "server_error"
        else:
            etype = "invalid_request_error"
        body = {"error": {"message": err.message, "type": etype, "param": err.param, "code": err.code}}
        return json_reply(err.status, body, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        model = call.model or "the model"
        retry = call.knobs.retry_after
        if status == 400:
            return ApiError(400, "The simulator rejected this request (fault=400).", type="invalid_request_error")
        if status == 401:
            token = bearer(call.request.headers) or ""
            return ApiError(401, self._incorrect_key(token), code="invalid_api_key", type="invalid_request_error")
        if status == 403:
            return ApiError(403, "You are not allowed to sample from this model", type="invalid_request_error")
        if status == 404:
            return ApiError(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
                type="invalid_request_error",
            )
        if status == 429:
            return ApiError(
                429,
                f"Rate limit reached for {model} in organization org-sim on requests per min (RPM): Limit 3, "
                f"Used 3, Requested 1. Please try again in {format_seconds(retry)}s. Visit "
                "https://platform.openai.com/account/rate-limits to learn more.",
                code="rate_limit_exceeded",
                type="requests",
                headers=self.retry_headers(retry),
            )
        if status == 502:
            return ApiError(502, "Bad gateway.", type="cf_bad_gateway")
        if status == 503:
            return ApiError(
                503,
                "The engine is currently overloaded, please try again later.",
                type="server_error",
                headers=self.retry_headers(retry),
            )
        if status == 529:
            return ApiError(529, "The server is overloaded.", type="server_error", headers=self.retry_headers(retry))
        return ApiError(
            status, "The server had an error while processing your request. Sorry about that!", type="server_error"
        )

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {
            "retry-after": format_seconds(seconds),
            "x-ratelimit-limit-requests": "3",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": duration(seconds),
        }

    def response_headers(self, call: Call) -> dict[str, str]:
        return {
            "x-request-id": call.request_id,
            "openai-processing-ms": "1",
            "openai-version": "2020-10-01",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-limit-tokens": "10000000",
            "x-ratelimit-remaining-tokens": "9999000",
            "x-ratelimit-reset-tokens": "0s",
        }

    def stream_error_event(self, call: Call) -> bytes:
        return sse(
            {
                "error": {
                    "message": "The server had an error while processing your request. Sorry about that!",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
        )

    # -------------------------------------------------------------------------------- validation
    def requires_model(self, call: Call) -> bool:
        return True

    def validate(self, call: Call) -> None:
        body = call.body
        if call.op not in ("chat", "completions", "embeddings"):
            return
        if self.requires_model(call) and not (isinstance(body.get("model"), str) and body["model"]):
            raise ApiError(400, "you must provide a model parameter", type="invalid_request_error")
        if call.op == "chat":
            self._validate_messages(body)
            self._validate_sampling(body)
        elif call.op == "completions":
            prompt = body.get("prompt")
            if prompt is None:
                raise ApiError(
                    400, "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter"
                )
            if not (isinstance(prompt, str) or (isinstance(prompt, list) and prompt)):
                raise ApiError(400, "Invalid 'prompt': expected a string or a non-empty array.", param="prompt")
            self._validate_sampling(body)
        elif call.op == "embeddings":
            self._validate_embeddings(body)

    @staticmethod
    def _validate_messages(body: dict[str, Any]) -> None:
        messages = body.get("messages")
        if messages is None:
            raise ApiError(
                400, "Missing required parameter: 'messages'.", param="messages", code="missing_required_parameter"
            )
        if not isinstance(messages, list):
            raise ApiError(
                400,
                f"Invalid type for 'messages': expected an array, but got {_json_type(messages)} instead.",
                param="messages",
                code="invalid_type",
            )
        if not messages:
            raise ApiError(
                400,
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
                "array instead.",
                param="messages",
                code="empty_array",
            )
        for i, message in enumerate(messages):
            if not isinstance(message, dict):
                raise ApiError(
                    400,
                    f"Invalid type for 'messages[{i}]': expected an object, but got {_json_type(message)} instead.",
                    param=f"messages[{i}]",
                    code="invalid_type",
                )
            role = message.get("role")
            if role is None:
                raise ApiError(
                    400,
                    f"Missing required parameter: 'messages[{i}].role'.",
                    param=f"messages[{i}].role",
                    code="missing_required_parameter",
                )
            if role not in CHAT_ROLES:
                raise ApiError(
                    400,
                    f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', "
                    "'tool', and 'developer'.",
                    param=f"messages[{i}].role",
                    code="invalid_value",
                )

    def _validate_sampling(self, body: dict[str, Any]) -> None:
        n = body.get("n")
        if n is not None and (not is_int(n) or not 1 <= n <= self.max_n):
            raise ApiError(
                400, f"Invalid 'n': expected an integer between 1 and {self.max_n}, got {n!r}.", param="n"
            )
        for name in ("max_tokens", "max_completion_tokens"):
            value = body.get(name)
            if value is not None and (not is_int(value) or value < 1):
                raise ApiError(
                    400, f"Invalid '{name}': expected an integer >= 1, but got {value!r} instead.", param=name
                )
        temperature = body.get("temperature")
        if temperature is not None and (not is_number(temperature) or not 0 <= temperature <= 2):
            raise ApiError(
                400,
                f"Invalid 'temperature': expected a number between 0 and 2, but got {temperature!r} instead.",
                param="temperature",
                code="invalid_value",
            )
        top_p = body.get("top_p")
        if top_p is not None and (not is_number(top_p) or not 0 <= top_p <= 1):
            raise ApiError(400, f"Invalid 'top_p': expected a number between 0 and 1, got {top_p!r}.", param="top_p")
        stop = body.get("stop")
        if stop is not None and not isinstance(stop, str):
            if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
                raise ApiError(400, "Invalid 'stop': expected a string or an array of strings.", param="stop")
            if len(stop) > 4:
                raise ApiError(
                    400,
                    f"Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array "
                    f"with length {len(stop)} instead.",
                    param="stop",
                    code="array_above_max_length",
                )
        if body.get("stream_options") is not None and body.get("stream") is not True:
            raise ApiError(
                400,
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
            )

    @staticmethod
    def _validate_embeddings(body: dict[str, Any]) -> None:
        value = body.get("input")
        if value is None:
            raise ApiError(
                400, "Missing required parameter: 'input'.", param="input", code="missing_required_parameter"
            )
        empty = value == "" or value == [] or (isinstance(value, list) and any(v == "" or v == [] for v in value))
        if empty or not isinstance(value, (str, list)):
            raise ApiError(400, BAD_INPUT, param="input")
        fmt = body.get("encoding_format")
        if fmt is not None and fmt not in ("float", "base64"):
            raise ApiError(
                400,
                f"Invalid value: '{fmt}'. Supported values are: 'float' and 'base64'.",
                param="encoding_format",
                code="invalid_value",
            )
        dims = body.get("dimensions")
        if dims is not None and (not is_int(dims) or dims < 1):
            raise ApiError(400, f"Invalid 'dimensions': expected an integer >= 1, got {dims!r}.", param="dimensions")

    # -------------------------------------------------------------------------------- responses
    def _choice_extra(self, kind: str) -> dict[str, Any]:
        """Per-choice extras (Azure's content filter results)."""
        return {}

    def _body_extra(self, call: Call) -> dict[str, Any]:
        return {}

    def _stream_preamble(self, call: Call) -> list[Event]:
        return []

    def _usage(self, prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
        usage: dict[str, Any] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if self.fingerprint:
            usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
            usage["completion_tokens_details"] = {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            }
        return usage

    def _max_tokens(self, call: Call, default: int | None = None) -> int | None:
        body = call.body
        value = body.get("max_completion_tokens")
        if value is None:
            value = body.get("max_tokens")
        return value if is_int(value) else default

    def _include_usage(self, call: Call) -> bool:
        options = call.body.get("stream_options")
        return isinstance(options, dict) and options.get("include_usage") is True

    def op_chat(self, call: Call) -> Reply | StreamReply:
        body = call.body
        model = call.model or ""
        seed_text, prompt_tokens, topic = chat_prompt(body["messages"])
        n = body.get("n") or 1
        max_tokens = self._max_tokens(call)
        stops = stop_list(body.get("stop"))
        gens = [
            generate(model, seed_text, i, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops, topic=topic)
            for i in range(n)
        ]
        completion_tokens = sum(len(g.tokens) for g in gens)
        cid = "chatcmpl-sim" + secrets.token_hex(10)
        if call.stream:
            return self._chat_stream(call, cid, gens, prompt_tokens)
        data: dict[str, Any] = {
            "id": cid,
            "object": "chat.completion",
            "created": call.created,
            "model": model,
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": g.text, **self.message_extras},
                    "logprobs": None,
                    "finish_reason": FINISH[g.finish],
                    **self._choice_extra("final"),
                }
                for i, g in enumerate(gens)
            ],
            "usage": self._usage(prompt_tokens, completion_tokens),
            **self._body_extra(call),
        }
        if self.fingerprint:
            data["system_fingerprint"] = SYSTEM_FINGERPRINT
        return json_reply(200, data, tokens=completion_tokens)

    def _chunk_base(self, call: Call, cid: str, obj: str) -> dict[str, Any]:
        base: dict[str, Any] = {"id": cid, "object": obj, "created": call.created, "model": call.model or ""}
        if self.fingerprint:
            base["system_fingerprint"] = SYSTEM_FINGERPRINT
        return base

    def _chat_stream(self, call: Call, cid: str, gens: list[Generation], prompt_tokens: int) -> StreamReply:
        base = self._chunk_base(call, cid, "chat.completion.chunk")
        include_usage = self._include_usage(call)

        def chunk(choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
            data = {**base, "choices": choices}
            if include_usage:
                data["usage"] = usage
            return sse(data)

        def choice(i: int, delta: dict[str, Any], finish: str | None, kind: str) -> dict[str, Any]:
            return {"index": i, "delta": delta, "logprobs": None, "finish_reason": finish, **self._choice_extra(kind)}

        events = self._stream_preamble(call)
        for i in range(len(gens)):
            role = {"role": "assistant", "content": "", **({"refusal": None} if self.fingerprint else {})}
            events.append(Event(chunk([choice(i, role, None, "role")]), "head"))
        longest = max((len(g.tokens) for g in gens), default=0)
        for t in range(longest):
            for i, g in enumerate(gens):
                if t < len(g.tokens):
                    events.append(Event(chunk([choice(i, {"content": g.tokens[t]}, None, "content")])))
        for i, g in enumerate(gens):
            events.append(Event(chunk([choice(i, {}, FINISH[g.finish], "finish")]), "tail"))
        if include_usage:
            completion_tokens = sum(len(g.tokens) for g in gens)
            events.append(Event(chunk([], self._usage(prompt_tokens, completion_tokens)), "tail"))
        events.append(Event(DONE, "terminal"))
        return StreamReply(events)

    @staticmethod
    def _prompts(value: object) -> list[str]:
        """A completions ``prompt``: a string, a list of strings, a token array or a list of token arrays."""
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            return [""]
        if value and all(is_int(v) for v in value):
            return [" ".join(str(v) for v in value)]
        return [" ".join(str(x) for x in v) if isinstance(v, list) else str(v) for v in value]

    def op_completions(self, call: Call) -> Reply | StreamReply:
        body = call.body
        model = call.model or ""
        prompts = self._prompts(body.get("prompt"))
        n = body.get("n") or 1
        max_tokens = self._max_tokens(call, self.completions_default_max_tokens)
        stops = stop_list(body.get("stop"))
        gens = [
            generate(model, p, i, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops)
            for p in prompts
            for i in range(n)
        ]
        prompt_tokens = sum(count_words(p) for p in prompts)
        completion_tokens = sum(len(g.tokens) for g in gens)
        cid = "cmpl-sim" + secrets.token_hex(10)
        if call.stream:
            return self._completions_stream(call, cid, gens, prompt_tokens)
        data: dict[str, Any] = {
            "id": cid,
            "object": "text_completion",
            "created": call.created,
            "model": model,
            "choices": [
                {
                    "text": g.text,
                    "index": i,
                    "logprobs": None,
                    "finish_reason": FINISH[g.finish],
                    **self._choice_extra("final"),
                }
                for i, g in enumerate(gens)
            ],
            "usage": self._usage(prompt_tokens, completion_tokens),
            **self._body_extra(call),
        }
        if self.fingerprint:
            data["system_fingerprint"] = SYSTEM_FINGERPRINT
        return json_reply(200, data, tokens=completion_tokens)

    def _completions_stream(
        self, call: Call, cid: str, gens: list[Generation], prompt_tokens: int
    ) -> StreamReply:
        base = self._chunk_base(call, cid, self.completion_chunk_object)
        include_usage = self._include_usage(call)

        def chunk(choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
            data = {**base, "choices": choices}
            if include_usage:
                data["usage"] = usage
            return sse(data)

        def choice(i: int, text: str, finish: str | None, kind: str) -> dict[str, Any]:
            return {"text": text, "index": i, "logprobs": None, "finish_reason": finish, **self._choice_extra(kind)}

        events = self._stream_preamble(call)
        longest = max((len(g.tokens) for g in gens), default=0)
        for t in range(longest):
            for i, g in enumerate(gens):
                if t < len(g.tokens):
                    events.append(Event(chunk([choice(i, g.tokens[t], None, "content")])))
        for i, g in enumerate(gens):
            events.append(Event(chunk([choice(i, "", FINISH[g.finish], "finish")]), "tail"))
        if include_usage:
            completion_tokens = sum(len(g.tokens) for g in gens)
            events.append(Event(chunk([], self._usage(prompt_tokens, completion_tokens)), "tail"))
        events.append(Event(DONE, "terminal"))
        return StreamReply(events)

    def op_embeddings(self, call: Call) -> Reply:
        body = call.body
        model = call.model or ""
        raw = body.get("input")
        if isinstance(raw, str):
            items: list[Any] = [raw]
        elif isinstance(raw, list) and raw and all(is_int(v) for v in raw):
            items = [raw]
        else:
            items = list(raw) if isinstance(raw, list) else [raw]
        dim = call.knobs.dim or body.get("dimensions") or embedding_dim(model)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        prompt_tokens = 0
        for i, item in enumerate(items):
            if isinstance(item, list):
                text = " ".join(str(v) for v in item)
                prompt_tokens += len(item)
            else:
                text = str(item)
                prompt_tokens += count_words(text)
            vector = embedding(model, text, dim)
            data.append(
                {"object": "embedding", "index": i, "embedding": embedding_base64(vector) if as_base64 else vector}
            )
        return json_reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
            },
        )


# ---------------------------------------------------------------------------------------- Databricks

DATABRICKS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    405: "BAD_REQUEST",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    502: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
    529: "TEMPORARILY_UNAVAILABLE",
}


class DatabricksDialect(OpenAIDialect):
    """Databricks model serving: OpenAI bodies, ``{"error_code", "message"}`` errors, Bearer PAT.

    Auth failures follow the REST API [unconfirmed for serving]: no credential → 401 UNAUTHENTICATED,
    a wrong token → 403 "Invalid access token." (PERMISSION_DENIED).
    """

    name = "databricks"
    title = "Databricks model serving"
    routes = (
        Route("POST", "/serving-endpoints/{endpoint}/invocations", "invocations"),
        Route("POST", "/serving-endpoints/chat/completions", "chat"),
        Route("POST", "/serving-endpoints/completions", "completions"),
        Route("POST", "/serving-endpoints/embeddings", "embeddings"),
    )
    max_n = 5
    completions_default_max_tokens = None
    completion_chunk_object = "text_completion_chunk"
    fingerprint = False
    message_extras: ClassVar[dict[str, Any]] = {}

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith(("/serving-endpoints", "/api/2.0/"))

    def check_access(self, call: Call) -> None:
        token = bearer(call.request.headers)
        if not token:
            raise ApiError(
                401, "Credential was not sent or was of an unsupported type for this API.", code="UNAUTHENTICATED"
            )
        if token != call.sim.api_key:
            raise ApiError(403, "Invalid access token.", code="PERMISSION_DENIED")

    def bad_json(self) -> ApiError:
        return ApiError(
            400, "Invalid JSON given in the body of the request - failed to parse.", code="MALFORMED_REQUEST"
        )

    def model_spec(self, call: Call) -> str | None:
        if "endpoint" in call.params:
            return unquote(call.params["endpoint"])
        return super().model_spec(call)

    def requires_model(self, call: Call) -> bool:
        return "endpoint" not in call.params

    def operation(self, call: Call) -> str:
        if call.route.op != "invocations":
            return call.route.op
        for key, op in (("messages", "chat"), ("prompt", "completions"), ("input", "embeddings")):
            if key in call.body:
                return op
        raise ApiError(
            400,
            "Invalid request: the body must contain one of 'messages' (chat), 'prompt' (completions) or "
            "'input' (embeddings).",
            code="BAD_REQUEST",
        )

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, f"No API found for '{request.method} {request.path}'", code="ENDPOINT_NOT_FOUND")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        code = err.code if err.code and err.code.isupper() else DATABRICKS_CODES.get(err.status, "INTERNAL_ERROR")
        return json_reply(err.status, {"error_code": code, "message": err.message}, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        name = call.model or "endpoint"
        retry = call.knobs.retry_after
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: "Credential was not sent or was of an unsupported type for this API.",
            403: "Invalid access token.",
            404: f"The given endpoint does not exist, please retry after checking the specified model and "
            f"version deployment exists: {name}",
            429: f"Exceeded rate limit for endpoint {name}. Please retry after {format_seconds(retry)} seconds.",
            500: "Internal error while serving the request.",
            502: "Bad gateway: the external model provider returned an invalid response.",
            503: "The service is temporarily unavailable. Please try again later.",
            529: "The external model provider is overloaded. Please try again later.",
        }
        headers = self.retry_headers(retry) if status in (429, 503, 529) else {}
        return ApiError(status, messages.get(status, "Internal error."), headers=headers)

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {"retry-after": format_seconds(seconds)}

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}
