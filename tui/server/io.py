"""Reading a request: its workspace, a bounded JSON body and query parameters, each refusal a Databricks error."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from tui.domain.base import parse_user_input
from tui.domain.checks import parse_json_text
from tui.domain.errors import InvalidParameterValue
from tui.server.errors import RequestTooLarge
from tui.workspace.protocol import Workspace

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body read (a secret holds at most 128 KB, an endpoint's JSON a few KB)."""

M = TypeVar("M", bound=BaseModel)


def workspace_of(request: Request) -> Workspace:
    """The workspace, acting as the user of the request's token (set by
    :class:`~tui.server.middleware.BearerAuth`), so creators, per-user limits and usage are theirs; as the
    workspace's own user for the routes that need no token (the host-metadata probe)."""
    workspace: Workspace = request.app.state.workspace
    user = request.scope.get("state", {}).get("user")
    return workspace.as_user(user) if user else workspace


async def read_body(request: Request, what: str, model: type[M]) -> M:
    """The body as ``model``: too large → 413, not JSON or not what ``model`` takes → INVALID_PARAMETER_VALUE.

    An empty body reads as ``{}`` (a client may send none when every field is optional).
    """
    data = await _bounded_bytes(request)
    return parse_user_input(model, _json(data) if data.strip() else {}, what)


async def _bounded_bytes(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large(None)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int | None) -> RequestTooLarge:
    got = f" ({size:,} bytes)" if size is not None else ""
    return RequestTooLarge(f"The request body is too large{got}; the limit is {MAX_BODY_BYTES:,} bytes")


def _json(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidParameterValue(f"The request body is not valid UTF-8 (byte {err.start + 1})") from None
    return parse_json_text(text, "The request body")


def query_param(request: Request, name: str) -> str:
    """A required query parameter (``?scope=...``)."""
    value = request.query_params.get(name)
    if value is None or not value.strip():
        raise InvalidParameterValue(f"Missing required parameter '{name}' (as ?{name}=...)")
    return value
