"""Every failure as a Databricks error body ``{"error_code", "message"}`` with its HTTP status, never a trace."""

from __future__ import annotations

import math

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from tui.domain.errors import SwitchboardError


class Unauthenticated(SwitchboardError):
    error_code = "UNAUTHENTICATED"
    http_status = 401


class BadRequest(SwitchboardError):
    error_code = "BAD_REQUEST"
    http_status = 400


class RequestTooLarge(SwitchboardError):
    error_code = "REQUEST_TOO_LARGE"
    http_status = 413


class NotSupported(SwitchboardError):
    """A Databricks API this server knows of but does not offer (the SDK reads 501 as NotImplemented)."""

    error_code = "NOT_IMPLEMENTED"
    http_status = 501


class ApiNotFound(SwitchboardError):
    """No route for this method and path: Databricks' own wording and code for it."""

    error_code = "ENDPOINT_NOT_FOUND"
    http_status = 404

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"No API found for '{method} {path}'")


def error_response(err: SwitchboardError) -> JSONResponse:
    headers = {}
    if err.retry_after:
        headers["Retry-After"] = str(max(1, math.ceil(err.retry_after)))  # never early
    if isinstance(err, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(err.to_json(), status_code=err.http_status, headers=headers)


async def on_switchboard_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SwitchboardError)
    return error_response(exc)


async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals: no route (404) or not this method (405) both read as Databricks' 404."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return error_response(ApiNotFound(request.method, request.url.path))
    err = SwitchboardError(str(exc.detail))
    err.http_status = exc.status_code
    err.error_code = "BAD_REQUEST" if exc.status_code < 500 else "INTERNAL_ERROR"
    return error_response(err)


def internal_error() -> JSONResponse:
    """What a caller sees of a bug: that it happened, nothing of where (the trace is in the server's log)."""
    return error_response(SwitchboardError("Internal error; the server's log has the details"))
