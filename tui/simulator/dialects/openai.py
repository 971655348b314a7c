"""OpenAI Chat Completions / Completions / Embeddings, also used for OpenAI-compatible servers (vLLM,
llama.cpp, Ollama ``/v1``, a Databricks ``custom`` provider). Azure OpenAI and Databricks model serving
build on this dialect (their own modules).

Shapes follow providers.md §1, §10, §11. Validation is :mod:`.openai_checks`, answers :mod:`.openai_replies`.
"""

from __future__ import annotations

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
    format_seconds,
    json_reply,
    mask_key,
    sse,
)
from tui.simulator.dialects.openai_checks import check_embeddings, check_messages, check_prompt, check_sampling
from tui.simulator.dialects.openai_replies import CHAT, COMPLETIONS, Shape, embeddings_reply, generated_reply
from tui.simulator.dialects.request_values import chat_prompt, completion_prompts, is_int, stop_list
from tui.simulator.text import count_words, generate

MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
    "you're accessing the API from your browser and are prompted for a username. You can obtain an API key "
    "from https://platform.openai.com/account/api-keys."
)
UNKNOWN_STREAM_OPTIONS = "Unrecognized request argument supplied: stream_options"
"""What Azure's older API versions and OpenAI-shaped proxies say (``reject_stream_options=1``)."""
BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
    "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)


def duration(seconds: float) -> str:
    """OpenAI's ``x-ratelimit-reset-*`` format: ``20ms``, ``1s``, ``6m0s``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, secs = divmod(seconds, 60)
    if minutes:
        return f"{int(minutes)}m{format_seconds(round(secs, 3))}s"
    return f"{format_seconds(round(secs, 3))}s"


class OpenAIDialect(Dialect):
    name = "openai"
    title = "OpenAI / OpenAI-compatible"
    routes: ClassVar[tuple[Route, ...]] = (
        Route("POST", "/v1/chat/completions", "chat"),
        Route("POST", "/v1/completions", "completions"),
        Route("POST", "/v1/embeddings", "embeddings"),
    )

    max_n: ClassVar[int] = 128
    completions_default_max_tokens: ClassVar[int | None] = 16  # the legacy endpoint's real default
    completions_shape: ClassVar[Shape] = COMPLETIONS
    fingerprint: ClassVar[bool] = True
    """Whether answers carry ``system_fingerprint``, token details and ``refusal`` (OpenAI's own service)."""
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
        if call.knobs.reject_stream_options and "stream_options" in body:
            raise ApiError(400, UNKNOWN_STREAM_OPTIONS, type="invalid_request_error")
        if self.requires_model(call) and not (isinstance(body.get("model"), str) and body["model"]):
            raise ApiError(400, "you must provide a model parameter", type="invalid_request_error")
        if call.op == "chat":
            check_messages(body)
            check_sampling(body, self.max_n)
        elif call.op == "completions":
            check_prompt(body)
            check_sampling(body, self.max_n)
        else:
            check_embeddings(body)

    # ------------------------------------------------------------- extras of derived dialects
    def choice_extra(self, kind: str) -> dict[str, Any]:
        """Fields added to each choice; ``kind`` is ``role``, ``content``, ``finish`` or ``final`` (whole answer)."""
        return {}

    def body_extra(self, call: Call) -> dict[str, Any]:
        """Fields added to a whole answer."""
        return {}

    def stream_preamble(self, call: Call) -> list[Event]:
        """Events sent before the first chunk of a stream."""
        return []

    # -------------------------------------------------------------------------------- responses
    def _max_tokens(self, call: Call, default: int | None = None) -> int | None:
        body = call.body
        value = body.get("max_completion_tokens")
        if value is None:
            value = body.get("max_tokens")
        return value if is_int(value) else default

    def op_chat(self, call: Call) -> Reply | StreamReply:
        body = call.body
        seed_text, prompt_tokens, topic = chat_prompt(body["messages"])
        max_tokens = self._max_tokens(call)
        stops = stop_list(body.get("stop"))
        gens = [
            generate(
                call.model or "", seed_text, i, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops, topic=topic
            )
            for i in range(body.get("n") or 1)
        ]
        return generated_reply(self, call, CHAT, gens, prompt_tokens)

    def op_completions(self, call: Call) -> Reply | StreamReply:
        body = call.body
        prompts = completion_prompts(body.get("prompt"))
        max_tokens = self._max_tokens(call, self.completions_default_max_tokens)
        stops = stop_list(body.get("stop"))
        gens = [
            generate(call.model or "", p, i, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops)
            for p in prompts
            for i in range(body.get("n") or 1)
        ]
        prompt_tokens = sum(count_words(p) for p in prompts)
        return generated_reply(self, call, self.completions_shape, gens, prompt_tokens)

    def op_embeddings(self, call: Call) -> Reply:
        return embeddings_reply(call)
