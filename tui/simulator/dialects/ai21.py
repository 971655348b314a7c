"""AI21 Labs Jamba chat (providers.md §8): ``POST /studio/v1/chat/completions`` with a bearer key, OpenAI's
names, answers without ``object``/``created``/``model``, usage on the last stream chunk, FastAPI-style
``{"detail": ...}`` errors.

[unconfirmed] The exact error sentences, and that ``stream_options`` is refused (422), are simulator
assumptions: the refusal makes a translation that sends it fail loudly.
"""

from __future__ import annotations

from typing import ClassVar

from tui.simulator.dialects.base import ApiError, Call, RecordedRequest, Reply, Route, bearer, json_reply, sse
from tui.simulator.dialects.usage_last import UsageLastDialect

BAD_TOKEN = "Forbidden: Bad or missing API token."


class AI21Dialect(UsageLastDialect):
    name = "ai21"
    title = "AI21 Labs (Jamba)"
    routes: ClassVar[tuple[Route, ...]] = (Route("POST", "/studio/v1/chat/completions", "chat"),)
    max_n = 16
    envelope = False
    id_prefix = "chat-sim"

    def owns(self, request: RecordedRequest) -> bool:
        return request.path == "/studio" or request.path.startswith("/studio/")

    def check_access(self, call: Call) -> None:
        if bearer(call.request.headers) != call.sim.api_key:
            raise ApiError(401, BAD_TOKEN)

    def bad_json(self) -> ApiError:
        return ApiError(422, "JSON decode error")

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, "Not Found")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        return json_reply(err.status, {"detail": err.message}, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        messages = {
            400: "The simulator rejected this request (fault=400).",
            401: BAD_TOKEN,
            403: "Forbidden: this API key may not use the requested model.",
            404: f"Model {call.model} not found",
            429: "Too many requests",
            500: "Internal server error",
            503: "Service unavailable",
        }
        return self.table_fault(status, call, messages)

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}

    def stream_error_event(self, call: Call) -> bytes:
        return sse({"error": {"message": "Internal server error", "type": "server_error", "code": None}})
