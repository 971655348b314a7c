"""What must not break the app: text that looks like markup, answers of an unexpected shape, history
whose endpoints changed, maximised panes, stray keys; and places that must not lose the reader's spot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.content import Content
from textual.widgets import DataTable, Input, OptionList

from tests.helpers.app import finished, focused, pane, panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.help import HelpScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.json_view import JsonViewScreen
from tui.app.playground.history import HistoryScreen
from tui.app.playground.pane_params import PaneParamsScreen

MARKUP_LIKE = "Why does Llama use [/INST] and [b] tags?"


async def test_text_that_looks_like_markup_is_shown_as_typed(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, MARKUP_LIKE)
        await wait_until(pilot, lambda: finished(app), seconds=20)
        await pilot.press("ctrl+r")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, HistoryScreen) and app.screen.query_one("#history-list").option_count == 1,
        )
        label = Content.from_markup(str(app.screen.query_one("#history-list").get_option_at_index(0).prompt)).plain
        assert "[/INST] and [b] tags?" in label
        await pilot.press("escape")
        playground = app.screen
        playground.query_one("#param-temperature", Input).value = "[/x]"
        await send(app, pilot, "again")
        assert any("[/x]" in n.message for n in app._notifications)
        playground.query_one("#param-temperature", Input).value = ""
        await focused(pilot, panes(app)[0].view)
        await pilot.press("f7")
        dialog = app.screen
        assert isinstance(dialog, PaneParamsScreen)
        dialog.query_one("#param-system", Input).value = "Reply after the [/INST] marker"
        await focused(pilot, dialog.query_one("#param-system", Input))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, PaneParamsScreen))
        assert "[/INST] marker" in str(panes(app)[0].query_one(".pane-title").render())
        assert app.is_running


async def test_an_answer_that_cannot_be_read_ends_in_its_pane(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        real_stream = app.workspace.stream
        broken = panes(app)[0].endpoint

        async def odd(name: str, request: dict[str, Any], **kw: Any) -> AsyncIterator[dict[str, Any]]:
            if name != broken:
                async for chunk in real_stream(name, request, **kw):
                    yield chunk
                return
            yield {"choices": [None, {"index": 0, "delta": {"content": [{"type": "text", "text": "Hello"}]}}]}
            raise RuntimeError("the server spoke in riddles")

        monkeypatch.setattr(app.workspace, "stream", odd)
        await send(app, pilot, "hi")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        bad = pane(app, broken)
        assert bad.state == "error" and not bad.busy
        error = str(bad.query_one(".pane-error").render())
        assert "Could not read the answer: RuntimeError: the server spoke in riddles" in error
        assert "Hello" in bad.view.text
        assert [p.state for p in panes(app) if p is not bad] == ["done"]
        await send(app, pilot, "the next prompt still goes")
        await wait_until(pilot, lambda: finished(app) and len(bad.conversation) == 4, seconds=20)


async def test_reopening_history_after_an_endpoint_was_deleted(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["gpt-4o-mini", "claude-haiku"])
        await send(app, pilot, "first")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        await send(app, pilot, "second")
        await wait_until(pilot, lambda: finished(app) and len(app.screen.history.list()) == 2, seconds=20)
        answers = {p.endpoint: p.run.choices[0] for p in panes(app)}
        conversations = {p.endpoint: list(p.conversation) for p in panes(app)}
        await app.screen.reopen(app.screen.history.list()[0].id)
        assert {p.endpoint: p.conversation for p in panes(app)} == conversations, "each pane keeps its own"
        await app.workspace.delete_endpoint("gpt-4o-mini")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and isinstance(app.focused, Input))
        await wait_until(pilot, lambda: app.screen.query_one(OptionList).option_count > 0)  # the past runs listed
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        assert {p.endpoint: p.view.text for p in panes(app)} == answers
        assert any("gpt-4o-mini no longer exist" in n.message for n in app._notifications)


async def test_maximised_pane_esc_cancels_and_new_endpoints_restore_the_layout(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["llama-slow", "gpt-4o-mini"])
        await send(app, pilot, "go")
        slow = pane(app, "llama-slow")
        await wait_until(pilot, lambda: slow.busy)
        await focused(pilot, slow.view)
        await pilot.press("z")
        assert app.screen.maximized is slow
        await pilot.press("escape")
        await wait_until(pilot, lambda: slow.state == "cancelled")
        assert app.screen.maximized is slow, "Esc cancelled; z restores"
        await app.screen.use_endpoints(["gpt-4o-mini", "claude-haiku"])
        await wait_until(pilot, lambda: app.screen.maximized is None)
        await wait_until(pilot, lambda: all(p.region.width > 0 for p in panes(app)))


async def test_popup_keys_work_and_can_be_remapped(make_app: AppFactory, copied: list[str]) -> None:
    async with make_app(keymap={"close-help": "f9"}) as (app, pilot):
        assert not [n for n in app._notifications if "no binding has the id" in n.message]
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen))
        await wait_until(pilot, lambda: app.screen.query_one(DataTable).row_count > 0)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, JsonViewScreen))
        await pilot.press("ctrl+y")
        assert copied and '"name"' in copied[0]
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")  # F1 again closes it rather than opening a second one
        assert not isinstance(app.screen, HelpScreen) and len(app.screen_stack) == 1
        await pilot.press("f1", "f9")
        assert not isinstance(app.screen, HelpScreen)


async def test_refreshing_a_table_keeps_the_cursor_row(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen))
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count > 3)
        await focused(pilot, table)
        await pilot.press("down", "down", "down")
        row = table.cursor_row
        assert row == 3
        await pilot.press("r")
        await pilot.pause(0.3)
        assert table.cursor_row == row
