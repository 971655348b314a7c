"""Bucketing usage rows into the detail view's per-minute series."""

from __future__ import annotations

import pytest

from tui.manage.usage_series import WINDOW_MINUTES, epoch_minute, per_minute, window_start
from tui.workspace.usage import UsageRow

NOW = 29_000_000  # an epoch minute


def row(minute: int, calls: int = 1, errors: int = 0, prompt: int = 0, completion: int = 0, **kw: str) -> UsageRow:
    return UsageRow(
        endpoint=kw.get("endpoint", "gpt"),
        served_entity=kw.get("entity", "primary"),
        user=kw.get("user", "tester"),
        minute=minute,
        calls=calls,
        errors=errors,
        prompt_tokens=prompt,
        completion_tokens=completion,
    )


def test_no_rows_is_sixty_zero_minutes() -> None:
    series = per_minute([], NOW)
    assert series.calls == series.tokens == series.errors == (0,) * WINDOW_MINUTES
    assert series.first_minute == NOW - 59
    assert (series.total_calls, series.total_tokens, series.total_errors) == (0, 0, 0)


def test_rows_land_in_their_minute_oldest_first() -> None:
    series = per_minute([row(NOW - 59, calls=2), row(NOW, calls=5, prompt=3, completion=4, errors=1)], NOW)
    assert series.calls[0] == 2 and series.calls[-1] == 5
    assert series.tokens[-1] == 7 and series.errors[-1] == 1
    assert series.total_calls == 7 and series.total_tokens == 7 and series.total_errors == 1


def test_gaps_are_zero_filled() -> None:
    series = per_minute([row(NOW - 10, calls=3), row(NOW - 2, calls=1)], NOW)
    expected = [0] * WINDOW_MINUTES
    expected[49] = 3
    expected[57] = 1
    assert list(series.calls) == expected


def test_rows_of_one_minute_are_summed_across_users_and_entities() -> None:
    rows = [
        row(NOW - 1, calls=1, prompt=10, user="a"),
        row(NOW - 1, calls=2, completion=5, user="b", entity="other"),
        row(NOW - 1, calls=1, errors=1, user="a", entity="other"),
    ]
    series = per_minute(rows, NOW)
    assert series.calls[-2] == 4 and series.tokens[-2] == 15 and series.errors[-2] == 1


def test_rows_older_than_the_window_or_ahead_of_now_are_left_out() -> None:
    rows = [row(NOW - 60, calls=100), row(NOW - 600, calls=100), row(NOW + 1, calls=100), row(NOW - 59, calls=1)]
    series = per_minute(rows, NOW)
    assert series.total_calls == 1 and series.calls[0] == 1


def test_a_shorter_window() -> None:
    series = per_minute([row(NOW - 2, calls=1), row(NOW - 3, calls=9)], NOW, minutes=3)
    assert series.calls == (1, 0, 0) and series.first_minute == NOW - 2


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError):
        per_minute([], NOW, minutes=0)


def test_minutes_count_as_the_usage_rows_do() -> None:
    assert epoch_minute(120.0) == 2 and epoch_minute(179.9) == 2
    assert window_start(NOW) == NOW - 59 and window_start(NOW, 1) == NOW
