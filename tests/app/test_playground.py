"""The playground flows, driven by Pilot against the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, OptionList

from tests.helpers.app import finished, focused, idle, pane, panes, send, shown_text, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.demo import demo_endpoints, populate
from tui.app.playground.history import HistoryScreen
from tui.app.playground.screen import PlaygroundScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import EndpointCoreConfigInput
from tui.widgets.prompt import PromptInput


async def test_newcomer_sees_two_chat_endpoints_ready(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        assert isinstance(app.screen, PlaygroundScreen)
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        shown = panes(app)
        assert {p.pane_task for p in shown} == {"llm/v1/chat"}
        assert len({p.provider for p in shown}) == 2, "a first look compares two providers"
        assert all(p.simulated for p in shown)
        assert app.screen.query_one(PromptInput).has_focus
        assert "demo workspace" in app.sub_title and "@testhost" in app.sub_title


async def test_send_streams_every_pane_and_shows_the_comparison(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: any(p.state == "streaming" for p in panes(app)))
        await wait_until(pilot, lambda: idle(app), seconds=20)
        for p in panes(app):
            assert p.state == "done", p.endpoint
            assert p.run is not None and p.run.ttft_s is not None and p.run.tokens_per_s
            assert p.view.text.strip()
            assert p.conversation[0] == {"role": "user", "content": "Explain rate limits"}
            assert p.conversation[1]["role"] == "assistant"
        summary = app.screen.query_one("#summary")
        await wait_until(pilot, lambda: summary.display)  # shown once every pane's end is handled
        shown = shown_text(summary)
        assert "TTFT" in shown and all(p.endpoint in shown for p in panes(app)) and "★" in shown
        assert app.screen.query_one(PromptInput).text == ""


async def test_second_turn_keeps_each_conversation(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "first question")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        simulator.clear()
        await send(app, pilot, "second question")
        await wait_until(pilot, lambda: idle(app) and len(simulator.requests) == 2, seconds=20)
        await wait_until(pilot, lambda: idle(app), seconds=20)
        for request in simulator.requests:
            roles = [m["role"] for m in request.body["messages"]]
            assert roles[-3:] == ["user", "assistant", "user"]
            assert request.body["messages"][-1]["content"] == "second question"


async def test_a_new_chat_forgets_the_conversation_and_the_answers(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "first question")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        assert all(p.metrics.snapshot(0).text for p in panes(app))
        await pilot.press("f8")
        await wait_until(pilot, lambda: all(p.state == "idle" for p in panes(app)))
        for p in panes(app):
            assert p.conversation == [] and p.run is None and not p.view.text
            assert p.metrics.snapshot(0).text == "", "the last answer is not kept by the pane's figures either"


async def test_cancel_one_pane_and_cancel_all(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["llama-slow", "gpt-4o-mini"])
        await send(app, pilot)
        await wait_until(pilot, lambda: pane(app, "llama-slow").busy)
        await focused(pilot, pane(app, "llama-slow").view)
        await pilot.press("escape")
        await wait_until(pilot, lambda: pane(app, "llama-slow").state == "cancelled")
        await wait_until(pilot, lambda: pane(app, "gpt-4o-mini").state == "done", seconds=20)
        await send(app, pilot, "again")
        await wait_until(pilot, lambda: all(p.busy for p in panes(app)))
        await pilot.press("ctrl+k")
        await wait_until(pilot, lambda: all(p.state == "cancelled" for p in panes(app)))


async def test_an_error_stays_in_its_pane_and_the_others_go_on(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["flaky-gpt", "gpt-4o-mini"])
        await send(app, pilot)
        await wait_until(pilot, lambda: finished(app), seconds=20)
        flaky, good = pane(app, "flaky-gpt"), pane(app, "gpt-4o-mini")
        assert flaky.state == "error" and good.state == "done"
        error = str(flaky.query_one(".pane-error").render())
        assert "stream was cut" in error and "text received before it is kept" in error
        assert flaky.view.text.strip()  # the partial answer is kept
        assert flaky.run is not None and flaky.run.incomplete


async def test_rate_limit_error_shows_when_to_retry(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        ws = app.workspace
        from tui.domain.gateway import RateLimit

        await ws.put_rate_limits("claude-haiku", [RateLimit(calls=0, key="user")])
        await app.screen.use_endpoints(["gpt-4o-mini", "claude-haiku"])
        await send(app, pilot)
        await wait_until(pilot, lambda: finished(app), seconds=20)
        limited = pane(app, "claude-haiku")
        assert limited.state == "error"
        assert "REQUEST_LIMIT_EXCEEDED" in str(limited.query_one(".pane-error").render())
        assert pane(app, "gpt-4o-mini").state == "done"
        assert "calls left" in str(pane(app, "gpt-4o-mini").query_one(".pane-title").render())


async def test_a_refused_call_says_when_to_retry_once(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        from tui.domain.gateway import RateLimit

        await app.workspace.put_rate_limits("claude-haiku", [RateLimit(calls=1, key="user")])
        await app.screen.use_endpoints(["claude-haiku"])
        for prompt in ("first", "second"):
            await send(app, pilot, prompt)
            await wait_until(pilot, lambda: finished(app), seconds=20)
        error = str(pane(app, "claude-haiku").query_one(".pane-error").render())
        assert "REQUEST_LIMIT_EXCEEDED" in error and error.count("Retry in") == 1, error


async def test_copy_answer_and_code_block(make_app: AppFactory, copied: list[str]) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot)
        await wait_until(pilot, lambda: finished(app), seconds=20)
        first = panes(app)[0]
        await focused(pilot, first.view)
        await pilot.press("y")
        assert copied == [first.run.choices[0]]
        await pilot.press("c")
        blocks = first.view.code_blocks()
        assert blocks
        if len(blocks) > 1:
            await pilot.press("enter")
        await wait_until(pilot, lambda: len(copied) == 2)
        assert copied[1] == blocks[0]


async def test_several_code_blocks_are_offered_by_the_screen(make_app: AppFactory, copied: list[str]) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        first = panes(app)[0]
        first.view.set_text("one:\n\n```python\nprint(1)\n```\n\ntwo:\n\n```sh\necho 2\n```\n")
        await pilot.pause(0.2)
        await focused(pilot, first.view)
        await pilot.press("c")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CodeBlockPicker")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: len(copied) == 1)
        assert copied == ["echo 2"] and type(app.screen).__name__ == "PlaygroundScreen"


async def test_history_reopens_a_past_comparison(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "a question worth keeping")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        answers = [p.run.choices[0] for p in panes(app)]
        names = [p.endpoint for p in panes(app)]
        await wait_until(pilot, lambda: len(app.screen.history.list()) == 1)
        await app.screen.use_endpoints(["instruct"])
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and isinstance(app.focused, Input))
        await wait_until(pilot, lambda: app.screen.query_one(OptionList).option_count == 1)  # the run listed
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == names)
        await wait_until(pilot, lambda: [p.view.text for p in panes(app)] == answers)
        assert app.screen.comparison.title == "a question worth keeping"


async def test_export_writes_markdown_and_json(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await pilot.press("f6")  # nothing yet: a warning, no file
        assert not list(tmp_path.glob("switchboard-*"))
        names = [p.endpoint for p in panes(app)]
        await send(app, pilot, "export me")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        await pilot.press("f6")
        md = list(tmp_path.glob("switchboard-*.md"))
        js = list(tmp_path.glob("switchboard-*.json"))
        assert len(md) == 1 and len(js) == 1
        text = md[0].read_text()
        assert "export me" in text and all(name in text for name in names)
        data = json.loads(js[0].read_text())
        assert [p["endpoint"] for p in data["panes"]] == names


async def test_embeddings_mode_shows_dimensions(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["embed-small", "embed-large"])
        assert not app.screen.query_one("#params").display
        await send(app, pilot, "alpha\nbeta")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        for p in panes(app):
            assert "| 16 |" in p.view.text
        assert "cosine" in shown_text(app.screen.query_one("#summary")).lower()


async def test_layout_toggle_and_maximise(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        container = app.screen.query_one("#panes")
        await pilot.press("ctrl+l")
        assert container.has_class("vertical")
        first = panes(app)[0]
        await focused(pilot, first.view)
        await pilot.press("f11")
        assert app.screen.maximized is first
        await pilot.press("f11")
        assert app.screen.maximized is None


async def test_picker_limits_the_choice_to_one_task(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        before = [p.endpoint for p in panes(app)]
        await pilot.press("ctrl+o")
        from tui.app.playground.picker import EndpointPicker

        await wait_until(pilot, lambda: isinstance(app.screen, EndpointPicker) and app.screen.is_mounted)
        picker = app.screen
        assert isinstance(picker, EndpointPicker)
        note = picker.query_one("#picker-note")

        async def toggle_first_match(text: str) -> None:
            filter_box = picker.query_one("#picker-filter", Input)
            filter_box.focus()
            filter_box.value = text
            await pilot.pause(0.1)
            await pilot.press("enter", "space")
            await pilot.pause(0.1)

        await toggle_first_match("instruct")
        await wait_until(pilot, lambda: "one task" in str(note.render()))
        await pilot.press("ctrl+o")
        assert app.screen is picker, "a mixed-task choice is refused"
        await toggle_first_match("instruct")  # untick it again
        await toggle_first_match("llama")
        await wait_until(pilot, lambda: "3 selected" in str(note.render()))
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == [*before, "llama-slow"])


async def test_empty_workspace_explains_what_to_do(make_app: AppFactory) -> None:
    async with make_app(demo=False, populate_workspace=False) as (app, pilot):
        guide = app.screen.query_one("#panes-empty")
        await wait_until(pilot, lambda: guide.display and "No endpoints in this workspace yet" in str(guide.render()))
        bar = str(app.screen.query_one("#endpoint-bar").render())
        text = str(guide.render())
        assert guide.display and "No endpoints in this workspace yet" in text and "switchboard --demo" in text
        assert "F4 Secrets" in text and "F3 Endpoints" in text  # the steps, in the app
        assert "No endpoints" not in bar  # said once, in the guide
        await send(app, pilot, "hello")
        assert panes(app) == []


async def test_endpoints_created_meanwhile_appear_when_coming_back(make_app: AppFactory, simulator: Any) -> None:
    async with make_app(demo=False, populate_workspace=False) as (app, pilot):
        await pilot.pause(0.3)
        await pilot.press("f3")
        await populate(app.workspace, simulator.base_url)  # as if created from a shell meanwhile
        await pilot.press("f2")
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        assert not app.screen.query_one("#panes-empty").display


async def test_typed_text_just_before_enter_is_all_sent(make_app: AppFactory) -> None:
    """Keys typed fast (a paste-like burst, tmux send-keys) are all in the prompt that is sent."""
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        app.screen.query_one(PromptInput).focus()
        text = "Explain rate limits in two paragraphs"
        for char in text:  # post every key at once, as a terminal delivers a burst
            app.post_message(events.Key("space" if char == " " else char, char))
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: all(p.conversation for p in panes(app)))
        assert [p.conversation[0]["content"] for p in panes(app)] == [text, text]


async def test_conversation_alternates_after_errors_and_cancels(make_app: AppFactory, simulator: Any) -> None:
    """A turn that failed with no text is withdrawn; a cut or cancelled answer keeps what arrived."""
    async with make_app() as (app, pilot):
        from tui.domain.gateway import RateLimit

        await app.workspace.put_rate_limits("claude-haiku", [RateLimit(calls=1, key="user")])
        # llama-slow's first token after 5 s, not 1.5: the cancel below must land before it on a loaded machine
        slow_body = next(body for body in demo_endpoints(simulator.base_url) if body["name"] == "llama-slow")
        config = json.loads(json.dumps(slow_body["config"]).replace("ttft=1.5", "ttft=5"))
        assert "ttft=5" in json.dumps(config)
        await app.workspace.update_config("llama-slow", parse_user_input(EndpointCoreConfigInput, config, "config"))
        await app.screen.use_endpoints(["claude-haiku", "flaky-gpt", "llama-slow"])
        await send(app, pilot, "first")
        await wait_until(pilot, lambda: pane(app, "llama-slow").busy)
        slow = pane(app, "llama-slow")
        slow.view.focus()
        await wait_until(pilot, lambda: slow.view.has_focus)
        await pilot.press("escape")  # before its first token
        await wait_until(pilot, lambda: slow.state == "cancelled")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        assert pane(app, "llama-slow").conversation == []
        assert [m["role"] for m in pane(app, "flaky-gpt").conversation] == ["user", "assistant"]
        await send(app, pilot, "second")  # claude-haiku is now over its limit: no text at all
        await wait_until(pilot, lambda: pane(app, "claude-haiku").state == "error", seconds=20)
        await wait_until(pilot, lambda: finished(app), seconds=30)
        assert [m["content"] for m in pane(app, "claude-haiku").conversation][0::2] == ["first"]
        for p in panes(app):
            roles = [m["role"] for m in p.conversation]
            assert roles == ["user", "assistant"] * (len(roles) // 2), p.endpoint


async def test_n_choices_all_show_and_the_first_continues_the_chat(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["gpt-4o-mini", "claude-haiku"])
        app.screen.query_one("#param-n", Input).value = "2"
        await send(app, pilot, "two takes please")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        gpt, claude = pane(app, "gpt-4o-mini"), pane(app, "claude-haiku")
        assert gpt.run is not None and len(gpt.run.choices) == 2
        assert "Choice 2" in gpt.view.text and gpt.run.choices[1] in gpt.view.text
        assert gpt.conversation[-1] == {"role": "assistant", "content": gpt.run.choices[0]}
        assert [r.body.get("n") for r in simulator.requests if "/chat/completions" in r.path] == [2]
        # Anthropic has no n: its pane says so (n_strategy fan_out would split it in calls), the other goes on
        assert claude.state == "error" and "n_strategy" in str(claude.query_one(".pane-error").render())


async def test_dragging_the_splitter_resizes_the_neighbouring_panes(make_app: AppFactory) -> None:
    from tui.widgets.splitter import Splitter

    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        left, right = panes(app)
        splitter = app.screen.query_one(Splitter)
        before = (left.outer_size.width, right.outer_size.width)
        assert abs(before[0] - before[1]) <= 1

        async def drag(cells: int) -> None:
            x, y = splitter.region.x, splitter.region.y + 5
            await pilot.mouse_down(None, offset=(x, y))
            await pilot.hover(None, offset=(max(0, x + cells), y))  # captured: moves reach the splitter
            await pilot.mouse_up(None, offset=(max(0, x + cells), y))
            await pilot.pause(0.2)

        await drag(20)
        await wait_until(pilot, lambda: 18 <= left.outer_size.width - before[0] <= 22)
        after = (left.outer_size.width, right.outer_size.width)
        assert 18 <= after[0] - before[0] <= 22 and abs(sum(after) - sum(before)) <= 1
        await drag(-200)  # far past the edge: the pane keeps a minimum width
        assert left.outer_size.width >= 12
        assert not splitter.has_class("-dragging")
