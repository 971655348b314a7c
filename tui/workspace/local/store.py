"""The workspace file: one SQLite database in WAL mode, private to its owner, versioned schema.

The TUI, the CLI and ``switchboard serve`` may open the same file at once. Every write is one
``BEGIN IMMEDIATE`` transaction, so writers queue (``busy_timeout``) instead of failing, and a process
killed mid-write leaves the last committed state.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tui.domain.errors import WorkspaceUnavailable

BUSY_TIMEOUT_MS = 15_000

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: secrets and endpoints
    (
        """CREATE TABLE scopes (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            backend_type TEXT NOT NULL DEFAULT 'DATABRICKS',
            created_ms INTEGER NOT NULL
        )""",
        """CREATE TABLE secrets (
            scope TEXT NOT NULL COLLATE NOCASE REFERENCES scopes(name) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value BLOB NOT NULL,
            last_updated_ms INTEGER NOT NULL,
            PRIMARY KEY (scope, key)
        )""",
        """CREATE TABLE endpoints (
            name TEXT NOT NULL PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            doc TEXT NOT NULL
        )""",
    ),
    # 2: rate-limit counters shared by every process on this file
    (
        """CREATE TABLE rate_events (
            id INTEGER PRIMARY KEY,
            bucket TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            calls INTEGER NOT NULL,
            tokens INTEGER NOT NULL
        )""",
        "CREATE INDEX rate_events_bucket_at ON rate_events (bucket, at_ms)",
    ),
    # 3: usage per endpoint, served entity, user and minute (for the app's meters)
    (
        """CREATE TABLE usage_minutes (
            endpoint TEXT NOT NULL,
            served_entity TEXT NOT NULL,
            user TEXT NOT NULL,
            minute INTEGER NOT NULL,
            calls INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (endpoint, served_entity, user, minute)
        )""",
    ),
    # 4: playground history (one JSON document per comparison)
    (
        """CREATE TABLE history (
            id TEXT PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            task TEXT NOT NULL,
            title TEXT NOT NULL,
            endpoints TEXT NOT NULL,
            doc TEXT NOT NULL
        )""",
        "CREATE INDEX history_created ON history (created_ms)",
    ),
    # 5: access tokens for `switchboard serve`, kept only as a sha256 of the value
    (
        """CREATE TABLE tokens (
            token_id TEXT NOT NULL PRIMARY KEY,
            value_sha256 TEXT NOT NULL UNIQUE,
            user TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            created_ms INTEGER NOT NULL,
            expiry_ms INTEGER NOT NULL
        )""",
    ),
    # 6: admin tokens (they may manage every user's tokens through `switchboard serve`)
    ("ALTER TABLE tokens ADD COLUMN admin INTEGER NOT NULL DEFAULT 0",),
)
SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """Connections to the workspace file, safe to share between threads of one process.

    Writes go through one connection and may wait for another process's write; reads use a second
    connection and, in WAL mode, never wait for a writer, so they are quick enough to run on the
    app's event loop.
    """

    def __init__(self, path: Path, *, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._read_lock = threading.Lock()
        _prepare_file(path)
        try:
            self._conn = _connect(path)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._migrate(migrations)
            self._reader = _connect(path)
        except sqlite3.DatabaseError as err:
            raise WorkspaceUnavailable(f"Cannot open the workspace {path}: {err}") from None

    def _migrate(self, migrations: tuple[tuple[str, ...], ...]) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version == len(migrations):
            return
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(migrations):
                raise WorkspaceUnavailable(
                    f"The workspace {self.path} was written by a newer Switchboard (schema {version}; "
                    f"this version knows up to {len(migrations)}). Upgrade Switchboard to open it."
                )
            for statements in migrations[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {len(migrations)}")

    @property
    def schema_version(self) -> int:
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; other writers (threads or processes) wait their turn."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads; never waits for a writer."""
        with self._read_lock:
            self._reader.execute("BEGIN")
            try:
                yield self._reader
            finally:
                self._reader.execute("COMMIT")

    def read_row(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """The first row of one query, or None. One statement is a consistent snapshot by itself, so this
        skips :meth:`read`'s BEGIN and COMMIT (a query's hot path makes several such reads)."""
        with self._read_lock:
            rows = self._reader.execute(sql, params).fetchall()  # stepped to the end: no statement left open
        return tuple(rows[0]) if rows else None

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._reader.close()
            self._conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")  # a deleted secret's bytes are overwritten, not left in free pages
    return conn


def _prepare_file(path: Path) -> None:
    """Create the directory (0700) and the file (0600) before SQLite does, so no one else can read it."""
    parent = path.parent
    try:
        if not parent.exists():
            parent.mkdir(mode=0o700, parents=True)
            os.chmod(parent, 0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
    except OSError as err:
        raise WorkspaceUnavailable(f"Cannot create the workspace {path}: {err.strerror}") from None
    if path.is_dir():
        raise WorkspaceUnavailable(f"The workspace path {path} is a directory")
