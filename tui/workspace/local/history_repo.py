"""History documents in the workspace file (table ``history``, migration 4), one JSON document each.

Listing reads only the small columns; searching streams the documents newest first and stops at the
limit. For an ASCII hint SQLite's own ``lower`` narrows the rows before they reach Python; its
case-folding is ASCII-only, so without a hint every row is read and the caller's matcher decides.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable
from typing import Any

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist
from tui.workspace.history import HistoryEntry
from tui.workspace.local.store import Store

_COLUMNS = "id, created_ms, task, title, endpoints"
_NEWEST_FIRST = " ORDER BY created_ms DESC, rowid DESC"


class HistoryRepo:
    """The local :class:`~tui.workspace.history.History`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, entry: HistoryEntry, document: str) -> None:
        with self._store.write() as conn:
            conn.execute(
                "INSERT INTO history (id, created_ms, task, title, endpoints, doc) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created_ms = excluded.created_ms, task = excluded.task, "
                "title = excluded.title, endpoints = excluded.endpoints, doc = excluded.doc",
                (
                    entry.id,
                    round(entry.created * 1000),
                    entry.task,
                    entry.title,
                    json.dumps(list(entry.endpoints), ensure_ascii=False),
                    document,
                ),
            )

    def get(self, entry_id: str) -> str:
        with self._store.read() as conn:
            row = conn.execute("SELECT doc FROM history WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise ResourceDoesNotExist(f"History entry '{entry_id}' does not exist")
        return str(row[0])

    def list(self, limit: int) -> builtins.list[HistoryEntry]:
        if limit <= 0:
            return []
        with self._store.read() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM history{_NEWEST_FIRST} LIMIT ?", (limit,))
            return [_entry(row) for row in rows]

    def search(
        self, matches: Callable[[str], bool], *, contains: str | None, limit: int
    ) -> builtins.list[HistoryEntry]:
        if limit <= 0:
            return []
        select = f"SELECT {_COLUMNS}, doc FROM history"
        query: tuple[str, tuple[Any, ...]] = (select + _NEWEST_FIRST, ())
        if contains:
            query = (f"{select} WHERE instr(lower(doc), ?) > 0{_NEWEST_FIRST}", (contains,))
        found = []
        with self._store.read() as conn:
            for row in conn.execute(*query):
                if matches(row[5]):
                    found.append(_entry(row))
                    if len(found) >= limit:
                        break
        return found

    def delete(self, entry_id: str) -> None:
        with self._store.write() as conn:
            if not conn.execute("DELETE FROM history WHERE id = ?", (entry_id,)).rowcount:
                raise ResourceDoesNotExist(f"History entry '{entry_id}' does not exist")

    def prune(self, keep: int) -> int:
        if keep < 0:
            raise InvalidParameterValue(f"keep must be 0 or more, not {keep}")
        with self._store.write() as conn:
            return conn.execute(
                f"DELETE FROM history WHERE id NOT IN (SELECT id FROM history{_NEWEST_FIRST} LIMIT ?)", (keep,)
            ).rowcount

    def count(self) -> int:
        with self._store.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM history").fetchone()[0])


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    entry_id, created_ms, task, title, endpoints = row[:5]
    return HistoryEntry(entry_id, created_ms / 1000, title, task, tuple(json.loads(endpoints)))
