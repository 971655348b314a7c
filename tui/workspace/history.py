"""Conversation history as a workspace hands it out: stored documents, opaque to the backend.

What a document means (a playground comparison, how it is searched, how old documents are read) is the
playground's business (:mod:`tui.playground.history`); a backend only keeps, lists and filters them.
History stays on this machine whatever the backend (Databricks has no place for it), so its calls are
plain synchronous file calls: callers on an event loop run them in a thread.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history list: what a list shows without reading the document."""

    id: str
    created: float  # epoch seconds
    title: str
    task: str
    endpoints: tuple[str, ...]


class History(Protocol):
    """Documents (JSON text) keyed by entry id, newest first. Missing ids raise RESOURCE_DOES_NOT_EXIST."""

    def save(self, entry: HistoryEntry, document: str) -> None:
        """Insert the entry, or replace the stored one with the same id."""
        ...

    def get(self, entry_id: str) -> str:
        """The stored document."""
        ...

    def list(self, limit: int) -> builtins.list[HistoryEntry]:
        """At most ``limit`` entries, newest first."""
        ...

    def search(
        self, matches: Callable[[str], bool], *, contains: str | None, limit: int
    ) -> builtins.list[HistoryEntry]:
        """At most ``limit`` entries whose document ``matches``, newest first.

        ``contains`` (ASCII, lower case) is text every matching document holds; a backend may use it to
        skip documents before ``matches`` sees them.
        """
        ...

    def delete(self, entry_id: str) -> None: ...

    def prune(self, keep: int) -> int:
        """Keep the ``keep`` newest entries (INVALID_PARAMETER_VALUE below 0); returns how many went."""
        ...

    def count(self) -> int: ...
