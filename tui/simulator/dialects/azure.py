"""Azure OpenAI (providers.md §2): deployments in the path, ``api-version`` query, ``api-key`` header or an
Entra ID bearer token, Azure error bodies, content-filter extras; plus the Entra ID client-credentials token
endpoint (``/{tenant}/oauth2/v2.0/token``).
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import time
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from tui.simulator.dialects.base import (
    ApiError,
    Call,
    Event,
    RecordedRequest,
    Reply,
    Route,
    bearer,
    json_reply,
    sse,
)
from tui.simulator.dialects.openai import OpenAIDialect

COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
COGNITIVE_AUDIENCE = "https://cognitiveservices.azure.com"
API_VERSION_RE = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")

INVALID_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for "
    "an active subscription and use a correct regional API endpoint for your resource."
)
MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription key when making "
    "requests to an API."
)
BAD_TOKEN = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), "
    "or have expired."
)

_SAFE = {"filtered": False, "severity": "safe"}
CONTENT_FILTER_RESULTS = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}
PROMPT_FILTER_RESULTS = [
    {
        "prompt_index": 0,
        "content_filter_results": {**CONTENT_FILTER_RESULTS, "jailbreak": {"filtered": False, "detected": False}},
    }
]
_MISSING = "The request body must contain the following parameter: '{}'."
OPERATIONS = {"chat": "ChatCompletions_Create", "completions": "Completions_Create", "embeddings": "Embeddings_Create"}


class AzureOpenAIDialect(OpenAIDialect):
    name = "azure"
    title = "Azure OpenAI"
    routes = (
        Route("POST", "/openai/deployments/{deployment}/chat/completions", "chat"),
        Route("POST", "/openai/deployments/{deployment}/completions", "completions"),
        Route("POST", "/openai/deployments/{deployment}/embeddings", "embeddings"),
        # the newer "v1" surface: model (= deployment) in the body, no api-version
        Route("POST", "/openai/v1/chat/completions", "chat"),
        Route("POST", "/openai/v1/completions", "completions"),
        Route("POST", "/openai/v1/embeddings", "embeddings"),
        Route("POST", "/{tenant}/oauth2/v2.0/token", "token", body="form", auth=False, knobs=False),
    )

    def owns(self, request: RecordedRequest) -> bool:
        return request.path.startswith("/openai/") or "/oauth2/" in request.path

    # ------------------------------------------------------------------------------------ access
    def check_access(self, call: Call) -> None:
        if "deployment" in call.params:
            version = call.request.query.get("api-version")
            if not version:
                raise ApiError(404, "Resource not found", code="404")
            if not API_VERSION_RE.fullmatch(version):
                raise ApiError(400, f"API version not supported: {version}", code="BadRequest")
        headers = call.request.headers
        key = headers.get("api-key")
        if key is not None:
            if key != call.sim.api_key:
                raise ApiError(401, INVALID_KEY, code="401")
            return
        token = bearer(headers)
        if token is None:
            raise ApiError(401, MISSING_KEY, code="401")
        if call.sim.token_audience(token) != COGNITIVE_AUDIENCE:
            raise ApiError(401, BAD_TOKEN, code="401")

    def model_spec(self, call: Call) -> str | None:
        if "deployment" in call.params:
            return unquote(call.params["deployment"])
        return super().model_spec(call)

    def requires_model(self, call: Call) -> bool:
        return "deployment" not in call.params

    def bad_json(self) -> ApiError:
        return ApiError(400, "Invalid JSON in the request body.", code="BadRequest")

    # ------------------------------------------------------------------------------------ shapes
    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, "Resource not found", code="404")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        error: dict[str, Any] = {"code": err.code or str(err.status), "message": err.message}
        if err.param is not None or err.type is not None:
            # validation errors come from the OpenAI service behind the gateway, in OpenAI's fields
            error["param"] = err.param
            error["type"] = err.type or "invalid_request_error"
        return json_reply(err.status, {"error": error}, err.headers)

    def fault_error(self, status: int, call: Call) -> ApiError:
        retry = call.knobs.retry_after
        headers = self.fault_headers(status, call)
        if status == 429:
            version = call.request.query.get("api-version", "v1")
            seconds = max(1, math.ceil(retry))
            message = (
                f"Requests to the {OPERATIONS.get(call.op, 'ChatCompletions_Create')} Operation under Azure OpenAI "
                f"API version {version} have exceeded token rate limit of your current OpenAI S0 pricing tier. "
                f"Please retry after {seconds} second{'s' if seconds != 1 else ''}. Please go here: "
                "https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."
            )
            return ApiError(429, message, code="429", headers=headers)
        known: dict[int, tuple[str, str]] = {
            400: ("BadRequest", "The simulator rejected this request (fault=400)."),
            401: ("401", INVALID_KEY),
            403: ("PermissionDenied", "Principal does not have access to API/Operation."),
            404: (
                "DeploymentNotFound",
                "The API deployment for this resource does not exist. If you created the deployment within the "
                "last 5 minutes, please wait a moment and try again.",
            ),
            500: ("InternalServerError", "Backend returned unexpected response. Please contact Microsoft for help."),
            502: ("BadGateway", "Bad gateway."),
            503: (
                "ServiceUnavailable",
                "The service is temporarily unable to process your request. Please try again later.",
            ),
            529: ("529", "The server is overloaded. Please try again later."),
        }
        code, message = known.get(status, (str(status), "Error."))
        return ApiError(status, message, code=code, headers=headers)

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {
            "retry-after": str(max(0, math.ceil(seconds))),
            "retry-after-ms": str(round(seconds * 1000)),
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-remaining-tokens": "0",
        }

    def response_headers(self, call: Call) -> dict[str, str]:
        return {
            "apim-request-id": str(uuid.uuid4()),
            "x-request-id": call.request_id,
            "x-ms-region": "Simulated Central",
            "x-ratelimit-remaining-requests": "99",
            "x-ratelimit-remaining-tokens": "99000",
        }

    # --------------------------------------------------------------------------------- extras
    def choice_extra(self, kind: str) -> dict[str, Any]:
        if kind == "role":
            return {"content_filter_results": {}}
        if kind in ("content", "final"):
            return {"content_filter_results": CONTENT_FILTER_RESULTS}
        return {"content_filter_results": {}}

    def body_extra(self, call: Call) -> dict[str, Any]:
        return {"prompt_filter_results": PROMPT_FILTER_RESULTS}

    def stream_preamble(self, call: Call) -> list[Event]:
        data = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": PROMPT_FILTER_RESULTS,
        }
        return [Event(sse(data), "head")]

    # ----------------------------------------------------------------------- Entra ID token endpoint
    def op_token(self, call: Call) -> Reply:
        call.sim.token_requests += 1
        form = call.body
        if form.get("grant_type") is None:
            return _aad_error(400, "invalid_request", 900144, _MISSING.format("grant_type"))
        if form.get("grant_type") != "client_credentials":
            return _aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        if not form.get("client_id"):
            return _aad_error(400, "invalid_request", 900144, _MISSING.format("client_id"))
        scope = form.get("scope")
        if not scope:
            return _aad_error(400, "invalid_request", 900144, _MISSING.format("scope"))
        if not scope.endswith("/.default"):
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows must have a scope "
                "value with /.default suffixed to the resource identifier (application ID URI).",
            )
        secret = form.get("client_secret")
        if not secret:
            return _aad_error(
                401,
                "invalid_client",
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
            )
        if secret != call.sim.api_key:
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{form.get('client_id')}'.",
            )
        audience = scope[: -len("/.default")]
        token, expires_in = call.sim.issue_token(audience)
        return json_reply(
            200,
            {"token_type": "Bearer", "expires_in": expires_in, "ext_expires_in": expires_in, "access_token": token},
        )


def _aad_error(status: int, error: str, code: int, description: str) -> Reply:
    trace_id = str(uuid.uuid4())
    correlation_id = str(uuid.uuid4())
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    return json_reply(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: "
            f"{correlation_id} Timestamp: {stamp}",
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        },
    )


def make_token(audience: str, expires_at: float) -> str:
    """A JWT-looking (simulated, not verifiable) access token."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = {"typ": "JWT", "alg": "RS256", "kid": "sim"}
    claims = {
        "aud": audience,
        "iss": "https://sts.windows.net/simulated/",
        "iat": int(time.time()),
        "exp": int(expires_at),
        "sim": "switchboard",
        "jti": secrets.token_hex(8),
    }
    return f"{part(header)}.{part(claims)}.{secrets.token_urlsafe(16)}"
