"""History: documents saved, listed newest first, searched, fetched, deleted and pruned by entry id."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist
from tui.workspace.history import HistoryEntry
from tui.workspace.protocol import Workspace

T0 = 1_790_000_000.0


def saved(ws: Workspace, title: str, created: float, text: str = "") -> HistoryEntry:
    entry = HistoryEntry(f"id-{title}", created, title, "llm/v1/chat", ("ep-a", "ep-b"))
    ws.history.save(entry, json.dumps({"title": title, "text": text or title}, ensure_ascii=False))
    return entry


def has_text(needle: str) -> Callable[[str], bool]:
    return lambda document: needle in json.loads(document)["text"].casefold()


async def test_save_get_and_list_newest_first(ws: Workspace) -> None:
    older, newest, middle = saved(ws, "older", T0), saved(ws, "newest", T0 + 20), saved(ws, "middle", T0 + 10)
    assert ws.history.list(10) == [newest, middle, older]
    assert ws.history.list(2) == [newest, middle]
    assert ws.history.list(0) == []
    assert json.loads(ws.history.get(older.id)) == {"title": "older", "text": "older"}
    assert ws.history.count() == 3


async def test_save_again_replaces_the_entry(ws: Workspace) -> None:
    entry = saved(ws, "first", T0)
    renamed = HistoryEntry(entry.id, T0 + 1, "renamed", "llm/v1/completions", ("x",))
    ws.history.save(renamed, '{"title": "renamed", "text": "better"}')
    assert ws.history.list(10) == [renamed]
    assert json.loads(ws.history.get(entry.id))["text"] == "better"


async def test_search_keeps_what_matches_newest_first_up_to_the_limit(ws: Workspace) -> None:
    entries = [saved(ws, f"t{i}", T0 + i, "about rate limits" if i % 2 else "a poem, École") for i in range(5)]
    assert ws.history.search(has_text("rate"), contains="rate", limit=10) == [entries[3], entries[1]]
    assert ws.history.search(has_text("rate"), contains=None, limit=10) == [entries[3], entries[1]]
    assert ws.history.search(has_text("école"), contains=None, limit=2) == [entries[4], entries[2]]
    assert ws.history.search(has_text("nothing"), contains="nothing", limit=10) == []
    assert ws.history.search(has_text("rate"), contains="rate", limit=0) == []


async def test_delete_prune_and_missing_entries(ws: Workspace) -> None:
    entries = [saved(ws, f"run{i}", T0 + i) for i in range(5)]
    ws.history.delete(entries[0].id)
    for call in (lambda: ws.history.get(entries[0].id), lambda: ws.history.delete(entries[0].id)):
        with pytest.raises(ResourceDoesNotExist) as missing:
            call()
        assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert ws.history.prune(2) == 2
    assert ws.history.list(10) == [entries[4], entries[3]]
    with pytest.raises(InvalidParameterValue) as invalid:
        ws.history.prune(-1)
    assert invalid.value.error_code == "INVALID_PARAMETER_VALUE"
