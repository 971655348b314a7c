"""Usage per endpoint, served entity, user and minute: what the app's meters and summaries read.

Calls are counted in memory and written in one transaction a moment later (:data:`FLUSH_AFTER_S`), so a
query costs no write of its own: at hundreds of calls a second, one SQLite write and one thread hop
per call were most of what serving a call cost. Reading usage in this process writes what is pending
first, so it is always whole here; another process sees it within :data:`FLUSH_AFTER_S`. Closing the
workspace writes what is left.
"""

from __future__ import annotations

import threading
import time

from tui.workspace.local.store import Store
from tui.workspace.usage import UsageRow

FLUSH_AFTER_S = 0.25

Key = tuple[str, str, str, int]
"""(endpoint, served entity, user, minute)."""

_UPSERT = (
    "INSERT INTO usage_minutes (endpoint, served_entity, user, minute, calls, errors, prompt_tokens, completion_tokens) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint, served_entity, user, minute) DO UPDATE SET "
    "calls = calls + excluded.calls, errors = errors + excluded.errors, "
    "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = completion_tokens + excluded.completion_tokens"
)


class UsageRepo:
    """The local :class:`~tui.workspace.usage.Usage`; the invoker records into it."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._pending: dict[Key, list[int]] = {}
        """Counts not written yet: calls, errors, prompt and completion tokens."""
        self._timer: threading.Timer | None = None

    def record(
        self,
        endpoint: str,
        served_entity: str,
        user: str,
        *,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        error: bool = False,
        now: float | None = None,
    ) -> None:
        """Count one call; never waits for the file (it is written within :data:`FLUSH_AFTER_S`)."""
        minute = int((time.time() if now is None else now) // 60)
        with self._lock:
            counts = self._pending.setdefault((endpoint, served_entity, user, minute), [0, 0, 0, 0])
            counts[0] += 1
            counts[1] += int(error)
            counts[2] += prompt_tokens
            counts[3] += completion_tokens
            self._schedule()

    def _schedule(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(FLUSH_AFTER_S, self._flush_later)
            self._timer.daemon = True
            self._timer.start()

    def _flush_later(self) -> None:
        """The timer's flush: a file busy for longer than the store waits is tried again later, not lost
        (and nothing is printed from this thread: under the app, stderr is the screen)."""
        try:
            self.flush()
        except Exception:
            with self._lock:
                self._schedule()

    def flush(self) -> None:
        """Write every pending count now, in one transaction (kept pending if that fails)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if not self._pending:
                return
            # under the lock: a reader that flushes first must find these written, not half-way
            with self._store.write() as conn:
                conn.executemany(_UPSERT, [(*key, *counts) for key, counts in self._pending.items()])
            self._pending = {}

    def close(self) -> None:
        self.flush()

    def rows(self, endpoint: str | None = None, *, since_minute: int = 0) -> list[UsageRow]:
        self.flush()
        query = "SELECT endpoint, served_entity, user, minute, calls, errors, prompt_tokens, completion_tokens FROM usage_minutes WHERE minute >= ?"
        params: list[object] = [since_minute]
        if endpoint is not None:
            query += " AND endpoint = ?"
            params.append(endpoint)
        with self._store.read() as conn:
            return [UsageRow(*row) for row in conn.execute(query + " ORDER BY minute, endpoint, served_entity", params)]
