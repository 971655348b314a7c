"""Access tokens of a Databricks workspace (or ``switchboard serve``) over its Token and Token Management APIs.

* the profile's own tokens: ``/api/2.0/token/create``, ``/list``, ``/delete``;
* when the profile's user is an admin (in the workspace's ``admins`` group, as SCIM ``Me`` says):
  every token through ``/api/2.0/token-management/tokens``, and a token for another user through
  ``/api/2.0/token-management/on-behalf-of/tokens`` with the user's name as ``application_id``. A real
  Databricks workspace creates such tokens only for service principals (by application id), never for a
  user; ``switchboard serve`` takes a user name.

Whose a token is: ``GET /api/2.0/preview/scim/v2/Me`` with that token as the bearer. The server keeps
its own clock, so a chosen ``now`` is refused rather than ignored.
"""

from __future__ import annotations

import builtins
from typing import Any
from urllib.parse import quote

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist, SwitchboardError, error_from_code
from tui.workspace.databricks.me import ME, CurrentUser, identity_of, is_refusal
from tui.workspace.databricks.rest import RestClient
from tui.workspace.tokens import (
    NEVER,
    VALUE_PREFIXES,
    Identity,
    NewToken,
    TokenInfo,
    check_token_request,
    no_such_token,
)

TOKEN = "/api/2.0/token"
MANAGEMENT = "/api/2.0/token-management"
ON_BEHALF_OF = f"{MANAGEMENT}/on-behalf-of/tokens"
SERVICE_PRINCIPALS_ONLY = (
    "a Databricks workspace creates tokens for others only on behalf of service principals (by application id), "
    "not for users; switchboard serve takes a user's name"
)


class RemoteTokens:
    """The :class:`~tui.workspace.tokens.Tokens` of the workspace ``rest`` talks to, as the user ``me``."""

    def __init__(self, rest: RestClient, me: CurrentUser) -> None:
        self._rest = rest
        self._me = me

    async def create(
        self,
        user: str,
        *,
        comment: str = "",
        lifetime_seconds: int | None = None,
        admin: bool = False,
        now: float | None = None,
    ) -> NewToken:
        check_token_request(user, comment, lifetime_seconds)
        _no_clock(now)
        if admin:
            raise InvalidParameterValue(
                "A Databricks workspace makes a user an admin through its admins group, not through a token"
            )
        me = await self._me.get()
        body: dict[str, Any] = {"comment": comment}
        if lifetime_seconds is not None:
            body["lifetime_seconds"] = lifetime_seconds
        if user == me.user:
            answer = await self._rest.call("POST", f"{TOKEN}/create", body=body)
        else:
            _admin_only(me, f"creates tokens for another user ('{user}')")
            try:
                answer = await self._rest.call("POST", ON_BEHALF_OF, body={"application_id": user, **body})
            except SwitchboardError as err:
                raise _with_hint(err) from None
        return NewToken(str(answer["token_value"]), _info(answer.get("token_info") or {}, user))

    async def list(self) -> builtins.list[TokenInfo]:
        me = await self._me.get()
        if me.admin:
            answer = await self._rest.call("GET", f"{MANAGEMENT}/tokens")
        else:
            answer = await self._rest.call("GET", f"{TOKEN}/list")
        infos = [_info(item, me.user) for item in answer.get("token_infos") or []]
        return sorted(infos, key=lambda info: info.creation_time)

    async def revoke(self, token_id: str) -> None:
        if not token_id or token_id.startswith(VALUE_PREFIXES):  # a value is never sent, not even in a path
            raise ResourceDoesNotExist(no_such_token(token_id))
        if (await self._me.get()).admin:
            await self._rest.call("DELETE", f"{MANAGEMENT}/tokens/{quote(token_id, safe='')}")
        else:
            await self._rest.call("POST", f"{TOKEN}/delete", body={"token_id": token_id})

    async def identify(self, value: str, *, now: float | None = None) -> Identity | None:
        _no_clock(now)
        if not _sendable(value):
            return None
        try:
            answer = await self._rest.call("GET", ME, bearer=value)
        except SwitchboardError as err:
            if is_refusal(err):
                return None
            raise
        return identity_of(self._rest.host, answer)

    async def authenticate(self, value: str, *, now: float | None = None) -> str | None:
        identity = await self.identify(value, now=now)
        return identity.user if identity else None


def _info(data: dict[str, Any], user: str) -> TokenInfo:
    """A token info as either API answers it; ``user`` when it does not say whose (``/token/*`` never does)."""
    return TokenInfo(
        token_id=str(data.get("token_id", "")),
        user=str(data.get("created_by_username") or user),
        comment=str(data.get("comment") or ""),
        creation_time=int(data.get("creation_time") or 0),
        expiry_time=int(data.get("expiry_time", NEVER)),
    )


def _sendable(value: str) -> bool:
    """Whether ``value`` could be a token at all: printable ASCII without spaces (what a header can carry
    unchanged). Anything else is no one's token, and is not sent."""
    return bool(value) and value.isascii() and value.isprintable() and " " not in value


def _no_clock(now: float | None) -> None:
    if now is not None:
        raise InvalidParameterValue(
            "A Databricks workspace keeps its own clock: tokens cannot be created or checked at a chosen time"
        )


def _admin_only(me: Identity, what: str) -> None:
    if not me.admin:
        err = error_from_code(
            "PERMISSION_DENIED",
            f"Only a workspace admin {what}; {me.user} is not one (not in the workspace's admins group)",
        )
        err.http_status = 403
        raise err


def _with_hint(err: SwitchboardError) -> SwitchboardError:
    """A refused on-behalf-of request, with why a real Databricks workspace refuses it for a user."""
    if err.http_status >= 500 or err.error_code == "REQUEST_LIMIT_EXCEEDED":
        return err
    hinted = error_from_code(err.error_code, f"{err.message} ({SERVICE_PRINCIPALS_ONLY})", retry_after=err.retry_after)
    hinted.http_status = err.http_status
    return hinted
