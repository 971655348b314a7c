"""Access tokens of a Databricks workspace through ``/api/2.0/token/*`` (create, list, delete)."""

from __future__ import annotations

import builtins
import time
from typing import Any

from tui.domain.errors import InvalidParameterValue
from tui.workspace.databricks.rest import RestClient
from tui.workspace.tokens import NEVER, NewToken, TokenInfo, check_token_request


class RemoteTokens:
    """The :class:`~tui.workspace.tokens.Tokens` of the workspace the client talks to.

    Databricks creates tokens for the caller only, so ``user`` must be the caller. ``authenticate`` is
    refused: only the workspace that issued a token can tell whose it is.
    """

    def __init__(self, rest: RestClient, user: str) -> None:
        self._rest = rest
        self._user = user

    async def create(
        self, user: str, *, comment: str = "", lifetime_seconds: int | None = None, now: float | None = None
    ) -> NewToken:
        check_token_request(user, comment, lifetime_seconds)
        if user != self._user:
            raise InvalidParameterValue(
                f"A Databricks workspace creates tokens only for the caller ({self._user}), not for '{user}'"
            )
        body: dict[str, Any] = {"comment": comment}
        if lifetime_seconds is not None:
            body["lifetime_seconds"] = lifetime_seconds
        answer = await self._rest.call("POST", "/api/2.0/token/create", body=body)
        return NewToken(str(answer["token_value"]), self._info(answer.get("token_info") or {}))

    async def list(self) -> builtins.list[TokenInfo]:
        answer = await self._rest.call("GET", "/api/2.0/token/list")
        infos = [self._info(item) for item in answer.get("token_infos") or []]
        return sorted(infos, key=lambda info: info.creation_time)

    async def revoke(self, token_id: str) -> None:
        await self._rest.call("POST", "/api/2.0/token/delete", body={"token_id": token_id})

    async def authenticate(self, value: str, *, now: float | None = None) -> str | None:
        raise InvalidParameterValue(
            "A Databricks workspace does not tell whose a token is; only switchboard serve on a local workspace checks tokens"
        )

    def _info(self, data: dict[str, Any]) -> TokenInfo:
        return TokenInfo(
            token_id=str(data.get("token_id", "")),
            user=str(data.get("created_by_username") or data.get("user") or self._user),
            comment=str(data.get("comment", "")),
            creation_time=int(data.get("creation_time") or time.time() * 1000),
            expiry_time=int(data.get("expiry_time", NEVER)),
        )
