"""Databricks model serving (``/serving-endpoints/{name}/invocations`` and the OpenAI-style paths under
``/serving-endpoints``): OpenAI's bodies with Databricks-shaped errors and a Bearer PAT.

Shapes follow databricks-api.md §5.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import unquote

from tui.simulator.dialects.base import (
    ApiError,
    Call,
    RecordedRequest,
    Reply,
    Route,
    bearer,
    format_seconds,
    json_reply,
)
from tui.simulator.dialects.openai import OpenAIDialect
from tui.simulator.dialects.openai_replies import COMPLETIONS, Shape

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
    completions_shape: ClassVar[Shape] = replace(COMPLETIONS, chunk_object="text_completion_chunk")
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
        return self.table_fault(status, call, messages, fallback="Internal error.")

    def response_headers(self, call: Call) -> dict[str, str]:
        return {"x-request-id": call.request_id}
