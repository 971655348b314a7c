"""An endpoint's use over the last hour, minute by minute: what the detail view draws as small charts.

The workspace keeps one usage row per endpoint, served entity, user and minute, and only for minutes
that saw a call. A chart wants the opposite: one value per minute of the window, quiet minutes as
zero, oldest first, whoever called. :func:`per_minute` does that bucketing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.workspace.usage import UsageRow

WINDOW_MINUTES = 60


def epoch_minute(seconds: float) -> int:
    """The epoch minute a moment falls in, as usage rows count minutes."""
    return int(seconds // 60)


def window_start(now_minute: int, minutes: int = WINDOW_MINUTES) -> int:
    """The first minute of the window that ends with (and includes) ``now_minute``."""
    return now_minute - minutes + 1


@dataclass(frozen=True)
class UsageSeries:
    """Calls, tokens (prompt + completion) and errors per minute, oldest first; the last is the current minute."""

    first_minute: int
    calls: tuple[int, ...]
    tokens: tuple[int, ...]
    errors: tuple[int, ...]

    @property
    def total_calls(self) -> int:
        return sum(self.calls)

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens)

    @property
    def total_errors(self) -> int:
        return sum(self.errors)


def per_minute(rows: Iterable[UsageRow], now_minute: int, minutes: int = WINDOW_MINUTES) -> UsageSeries:
    """``minutes`` buckets ending with ``now_minute``, zero-filled, summing every row of the same minute.

    Rows outside the window are left out: older ones (the caller may ask for more than an hour) and
    any later than ``now_minute`` (another process's clock a little ahead).
    """
    if minutes < 1:
        raise ValueError("a window has at least one minute")
    first = window_start(now_minute, minutes)
    calls = [0] * minutes
    tokens = [0] * minutes
    errors = [0] * minutes
    for row in rows:
        index = row.minute - first
        if 0 <= index < minutes:
            calls[index] += row.calls
            tokens[index] += row.prompt_tokens + row.completion_tokens
            errors[index] += row.errors
    return UsageSeries(first, tuple(calls), tuple(tokens), tuple(errors))
