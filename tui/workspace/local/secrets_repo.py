"""Secret scopes and secrets in the workspace file. Values go in; only metadata comes out."""

from __future__ import annotations

import sqlite3
import time

from tui.domain.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist, ResourceLimitExceeded
from tui.domain.names import (
    SCOPES_PER_WORKSPACE_MAX,
    SECRET_VALUE_MAX_BYTES,
    SECRETS_PER_SCOPE_MAX,
    check_scope_name,
    check_secret_key,
)
from tui.domain.secret_refs import SecretRef
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.workspace.local.store import Store


def _now_ms() -> int:
    return int(time.time() * 1000)


def stored_scope_name(conn: sqlite3.Connection, scope: str) -> str:
    """The scope's name as stored (names are case-insensitive), or RESOURCE_DOES_NOT_EXIST."""
    row = conn.execute("SELECT name FROM scopes WHERE name = ?", (scope,)).fetchone()
    if row is None:
        raise ResourceDoesNotExist(f"Secret scope '{scope}' does not exist")
    return str(row[0])


VALUE_QUERY = "SELECT value FROM secrets WHERE scope = ? AND key = ?"


def missing_secret_problem(conn: sqlite3.Connection, ref: SecretRef) -> str | None:
    """Why ``ref`` cannot be resolved in this workspace, or None when it can."""
    if conn.execute("SELECT 1 FROM scopes WHERE name = ?", (ref.scope,)).fetchone() is None:
        return f"secret scope '{ref.scope}' does not exist (referenced as {ref})"
    if conn.execute("SELECT 1 FROM secrets WHERE scope = ? AND key = ?", (ref.scope, ref.key)).fetchone() is None:
        return f"secret '{ref.key}' does not exist in scope '{ref.scope}' (referenced as {ref})"
    return None


class SecretsRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list_scopes(self) -> list[SecretScope]:
        with self._store.read() as conn:
            rows = conn.execute("SELECT name, backend_type FROM scopes ORDER BY name COLLATE NOCASE").fetchall()
        return [SecretScope(name=name, backend_type=backend) for name, backend in rows]

    def create_scope(self, scope: str) -> None:
        check_scope_name(scope)
        with self._store.write() as conn:
            existing = conn.execute("SELECT name FROM scopes WHERE name = ?", (scope,)).fetchone()
            if existing is not None:
                same = "" if existing[0] == scope else f" (as '{existing[0]}'; scope names ignore case)"
                raise ResourceAlreadyExists(f"Scope {scope} already exists!{same}")
            (count,) = conn.execute("SELECT COUNT(*) FROM scopes").fetchone()
            if count >= SCOPES_PER_WORKSPACE_MAX:
                raise ResourceLimitExceeded(f"A workspace holds at most {SCOPES_PER_WORKSPACE_MAX} secret scopes")
            conn.execute("INSERT INTO scopes (name, created_ms) VALUES (?, ?)", (scope, _now_ms()))

    def delete_scope(self, scope: str) -> None:
        with self._store.write() as conn:
            name = stored_scope_name(conn, scope)
            conn.execute("DELETE FROM secrets WHERE scope = ?", (name,))
            conn.execute("DELETE FROM scopes WHERE name = ?", (name,))

    def put_secret(self, scope: str, key: str, value: bytes) -> None:
        check_secret_key(key)
        if len(value) > SECRET_VALUE_MAX_BYTES:
            raise InvalidParameterValue(
                f"Secret value is {len(value):,} bytes; the limit is {SECRET_VALUE_MAX_BYTES:,} bytes (128 KB)"
            )
        with self._store.write() as conn:
            name = stored_scope_name(conn, scope)
            exists = conn.execute("SELECT 1 FROM secrets WHERE scope = ? AND key = ?", (name, key)).fetchone()
            if exists is None:
                (count,) = conn.execute("SELECT COUNT(*) FROM secrets WHERE scope = ?", (name,)).fetchone()
                if count >= SECRETS_PER_SCOPE_MAX:
                    raise ResourceLimitExceeded(f"Scope '{name}' already holds {SECRETS_PER_SCOPE_MAX} secrets")
            conn.execute(
                "INSERT INTO secrets (scope, key, value, last_updated_ms) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value, last_updated_ms = excluded.last_updated_ms",
                (name, key, value, _now_ms()),
            )

    def list_secrets(self, scope: str) -> list[SecretMetadata]:
        with self._store.read() as conn:
            name = stored_scope_name(conn, scope)
            rows = conn.execute(
                "SELECT key, last_updated_ms FROM secrets WHERE scope = ? ORDER BY key", (name,)
            ).fetchall()
        return [SecretMetadata(key=key, last_updated_timestamp=ts) for key, ts in rows]

    def delete_secret(self, scope: str, key: str) -> None:
        with self._store.write() as conn:
            name = stored_scope_name(conn, scope)
            deleted = conn.execute("DELETE FROM secrets WHERE scope = ? AND key = ?", (name, key)).rowcount
            if not deleted:
                raise ResourceDoesNotExist(f"Secret '{key}' does not exist in scope '{name}'")

    def read_value(self, ref: SecretRef) -> bytes:
        """The value behind a reference; used only to build a provider request.

        One statement when the secret is there (every served call reads its key); why not, when it is not.
        """
        row = self._store.read_row(VALUE_QUERY, (ref.scope, ref.key))
        if row is None:
            with self._store.read() as conn:
                problem = missing_secret_problem(conn, ref)
                row = None if problem else conn.execute(VALUE_QUERY, (ref.scope, ref.key)).fetchone()  # put just now
            if problem:
                raise ResourceDoesNotExist(problem[0].upper() + problem[1:])
        assert row is not None  # one snapshot: the secret is there when nothing is missing
        return bytes(row[0])
