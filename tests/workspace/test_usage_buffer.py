"""Usage is counted in memory and written a moment later: whole for readers in this process at once, for
other processes within the flush delay, and never lost when the workspace is closed."""

from __future__ import annotations

import time
from pathlib import Path

from tui.workspace.local.store import Store
from tui.workspace.local.usage_repo import FLUSH_AFTER_S, UsageRepo
from tui.workspace.usage import UsageRow

NOW = 1_800_000_000.0
MINUTE = int(NOW // 60)


def on_disk(path: Path) -> list[tuple[object, ...]]:
    """What another process reading the file finds."""
    store = Store(path)
    try:
        with store.read() as conn:
            return list(
                conn.execute(
                    "SELECT endpoint, user, calls, errors, prompt_tokens, completion_tokens FROM usage_minutes"
                )
            )
    finally:
        store.close()


def test_calls_add_up_and_this_process_reads_them_at_once(tmp_path: Path) -> None:
    usage = UsageRepo(Store(tmp_path / "ws.db"))
    usage.record("ep", "a", "alice", prompt_tokens=3, completion_tokens=4, now=NOW)
    usage.record("ep", "a", "alice", prompt_tokens=1, completion_tokens=2, error=True, now=NOW + 1)
    usage.record("ep", "a", "bob", now=NOW)
    assert usage.rows("ep") == [
        UsageRow("ep", "a", "alice", MINUTE, 2, 1, 4, 6),
        UsageRow("ep", "a", "bob", MINUTE, 1, 0, 0, 0),
    ]
    usage.record("ep", "a", "alice", completion_tokens=10, now=NOW)  # after a flush, added to what is written
    assert usage.rows("ep")[0] == UsageRow("ep", "a", "alice", MINUTE, 3, 1, 4, 16)


def test_another_process_sees_the_counts_within_the_flush_delay(tmp_path: Path) -> None:
    usage = UsageRepo(Store(tmp_path / "ws.db"))
    usage.record("ep", "a", "alice", prompt_tokens=3, now=NOW)
    deadline = time.monotonic() + FLUSH_AFTER_S + 10  # bounded: the timer's thread may start late on a busy machine
    while not on_disk(tmp_path / "ws.db") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert on_disk(tmp_path / "ws.db") == [("ep", "alice", 1, 0, 3, 0)]


def test_closing_writes_what_is_pending(tmp_path: Path) -> None:
    store = Store(tmp_path / "ws.db")
    usage = UsageRepo(store)
    for _ in range(5):
        usage.record("ep", "a", "alice", completion_tokens=2, now=NOW)
    usage.close()
    store.close()
    assert on_disk(tmp_path / "ws.db") == [("ep", "alice", 5, 0, 0, 10)]
