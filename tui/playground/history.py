"""Past comparisons, kept in the workspace file (table ``history``, migration 4): one JSON document each.

Listing reads only the small columns; searching looks at the documents too. Search is
case-insensitive and matches the title, the endpoint names, the input (system prompt, turns, prompt,
embedding inputs) and the answers' text, never JSON keys or parameters: searching "model" does not
match every entry.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist
from tui.playground.model import Comparison, content_text
from tui.workspace.local.store import Store

DEFAULT_LIMIT = 200
_COLUMNS = "id, created_ms, task, title, endpoints"


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history list."""

    id: str
    created: float  # epoch seconds
    title: str
    task: str
    endpoints: tuple[str, ...]


class HistoryRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    def save(self, comparison: Comparison) -> None:
        """Insert the comparison, or replace the stored one with the same id."""
        doc = comparison.dumps()
        with self._store.write() as conn:
            conn.execute(
                "INSERT INTO history (id, created_ms, task, title, endpoints, doc) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created_ms = excluded.created_ms, task = excluded.task, "
                "title = excluded.title, endpoints = excluded.endpoints, doc = excluded.doc",
                (
                    comparison.id,
                    round(comparison.created * 1000),
                    comparison.task,
                    comparison.title,
                    json.dumps(comparison.endpoints, ensure_ascii=False),
                    doc,
                ),
            )

    def get(self, entry_id: str) -> Comparison:
        """The stored comparison; RESOURCE_DOES_NOT_EXIST when there is none with this id."""
        with self._store.read() as conn:
            row = conn.execute("SELECT doc FROM history WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise ResourceDoesNotExist(f"History entry '{entry_id}' does not exist")
        return Comparison.from_json(row[0])

    def list(self, search: str = "", limit: int = DEFAULT_LIMIT) -> builtins.list[HistoryEntry]:
        """Entries newest first, at most ``limit``, those matching ``search`` only when it is not blank."""
        if limit <= 0:
            return []
        needle = search.strip().casefold()
        with self._store.read() as conn:
            if not needle:
                rows = conn.execute(f"SELECT {_COLUMNS} FROM history ORDER BY created_ms DESC, rowid DESC LIMIT ?", (limit,))
                return [_entry(row) for row in rows]
            return self._search(conn.execute(*_candidates_query(needle)), needle, limit)

    def _search(self, rows: Iterator[tuple[Any, ...]], needle: str, limit: int) -> builtins.list[HistoryEntry]:
        escaped = _json_escaped(needle)
        prechecked = needle.isascii()  # SQL already kept only the documents holding the needle
        found = []
        for row in rows:
            doc = row[5]
            if not prechecked and escaped not in doc.casefold():  # cheap before parsing the document
                continue
            if any(needle in text.casefold() for text in searchable_texts(json.loads(doc))):
                found.append(_entry(row))
                if len(found) >= limit:
                    break
        return found

    def delete(self, entry_id: str) -> None:
        """Remove one entry; RESOURCE_DOES_NOT_EXIST when there is none with this id."""
        with self._store.write() as conn:
            if not conn.execute("DELETE FROM history WHERE id = ?", (entry_id,)).rowcount:
                raise ResourceDoesNotExist(f"History entry '{entry_id}' does not exist")

    def prune(self, keep: int) -> int:
        """Keep the ``keep`` newest entries, delete the rest; returns how many were deleted."""
        if keep < 0:
            raise InvalidParameterValue(f"keep must be 0 or more, not {keep}")
        with self._store.write() as conn:
            return conn.execute(
                "DELETE FROM history WHERE id NOT IN "
                "(SELECT id FROM history ORDER BY created_ms DESC, rowid DESC LIMIT ?)",
                (keep,),
            ).rowcount

    def count(self) -> int:
        with self._store.read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM history").fetchone()[0])


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    entry_id, created_ms, task, title, endpoints = row[:5]
    return HistoryEntry(entry_id, created_ms / 1000, title, task, tuple(json.loads(endpoints)))


def _json_escaped(text: str) -> str:
    """``text`` as it appears inside a JSON string written with ``ensure_ascii=False``."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _candidates_query(needle: str) -> tuple[str, tuple[Any, ...]]:
    """SQL for the rows that may match ``needle``, newest first.

    For an ASCII needle SQLite's own ``lower`` narrows the rows before they reach Python. Its
    case-folding is ASCII-only, so other needles fetch every row and Python folds them; and an ASCII
    needle does not find text that only folds to it (the 'ﬁ' ligature for "fi").
    """
    select = f"SELECT {_COLUMNS}, doc FROM history"
    order = " ORDER BY created_ms DESC, rowid DESC"
    if needle.isascii():
        return f"{select} WHERE instr(lower(doc), ?) > 0{order}", (_json_escaped(needle),)
    return select + order, ()


def searchable_texts(doc: Mapping[str, Any]) -> Iterator[str]:
    """The texts of a stored comparison that search looks at: title, endpoints, input, answers."""
    yield str(doc.get("title") or "")
    if doc.get("system"):
        yield str(doc["system"])
    if doc.get("prompt"):
        yield str(doc["prompt"])
    for turn in doc.get("turns") or []:
        if isinstance(turn, dict):
            yield content_text(turn.get("content"))
    for text in doc.get("inputs") or []:
        yield str(text)
    for pane in doc.get("panes") or []:
        if isinstance(pane, dict):
            yield str(pane.get("endpoint") or "")
            for text in pane.get("choices") or []:
                yield str(text)
