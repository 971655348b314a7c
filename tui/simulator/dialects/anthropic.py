"""Anthropic Messages API and legacy Text Completions (providers.md §3): ``x-api-key`` and
``anthropic-version`` headers, named SSE events, ``{"type":"error",...}`` bodies, 529 overloaded.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

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
from tui.simulator.text import Generation, generate

VERSION_RE = re.compile(r"\d{4}-\d{2}-\d{2}")  # e.g. 2023-06-01 (MLflow's default) or a newer SDK's date
HUMAN = "\n\nHuman:"
ASSISTANT = "\n\nAssistant:"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
# Fields of the OpenAI format that the Messages API refuses: a translation bug shows up as a real 400.
OPENAI_ONLY = (
    "n",
    "stop",
    "frequency_penalty",
    "presence_penalty",
    "logprobs",
    "top_logprobs",
    "max_completion_tokens",
    "stream_options",
    "response_format",
    "seed",
    "user",
    "logit_bias",
    "parallel_tool_calls",
)
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}


def _rfc3339(seconds_from_now: float) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class AnthropicDialect(Dialect):
    name = "anthropic"
    title = "Anthropic"
    routes = (
        Route("POST", "/v1/messages", "messages"),
        Route("POST", "/v1/complete", "complete"),
    )

    def owns(self, request: RecordedRequest) -> bool:
        # /v1/* is shared with OpenAI: Anthropic clients always send anthropic-version.
        return request.path.startswith("/v1/") and "anthropic-version" in request.headers

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        """``x-api-key: <key>`` (the classic header) or ``Authorization: Bearer <key>`` (what current SDKs send),
        then an ``anthropic-version`` date."""
        headers = call.request.headers
        key = headers.get("x-api-key")
        if key is not None:
            if key != call.sim.api_key:
                raise ApiError(401, "invalid x-api-key")
        else:
            token = bearer(headers)
            if token is None:
                raise ApiError(401, "x-api-key header is required")
            if token != call.sim.api_key:
                raise ApiError(401, "Invalid bearer token")
        version = headers.get("anthropic-version")
        if not version:
            raise ApiError(400, "anthropic-version: header is required")
        if not VERSION_RE.fullmatch(version):
            raise ApiError(400, f"anthropic-version: invalid version '{version}'")

    def bad_json(self) -> ApiError:
        return ApiError(400, "There was an issue with your request body: it is not valid JSON.")

    # ------------------------------------------------------------------------------------ shapes
    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, "Not Found")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        etype = err.type or ERROR_TYPES.get(err.status, "api_error" if err.status >= 500 else "invalid_request_error")
        request_id = call.request_id if call else "req_sim" + secrets.token_hex(12)
        body = {"type": "error", "error": {"type": etype, "message": err.message}, "request_id": request_id}
        return json_reply(err.status, body, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: "invalid x-api-key",
            403: "Your API key does not have permission to use the specified resource.",
            404: f"model: {call.model}",
            429: "This request would exceed the rate limit for your organization of 50 requests per minute. "
            "For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers "
            "for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.",
            500: "Internal server error",
            502: "Bad gateway",
            503: "Service unavailable",
            529: "Overloaded",
        }
        return self.table_fault(status, call, messages)

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {
            "retry-after": str(max(0, math.ceil(seconds))),
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": _rfc3339(seconds),
        }

    def response_headers(self, call: Call) -> dict[str, str]:
        return {
            "request-id": call.request_id,
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "49",
            "anthropic-ratelimit-requests-reset": _rfc3339(1.2),
        }

    def stream_error_event(self, call: Call) -> bytes:
        return sse({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, "error")

    # -------------------------------------------------------------------------------- validation
    def validate(self, call: Call) -> None:
        body = call.body
        if not isinstance(body.get("model"), str) or not body["model"]:
            raise ApiError(400, "model: Field required")
        for name in OPENAI_ONLY:
            if name in body:
                raise ApiError(400, f"{name}: Extra inputs are not permitted")
        if call.op == "complete":
            self._validate_complete(body)
            return
        if "max_tokens" not in body:
            raise ApiError(400, "max_tokens: Field required")
        max_tokens = body["max_tokens"]
        if not is_int(max_tokens):
            raise ApiError(400, "max_tokens: Input should be a valid integer")
        if max_tokens < 1:
            raise ApiError(400, "max_tokens: Input should be greater than or equal to 1")
        messages = body.get("messages")
        if messages is None:
            raise ApiError(400, "messages: Field required")
        if not isinstance(messages, list):
            raise ApiError(400, "messages: Input should be a valid list")
        if not messages:
            raise ApiError(400, "messages: at least one message is required")
        for i, message in enumerate(messages):
            if not isinstance(message, dict):
                raise ApiError(400, f"messages.{i}: Input should be a valid dictionary")
            role = message.get("role")
            if role == "system":
                raise ApiError(
                    400,
                    'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, '
                    'not "system" as an input message role.',
                )
            if role not in ("user", "assistant"):
                raise ApiError(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
            if "content" not in message:
                raise ApiError(400, f"messages.{i}.content: Field required")
        self._validate_sampling(body)
        stops = body.get("stop_sequences")
        if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
            raise ApiError(400, "stop_sequences: Input should be a valid list of strings")

    @staticmethod
    def _validate_sampling(body: dict[str, Any]) -> None:
        temperature = body.get("temperature")
        if temperature is not None and (not is_number(temperature) or not 0 <= temperature <= 1):
            raise ApiError(400, "temperature: range: 0..1")
        top_p = body.get("top_p")
        if top_p is not None and (not is_number(top_p) or not 0 <= top_p <= 1):
            raise ApiError(400, "top_p: range: 0..1")

    def _validate_complete(self, body: dict[str, Any]) -> None:
        prompt = body.get("prompt")
        if prompt is None:
            raise ApiError(400, "prompt: Field required")
        if not isinstance(prompt, str):
            raise ApiError(400, "prompt: Input should be a valid string")
        if HUMAN not in prompt:
            raise ApiError(400, 'prompt must start with "\\n\\nHuman:" turn after an optional system prompt')
        if not prompt.endswith(ASSISTANT):
            raise ApiError(400, 'prompt must end with "\\n\\nAssistant:" turn')
        value = body.get("max_tokens_to_sample")
        if value is None:
            raise ApiError(400, "max_tokens_to_sample: Field required")
        if not is_int(value) or value < 1:
            raise ApiError(400, "max_tokens_to_sample: Input should be a valid integer >= 1")
        self._validate_sampling(body)

    # -------------------------------------------------------------------------------- responses
    def _generate(
        self, call: Call, seed_text: str, max_tokens: int, stops: list[str], topic: str | None = None
    ) -> Generation:
        return generate(
            call.model or "", seed_text, 0, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops, topic=topic
        )

    def op_messages(self, call: Call) -> Reply | StreamReply:
        body = call.body
        model = call.model or ""
        seed_text, input_tokens, topic = chat_prompt(body["messages"], content_text(body.get("system")))
        stops = [s for s in body.get("stop_sequences") or [] if isinstance(s, str)]
        gen = self._generate(call, seed_text, body["max_tokens"], stops, topic)
        mid = "msg_sim" + secrets.token_hex(10)
        stop_reason = STOP_REASONS[gen.finish]
        usage = {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": gen.count,
        }
        if not call.stream:
            return json_reply(
                200,
                {
                    "id": mid,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": gen.text}],
                    "stop_reason": stop_reason,
                    "stop_sequence": gen.stop_sequence,
                    "usage": usage,
                },
                tokens=gen.count,
            )
        start = {
            "type": "message_start",
            "message": {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {**usage, "output_tokens": 1},
            },
        }
        block_start = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
        end = {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": gen.stop_sequence},
            "usage": {"output_tokens": gen.count},
        }

        def events() -> Iterator[Event]:
            yield Event(sse(start, "message_start"), "head")
            yield Event(sse(block_start, "content_block_start"), "head")
            yield Event(sse({"type": "ping"}, "ping"), "head")
            for token in gen:
                delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}}
                yield Event(sse(delta, "content_block_delta"))
            yield Event(sse({"type": "content_block_stop", "index": 0}, "content_block_stop"), "tail")
            yield Event(sse(end, "message_delta"), "tail")
            yield Event(sse({"type": "message_stop"}, "message_stop"), "terminal")

        return StreamReply(events)

    def op_complete(self, call: Call) -> Reply | StreamReply:
        body = call.body
        model = call.model or ""
        prompt = body["prompt"]
        stops = [s for s in body.get("stop_sequences") or [] if isinstance(s, str)]
        human = prompt.rsplit(HUMAN, 1)[-1].rsplit(ASSISTANT, 1)[0]
        gen = self._generate(call, prompt, body["max_tokens_to_sample"], stops, human)
        cid = "compl_sim" + secrets.token_hex(10)
        lead = " " if gen.count else ""  # legacy completions start with a space after "Assistant:"
        if gen.finish == "length":
            stop_reason, stop = "max_tokens", None
        else:
            stop_reason, stop = "stop_sequence", gen.stop_sequence or HUMAN
        if not call.stream:
            return json_reply(
                200,
                {
                    "type": "completion",
                    "id": cid,
                    "completion": lead + gen.text,
                    "stop_reason": stop_reason,
                    "stop": stop,
                    "model": model,
                    "log_id": cid,
                },
                tokens=gen.count,
            )

        def event(text: str, reason: str | None, stop_value: str | None) -> bytes:
            data = {
                "type": "completion",
                "id": cid,
                "completion": text,
                "stop_reason": reason,
                "model": model,
                "stop": stop_value,
                "log_id": cid,
            }
            return sse(data, "completion")

        def events() -> Iterator[Event]:
            yield Event(sse({"type": "ping"}, "ping"), "head")
            for i, token in enumerate(gen):
                yield Event(event(lead + token if i == 0 else token, None, None))
            yield Event(event("", stop_reason, stop), "terminal")

        return StreamReply(events)
