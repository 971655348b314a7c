"""Mistral AI (providers.md §9) under ``/mistral/v1`` (its real base is ``https://api.mistral.ai/v1``; the
prefix keeps it apart from OpenAI's ``/v1`` on the one simulator port): chat and embeddings with a bearer
key, ``random_seed`` instead of ``seed``, usage on the last stream chunk, a mid-stream failure reported as
finish reason ``error``.

[unconfirmed] Error bodies follow the spec's sketch (``{"message": "Unauthorized", "request_id"}`` for a bad
key, ``{"object": "error", ...}`` otherwise); refusing ``seed`` and ``stream_options`` with a 422 is a
simulator assumption that makes a translation which sends them fail loudly.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from tui.simulator.dialects.base import ApiError, Call, RecordedRequest, Reply, Route, bearer, json_reply, sse
from tui.simulator.dialects.openai_replies import embeddings_reply
from tui.simulator.dialects.usage_last import UsageLastDialect

UNAUTHORIZED = "Unauthorized"


class MistralDialect(UsageLastDialect):
    name = "mistral"
    title = "Mistral AI"
    routes: ClassVar[tuple[Route, ...]] = (
        Route("POST", "/mistral/v1/chat/completions", "chat"),
        Route("POST", "/mistral/v1/embeddings", "embeddings"),
    )
    refused_fields = ("stream_options", "seed")

    def owns(self, request: RecordedRequest) -> bool:
        return request.path == "/mistral" or request.path.startswith("/mistral/")

    def check_access(self, call: Call) -> None:
        if bearer(call.request.headers) != call.sim.api_key:
            raise ApiError(401, UNAUTHORIZED)

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, "Not Found", type="invalid_request_error")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        if err.status == 401:
            body: dict[str, object] = {"message": err.message, "request_id": call.request_id if call else ""}
        else:
            etype = err.type or ("internal_server_error" if err.status >= 500 else "invalid_request_error")
            body = {"object": "error", "message": err.message, "type": etype, "param": err.param, "code": err.code}
        return json_reply(err.status, body, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: UNAUTHORIZED,
            403: "You do not have access to this model.",
            404: f"Invalid model: {call.model}",
            429: "Requests rate limit exceeded",
            500: "Internal server error",
            503: "Service unavailable",
        }
        return self.table_fault(status, call, messages)

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}

    def stream_error_event(self, call: Call) -> bytes:
        choice = {"index": 0, "delta": {"content": ""}, "finish_reason": "error"}
        return sse(
            {"id": "chatcmpl-sim-error", "object": "chat.completion.chunk", "model": call.model, "choices": [choice]}
        )

    def op_embeddings(self, call: Call) -> Reply:
        body = dict(call.body)
        if "output_dimension" in body:
            body["dimensions"] = body.pop("output_dimension")
        return embeddings_reply(replace(call, body=body))
