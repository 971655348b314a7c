"""History on a real workspace file: save (upsert), list newest first, search, get, delete, prune, reopen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist
from tui.playground.history import ComparisonHistory
from tui.playground.model import Comparison, PaneRun
from tui.workspace.local.history_repo import HistoryRepo
from tui.workspace.local.store import MIGRATIONS, SCHEMA_VERSION, Store

T0 = 1_790_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "ws.db")
    yield store
    store.close()


def comparison(
    title: str, created: float, endpoints: tuple[str, ...] = ("ep-a", "ep-b"), answer: str = ""
) -> Comparison:
    c = Comparison.new(
        task="llm/v1/chat",
        turns=[{"role": "user", "content": title}],
        prompt=title,
        params={"temperature": 0.5},
        now=created,
    )
    c.panes = [
        PaneRun(
            endpoint=e,
            task="llm/v1/chat",
            state="done",
            choices=[answer or f"{e} says hi"],
            finish_reason="stop",
            model="model-x",
        )
        for e in endpoints
    ]
    return c


def test_the_migration_adds_the_history_table(store: Store, tmp_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION
    with store.read() as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(history)")]
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(history)")]
    assert columns == ["id", "created_ms", "task", "title", "endpoints", "doc"]
    assert "history_created" in indexes
    old = Store(tmp_path / "old.db", migrations=MIGRATIONS[:3])
    old.close()
    upgraded = Store(tmp_path / "old.db")
    try:
        assert upgraded.schema_version == SCHEMA_VERSION and ComparisonHistory(HistoryRepo(upgraded)).list() == []
    finally:
        upgraded.close()


def test_save_get_round_trip(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    c = comparison("Explain rate limits", T0, answer="Rate limits cap calls ```code```")
    repo.save(c)
    assert repo.get(c.id) == c


def test_list_is_newest_first_with_entry_fields(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    older, newest, middle = (
        comparison("older", T0),
        comparison("newest", T0 + 20, ("x",)),
        comparison("middle", T0 + 10),
    )
    for c in (older, newest, middle):
        repo.save(c)
    entries = repo.list()
    assert [e.title for e in entries] == ["newest", "middle", "older"]
    first = entries[0]
    assert (first.id, first.created, first.task, first.endpoints) == (newest.id, T0 + 20, "llm/v1/chat", ("x",))
    assert [e.title for e in repo.list(limit=2)] == ["newest", "middle"]
    assert repo.list(limit=0) == []


def test_save_again_replaces_the_entry(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    c = comparison("first title", T0)
    repo.save(c)
    c.title = "renamed"
    c.panes[0].choices = ["a better answer"]
    repo.save(c)
    assert [e.title for e in repo.list()] == ["renamed"]
    assert repo.get(c.id).panes[0].choices == ["a better answer"]
    assert repo.count() == 1


def test_search_matches_title_endpoints_and_answers_case_insensitively(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    rates = comparison("Explain Rate Limits", T0)
    poem = comparison("Write a poem", T0 + 1, ("claude-haiku",), answer='Autumn "moon" rises\nover the École')
    repo.save(rates)
    repo.save(poem)
    assert [e.id for e in repo.list("rate limits")] == [rates.id]
    assert [e.id for e in repo.list("HAIKU")] == [poem.id]
    assert [e.id for e in repo.list('"MOON" rises')] == [poem.id]  # quotes are escaped in the stored JSON
    assert [e.id for e in repo.list("over the")] == [poem.id]
    assert [e.id for e in repo.list("école")] == [poem.id]  # non-ASCII folds too
    assert [e.id for e in repo.list("ep-a")] == [rates.id]
    assert [e.id for e in repo.list("says hi")] == [rates.id]
    assert {e.id for e in repo.list("  ")} == {rates.id, poem.id}
    assert repo.list("no such words") == []


def test_search_ignores_keys_and_parameters(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    repo.save(comparison("hello", T0))
    for needle in ("temperature", "finish_reason", "model-x", "llm/v1/chat", "choices"):
        assert repo.list(needle) == [], needle


def test_search_respects_the_limit_newest_first(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    for i in range(5):
        repo.save(comparison(f"topic {i}", T0 + i))
    assert [e.title for e in repo.list("topic", limit=2)] == ["topic 4", "topic 3"]


def test_get_and_delete_missing_entries(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    c = comparison("to delete", T0)
    repo.save(c)
    repo.delete(c.id)
    with pytest.raises(ResourceDoesNotExist, match=c.id) as info:
        repo.get(c.id)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(ResourceDoesNotExist):
        repo.delete(c.id)
    assert repo.list() == []


def test_prune_keeps_the_newest(store: Store) -> None:
    repo = ComparisonHistory(HistoryRepo(store))
    saved = [comparison(f"run {i}", T0 + i) for i in range(6)]
    for c in reversed(saved):  # insertion order must not matter
        repo.save(c)
    assert repo.prune(4) == 2
    assert [e.title for e in repo.list()] == ["run 5", "run 4", "run 3", "run 2"]
    assert repo.prune(10) == 0
    assert repo.prune(0) == 4 and repo.list() == []
    with pytest.raises(InvalidParameterValue):
        repo.prune(-1)


def test_history_survives_reopening_the_workspace(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    first = Store(path)
    c = comparison("kept across restarts", T0, answer="still here")
    ComparisonHistory(HistoryRepo(first)).save(c)
    first.close()
    second = Store(path)
    try:
        repo = ComparisonHistory(HistoryRepo(second))
        assert [e.id for e in repo.list("still here")] == [c.id]
        assert repo.get(c.id) == c
    finally:
        second.close()
    row = sqlite3.connect(path).execute("SELECT created_ms, endpoints FROM history").fetchone()
    assert row == (round(T0 * 1000), '["ep-a", "ep-b"]')
