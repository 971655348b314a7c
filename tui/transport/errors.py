"""Provider HTTP failures -> typed errors with a message a person can act on."""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from tui.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderTimeout,
)

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "apim-request-id", "x-databricks-request-id")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def provider_message(body: bytes | str | Any) -> str:
    """The human part of a provider's error body, whatever its shape (OpenAI, Anthropic, Databricks...)."""
    data: Any = body
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            data = json.loads(text)
        except ValueError:
            text = " ".join(text.split())
            return text[:300] if text else "(empty response)"
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            desc = data.get("error_description")
            return f"{err}: {desc}" if desc else err
        for key in ("message", "detail", "error_description"):
            if data.get(key):
                return str(data[key]) if not isinstance(data[key], list) else json.dumps(data[key])[:300]
    return json.dumps(data)[:300]


def _duration_seconds(text: str) -> float | None:
    parts = _DURATION_RE.findall(text)
    if not parts:
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """When to retry, from ``retry-after-ms``, ``retry-after`` (seconds or HTTP date) or ``x-ratelimit-reset-*``."""
    if value := headers.get("retry-after-ms"):
        try:
            return float(value) / 1000
        except ValueError:
            pass
    if value := headers.get("retry-after"):
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value) if value else None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        if value := headers.get(name):
            seconds = _duration_seconds(value)
            if seconds is not None:
                return seconds
    return None


def retry_delay_in_body(body: bytes | str | Any) -> float | None:
    """Google's ``google.rpc.RetryInfo`` ``retryDelay`` ("37s") in the ``details`` of an error body."""
    data: Any = body
    if isinstance(body, (bytes, str)):
        try:
            data = json.loads(body)
        except ValueError:
            return None
    err = data.get("error") if isinstance(data, dict) else None
    details = err.get("details") if isinstance(err, dict) else None
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            return _duration_seconds(str(detail.get("retryDelay", "")))
    return None


def request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        if value := headers.get(name):
            return value
    return None


def error_from_response(
    provider: str, status: int, headers: Mapping[str, str], body: bytes | str | Any
) -> ProviderError:
    """The typed error for an HTTP error answer from ``provider`` (its display name)."""
    message = provider_message(body).rstrip(". ")  # our own sentence follows: no "..", no ". ."
    common: dict[str, Any] = {
        "provider": provider,
        "provider_status": status,
        "provider_request_id": request_id(headers),
    }
    if status in (401, 403, 498):  # 498: Cohere's "invalid token"
        what = {401: "refused the API key", 403: "denied access", 498: "refused the token"}[status]
        return ProviderAuthError(
            f"{provider} {what} ({status}): {message}. Check the key the endpoint refers to.", **common
        )
    if status == 429:
        retry = retry_after_seconds(headers) or retry_delay_in_body(body)
        quota = "insufficient_quota" in json.dumps(
            body if not isinstance(body, bytes) else body.decode("utf-8", "replace")
        )
        hint = " The account's quota is used up; retrying will not help." if quota else ""
        return ProviderRateLimited(
            f"{provider} rate limit hit (429): {message}.{hint}", retry_after=None if quota else retry, **common
        )
    if status in (503, 529):
        return ProviderOverloaded(
            f"{provider} is overloaded ({status}): {message}",
            retry_after=retry_after_seconds(headers) or retry_delay_in_body(body),
            **common,
        )
    if status in (408, 504):
        return ProviderTimeout(f"{provider} timed out ({status}): {message}", **common)
    if status in (400, 404, 409, 413, 422):
        err = ProviderRequestError(f"{provider} rejected the request ({status}): {message}", **common)
        err.http_status = status
        return err
    if status == 499:  # Cohere: the request was cancelled before it finished
        return ProviderError(f"{provider} cancelled the request (499): {message}", **common)
    return ProviderError(f"{provider} failed ({status}): {message}", **common)


_EVENT_STATUS = {
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "overloaded_error": 529,
    "authentication_error": 401,
    "permission_error": 403,
    "invalid_request_error": 400,
    "not_found_error": 404,
    "timeout_error": 504,
}


def error_from_stream_event(provider: str, body: dict[str, Any]) -> ProviderError:
    """The typed error for an error reported *inside* a 200 stream (Anthropic ``event: error``,
    OpenAI ``data: {"error": ...}``)."""
    err = body.get("error")
    kind = str(err.get("type") or err.get("code") or "") if isinstance(err, dict) else ""
    status = _EVENT_STATUS.get(kind, 500)
    typed = error_from_response(provider, status, {}, body)
    typed.message = f"{typed.message} (reported mid-stream)"
    typed.args = (typed.message,)
    return typed
