"""Access tokens in the workspace file (table ``tokens``, migrations 5 and 6): a hash per token, never its value.

A value is ``sb-`` and 256 random bits (:func:`secrets.token_urlsafe`), so a plain sha256 of it is as
hard to reverse as the value is to guess; no salt or slow hash is needed, and a presented token is found
by its hash in one indexed lookup. The final comparison uses :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from tui.domain.errors import ResourceDoesNotExist
from tui.workspace.local.store import Store
from tui.workspace.tokens import (
    NEVER,
    TOKEN_PREFIX,
    Identity,
    NewToken,
    TokenInfo,
    check_token_request,
    no_such_token,
)

T = TypeVar("T")

_VALUE_BYTES = 32
_COLUMNS = "token_id, user, comment, created_ms, expiry_ms, admin"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _info(row: sqlite3.Row | tuple[str, str, str, int, int, int]) -> TokenInfo:
    token_id, user, comment, created_ms, expiry_ms, admin = row
    return TokenInfo(
        token_id=token_id,
        user=user,
        comment=comment,
        creation_time=created_ms,
        expiry_time=expiry_ms,
        admin=bool(admin),
    )


class TokensRepo:
    """The local :class:`~tui.workspace.tokens.Tokens`; SQLite calls run in a worker thread."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def _now_ms(self, now: float | None) -> int:
        return round((self._clock() if now is None else now) * 1000)

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(partial(fn, *args))

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
        created_ms = self._now_ms(now)
        expiry_ms = NEVER if lifetime_seconds is None else created_ms + lifetime_seconds * 1000
        info = TokenInfo(
            token_id=secrets.token_hex(16),
            user=user,
            comment=comment,
            creation_time=created_ms,
            expiry_time=expiry_ms,
            admin=admin,
        )
        value = TOKEN_PREFIX + secrets.token_urlsafe(_VALUE_BYTES)
        await self._run(self._insert, info, _sha256(value))
        return NewToken(token_value=value, token_info=info)

    def _insert(self, info: TokenInfo, value_sha256: str) -> None:
        with self._store.write() as conn:
            conn.execute(
                f"INSERT INTO tokens ({_COLUMNS}, value_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    info.token_id,
                    info.user,
                    info.comment,
                    info.creation_time,
                    info.expiry_time,
                    int(info.admin),
                    value_sha256,
                ),
            )

    async def list(self) -> builtins.list[TokenInfo]:
        return await self._run(self._list)

    def _list(self) -> builtins.list[TokenInfo]:
        with self._store.read() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM tokens ORDER BY created_ms, rowid").fetchall()
        return [_info(row) for row in rows]

    async def revoke(self, token_id: str) -> None:
        await self._run(self._revoke, token_id)

    def _revoke(self, token_id: str) -> None:
        with self._store.write() as conn:
            if not conn.execute("DELETE FROM tokens WHERE token_id = ?", (token_id,)).rowcount:
                raise ResourceDoesNotExist(no_such_token(token_id))

    async def identify(self, value: str, *, now: float | None = None) -> Identity | None:
        if not value.startswith(TOKEN_PREFIX):
            return None
        # inline, not in a thread: a read never waits for a writer (WAL), and a thread hop per request was a
        # tenth of what serving a call cost
        return self._identify(_sha256(value), self._now_ms(now))

    async def authenticate(self, value: str, *, now: float | None = None) -> str | None:
        identity = await self.identify(value, now=now)
        return identity.user if identity else None

    def _identify(self, value_sha256: str, now_ms: int) -> Identity | None:
        row = self._store.read_row(
            "SELECT value_sha256, user, expiry_ms, admin FROM tokens WHERE value_sha256 = ?", (value_sha256,)
        )
        if row is None or not hmac.compare_digest(row[0], value_sha256):
            return None
        stored_user, expiry_ms, admin = row[1], row[2], row[3]
        live = expiry_ms == NEVER or now_ms < expiry_ms
        return Identity(str(stored_user), bool(admin)) if live else None
