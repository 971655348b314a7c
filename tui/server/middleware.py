"""Around every request: one log line (method, path, status, ms, user) and a last-resort 500; bearer-token auth.

Both are plain ASGI middleware, so a streamed answer passes through them unbuffered.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.domain.errors import SwitchboardError
from tui.domain.text import printable
from tui.server.errors import Unauthenticated, error_response, internal_error
from tui.workspace.protocol import Workspace
from tui.workspace.tokens import VALUE_PREFIXES, Identity

log = logging.getLogger("switchboard.serve")

OPEN_PATHS = frozenset({"/.well-known/databricks-config"})
"""Asked by the clients before they authenticate (the Databricks SDK's host-metadata probe)."""


class AccessLog:
    """Logs each request once it is answered; an exception escaping the app becomes a bare 500, its trace logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_and_note(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            log.exception("Unexpected error answering %s %s", scope["method"], printable(scope["path"]))
            if not response_started:
                await internal_error()(scope, receive, send)
        finally:
            user = scope.get("state", {}).get("user") or "-"
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms %s", scope["method"], _loggable(scope["path"]), status, elapsed, user)


_TOKEN_VALUE = re.compile("(?<=/)(" + "|".join(map(re.escape, VALUE_PREFIXES)) + r")[^/]+")
"""A path segment that starts as a token value does."""


def _loggable(path: str) -> str:
    """The path on one line, no escape sequence (it comes from the caller); the query string is left out.

    A segment starting as a token value does (one put where an id belongs, as in ``DELETE
    /api/2.0/token-management/tokens/<value>``) is cut to its prefix: no value reaches the log.
    """
    path = _TOKEN_VALUE.sub(lambda m: m.group(1) + "[REDACTED]", path)
    return printable(path).replace("\n", "\\n").replace(" ", "%20")


def caller(request: Request) -> Identity:
    """Who sent ``request``, as :class:`BearerAuth` found out from its token."""
    state = request.scope.get("state", {})
    return Identity(state["user"], bool(state.get("admin")))


class BearerAuth:
    """Lets a request in only with ``Authorization: Bearer <token>`` of a valid token; its user (and whether
    the token is an admin's) goes in the scope."""

    def __init__(self, app: ASGIApp, workspace: Workspace) -> None:
        self.app = app
        self.workspace = workspace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            identity = await self._identity(Headers(scope=scope).get("authorization"))
        except SwitchboardError as err:
            await error_response(err)(scope, receive, send)
            return
        scope.setdefault("state", {}).update(user=identity.user, admin=identity.admin)
        await self.app(scope, receive, send)

    async def _identity(self, header: str | None) -> Identity:
        scheme, _, token = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Missing access token: send 'Authorization: Bearer <token>' "
                "(create one with `switchboard tokens create --user NAME`)"
            )
        identity = await self.workspace.tokens.identify(token.strip())
        if identity is None:
            raise Unauthenticated("Invalid access token: it is unknown, revoked or expired")
        return identity
