"""Rate limiting: calls and tokens per minute, exact across threads and processes.

Each limit counts in a *bucket* (e.g. one per endpoint, or one per endpoint and user). A call is
admitted by :meth:`RateLimiter.reserve`, which in one ``BEGIN IMMEDIATE`` transaction looks at every
bucket's events of the last window (a sliding window, not fixed minutes) and either records one
event in each bucket or refuses, saying when enough old events will have left the window. Because
the check and the record happen in one serialised transaction, N concurrent callers never get more
than the limit admitted and are never refused below it. Token counts are known only after the call:
:meth:`RateLimiter.settle_tokens` puts the real number on the events.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tui.workspace.local.store import Store

WINDOW_MS = 60_000


@dataclass(frozen=True)
class Limit:
    """``calls`` and/or ``tokens`` allowed in ``bucket`` per window. ``label`` is for messages."""

    bucket: str
    calls: int | None = None
    tokens: int | None = None
    label: str = ""
    window_ms: int = WINDOW_MS


@dataclass(frozen=True)
class Decision:
    """What :meth:`RateLimiter.reserve` decided.

    ``retry_after`` (seconds) is set when refused and waiting helps; None when it never will
    (a limit of 0, or a request bigger than the limit).
    """

    admitted: bool
    event_ids: tuple[int, ...] = ()
    refused_by: Limit | None = None
    retry_after: float | None = None
    remaining: dict[str, int] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def _now_ms(self, now: float | None) -> int:
        return round((self._clock() if now is None else now) * 1000)

    def reserve(self, limits: Sequence[Limit], *, tokens: int = 0, now: float | None = None) -> Decision:
        """Admit one call (expected to use ``tokens``) against every limit, or refuse it.

        All or nothing: the call is recorded in every bucket or in none.
        """
        if not limits:
            return Decision(admitted=True)
        now_ms = self._now_ms(now)
        with self._store.write() as conn:
            remaining: dict[str, int] = {}
            refusals: list[tuple[float, Limit]] = []
            for limit in limits:
                since = now_ms - limit.window_ms
                conn.execute("DELETE FROM rate_events WHERE bucket = ? AND at_ms <= ?", (limit.bucket, since))
                rows = conn.execute(
                    "SELECT at_ms, calls, tokens FROM rate_events WHERE bucket = ? AND at_ms > ? ORDER BY at_ms, id",
                    (limit.bucket, since),
                ).fetchall()
                refusal = _refusal(limit, rows, tokens, now_ms)
                if refusal is not None:
                    refusals.append((refusal, limit))
                    continue
                if limit.calls is not None:
                    remaining[f"{limit.label or limit.bucket}:calls"] = limit.calls - len(rows) - 1
                if limit.tokens is not None:
                    used = sum(r[2] for r in rows)
                    remaining[f"{limit.label or limit.bucket}:tokens"] = limit.tokens - used - tokens
            if refusals:
                # the call fits only once every refusing limit has room: wait for the slowest
                wait, refused_by = max(refusals, key=lambda r: r[0])
                return Decision(admitted=False, refused_by=refused_by, retry_after=None if math.isinf(wait) else wait)
            ids = tuple(
                conn.execute(
                    "INSERT INTO rate_events (bucket, at_ms, calls, tokens) VALUES (?, ?, 1, ?)",
                    (limit.bucket, now_ms, tokens),
                ).lastrowid
                or 0
                for limit in limits
            )
        return Decision(admitted=True, event_ids=ids, remaining=remaining)

    def settle_tokens(self, decision: Decision, tokens: int) -> None:
        """Record how many tokens an admitted call really used."""
        if not decision.event_ids:
            return
        marks = ",".join("?" * len(decision.event_ids))
        with self._store.write() as conn:
            conn.execute(f"UPDATE rate_events SET tokens = ? WHERE id IN ({marks})", (tokens, *decision.event_ids))

    def usage(self, limit: Limit, *, now: float | None = None) -> tuple[int, int]:
        """(calls, tokens) counted in ``limit``'s bucket over the current window."""
        since = self._now_ms(now) - limit.window_ms
        with self._store.read() as conn:
            calls, used = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(tokens), 0) FROM rate_events WHERE bucket = ? AND at_ms > ?",
                (limit.bucket, since),
            ).fetchone()
        return int(calls), int(used)


def _refusal(limit: Limit, rows: list[tuple[int, int, int]], tokens: int, now_ms: int) -> float | None:
    """None when the call fits; otherwise the seconds until it would (``math.inf``: never)."""
    waits: list[float] = []
    if limit.calls is not None and len(rows) + 1 > limit.calls:
        if limit.calls <= 0:
            return math.inf
        # the oldest (len(rows) - calls + 1) events must leave the window
        leaving = rows[len(rows) - limit.calls]
        waits.append((leaving[0] + limit.window_ms - now_ms) / 1000)
    if limit.tokens is not None:
        used = sum(r[2] for r in rows)
        # a call that will report its tokens later (tokens=0) needs at least one token left
        need = max(tokens, 1)
        if used + need > limit.tokens:
            if need > limit.tokens:
                return math.inf
            to_free = used + need - limit.tokens
            freed = 0
            for at_ms, _, row_tokens in rows:
                freed += row_tokens
                if freed >= to_free:
                    waits.append((at_ms + limit.window_ms - now_ms) / 1000)
                    break
    if not waits:
        return None
    return max(0.001, max(waits))
