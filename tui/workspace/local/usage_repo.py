"""Usage per endpoint, served entity, user and minute: what the app's meters and summaries read."""

from __future__ import annotations

import time

from tui.workspace.local.store import Store
from tui.workspace.usage import UsageRow


class UsageRepo:
    """The local :class:`~tui.workspace.usage.Usage`; the invoker records into it."""

    def __init__(self, store: Store) -> None:
        self._store = store

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
        minute = int((time.time() if now is None else now) // 60)
        with self._store.write() as conn:
            conn.execute(
                "INSERT INTO usage_minutes (endpoint, served_entity, user, minute, calls, errors, prompt_tokens, completion_tokens) "
                "VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (endpoint, served_entity, user, minute) DO UPDATE SET "
                "calls = calls + 1, errors = errors + excluded.errors, "
                "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
                "completion_tokens = completion_tokens + excluded.completion_tokens",
                (endpoint, served_entity, user, minute, int(error), prompt_tokens, completion_tokens),
            )

    def rows(self, endpoint: str | None = None, *, since_minute: int = 0) -> list[UsageRow]:
        query = "SELECT endpoint, served_entity, user, minute, calls, errors, prompt_tokens, completion_tokens FROM usage_minutes WHERE minute >= ?"
        params: list[object] = [since_minute]
        if endpoint is not None:
            query += " AND endpoint = ?"
            params.append(endpoint)
        with self._store.read() as conn:
            return [UsageRow(*row) for row in conn.execute(query + " ORDER BY minute, endpoint, served_entity", params)]
