"""Past comparisons, kept by the workspace's :class:`~tui.workspace.history.History` as one JSON document each.

Search is case-insensitive and matches the title, the endpoint names, the input (system prompt, turns,
prompt, embedding inputs) and the answers' text, never JSON keys or parameters: searching "model" does
not match every entry. Old documents are read tolerantly by :meth:`Comparison.from_json`.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tui.playground.model import Comparison, content_text
from tui.workspace.history import History, HistoryEntry

DEFAULT_LIMIT = 200


class ComparisonHistory:
    """Comparisons in and out of a workspace's history; missing ids raise RESOURCE_DOES_NOT_EXIST."""

    def __init__(self, history: History) -> None:
        self._history = history

    def save(self, comparison: Comparison) -> None:
        """Insert the comparison, or replace the stored one with the same id."""
        entry = HistoryEntry(
            comparison.id, comparison.created, comparison.title, comparison.task, tuple(comparison.endpoints)
        )
        self._history.save(entry, comparison.dumps())

    def get(self, entry_id: str) -> Comparison:
        return Comparison.from_json(self._history.get(entry_id))

    def list(self, search: str = "", limit: int = DEFAULT_LIMIT) -> builtins.list[HistoryEntry]:
        """Entries newest first, at most ``limit``, those matching ``search`` only when it is not blank."""
        needle = search.strip().casefold()
        if not needle:
            return self._history.list(limit)
        escaped = _json_escaped(needle)
        # an ASCII needle is a hint the backend can filter with; others are checked here, cheaply first
        hint = escaped if needle.isascii() else None
        return self._history.search(_matcher(needle, escaped, prechecked=hint is not None), contains=hint, limit=limit)

    def delete(self, entry_id: str) -> None:
        self._history.delete(entry_id)

    def prune(self, keep: int) -> int:
        """Keep the ``keep`` newest entries, delete the rest; returns how many were deleted."""
        return self._history.prune(keep)

    def count(self) -> int:
        return self._history.count()


def _matcher(needle: str, escaped: str, *, prechecked: bool) -> Callable[[str], bool]:
    def matches(document: str) -> bool:
        if not prechecked and escaped not in document.casefold():  # cheap before parsing the document
            return False
        return any(needle in text.casefold() for text in searchable_texts(json.loads(document)))

    return matches


def _json_escaped(text: str) -> str:
    """``text`` as it appears inside a JSON string written with ``ensure_ascii=False``."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


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
