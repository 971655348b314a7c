"""The JSON view of the endpoint editor under Pilot: type, see problems come and go, jump to them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Label, OptionList

from tests.helpers.app import focused, wait_until
from tests.payloads import OPENAI_COMPLETIONS
from tui.app.manage.json_editor import JsonEditor, JsonTextArea
from tui.domain.endpoints import EndpointCoreConfigInput
from tui.manage.json_edit import dump

SIZE = (100, 40)


class EditorApp(App[None]):
    """The editor alone, noting every Changed it posts."""

    def __init__(self, data: dict[str, Any], **options: Any) -> None:
        super().__init__()
        self.data = data
        self.options = options
        self.changes: list[JsonEditor.Changed] = []

    def compose(self) -> ComposeResult:
        yield JsonEditor(self.data, id="editor", **self.options)

    def on_json_editor_changed(self, event: JsonEditor.Changed) -> None:
        self.changes.append(event)


def body() -> dict[str, Any]:
    return copy.deepcopy(OPENAI_COMPLETIONS)


def parts(app: EditorApp) -> tuple[JsonEditor, JsonTextArea, OptionList, Label]:
    editor = app.query_one(JsonEditor)
    return editor, editor.query_one(JsonTextArea), editor.query_one(OptionList), editor.query_one(Label)


def drawn(*widgets: Widget) -> str:
    """Every character the widgets draw, line by line, as the terminal gets it."""
    lines: list[Strip] = [widget.render_line(y) for widget in widgets for y in range(widget.size.height)]
    return "\n".join("".join(segment.text for segment in strip) for strip in lines)


def listed(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def row_of(area: JsonTextArea, needle: str) -> int:
    """The 0-based row of the first line holding ``needle``."""
    return next(i for i, line in enumerate(area.text.splitlines()) if needle in line)


def cursor_after(area: JsonTextArea, needle: str) -> None:
    """Put the cursor at the end of the first line holding ``needle``."""
    row = row_of(area, needle)
    area.move_cursor((row, len(area.text.splitlines()[row])))
    area.focus()


async def test_a_valid_body_shows_no_problem() -> None:
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        editor, area, options, status = parts(app)
        editor.focus()
        await wait_until(pilot, lambda: area.has_focus)
        assert area.text == dump(OPENAI_COMPLETIONS)
        assert str(status.content) == "✓ No problems"
        assert not options.display and listed(options) == []
        assert editor.data == OPENAI_COMPLETIONS and editor.check.valid


async def test_typing_a_mistake_shows_it_and_fixing_it_takes_it_away() -> None:
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        editor, area, options, status = parts(app)
        cursor_after(area, '"name": "openai-completions",')  # the endpoint's name, line 2
        await pilot.press("backspace")  # the comma
        assert editor.data is None  # checked at once when asked, not after the delay
        await wait_until(pilot, lambda: bool(app.changes))
        assert listed(options) == ["line 2: missing comma or '}' after this value"]
        assert options.display and str(status.content).startswith("✗ 1 problem ·")
        change = app.changes[-1]
        assert (change.data, [p.line for p in change.problems], change.control) == (None, [2], editor)

        await pilot.press(",")
        await wait_until(pilot, lambda: len(app.changes) == 2)
        assert listed(options) == [] and not options.display
        assert app.changes[-1].data == OPENAI_COMPLETIONS and app.changes[-1].problems == []


async def test_a_rule_of_the_domain_is_shown_on_its_line() -> None:
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        _, area, options, _ = parts(app)
        cursor_after(area, '"task": "llm/v1/completions"')
        await pilot.press("left", "left", "backspace", "backspace", "backspace", "backspace", "x")  # ...completx"
        await wait_until(pilot, lambda: bool(app.changes))
        line = row_of(area, '"task"') + 1
        (problem,) = app.changes[-1].problems
        assert problem.line == line and "must be one of 'llm/v1/chat'" in problem.message
        assert app.changes[-1].data is None
        assert listed(options)[0].startswith(f"line {line}: config.served_entities[0].external_model.task: ")


async def test_changes_are_checked_once_typing_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.app.manage.json_editor.CHECK_DELAY", 1.0)  # a pause no busy test machine makes
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        _, area, _, _ = parts(app)
        cursor_after(area, '"value": "gen-ai"')
        await pilot.press("left", *"-team")
        assert app.changes == []  # not while typing
        await wait_until(pilot, lambda: bool(app.changes))
        await pilot.pause(0.2)
        assert len(app.changes) == 1
        assert app.changes[0].data is not None and app.changes[0].data["tags"][0]["value"] == "gen-ai-team"


async def test_enter_on_a_problem_moves_the_cursor_to_its_line() -> None:
    data = body()
    data["descripton"] = "typo"
    app = EditorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        _, area, options, _ = parts(app)
        row = row_of(area, '"descripton"')
        assert listed(options) == [f"line {row + 1}: unknown field 'descripton' (did you mean 'description'?)"]
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        assert area.has_focus and area.cursor_location == (row, 2)


async def test_a_click_on_a_problem_moves_the_cursor_to_its_line() -> None:
    data = body()
    del data["config"]["served_entities"][0]["external_model"]["name"]
    app = EditorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        _, area, options, _ = parts(app)
        assert [text[:8] for text in listed(options)] == ["line 7: "]
        await pilot.click(OptionList, offset=(3, 1))
        assert area.has_focus and area.cursor_location == (6, 26)  # the '{' of "external_model"


async def test_f8_goes_to_the_next_problem_and_round() -> None:
    data = body()
    data["tags"][0]["value"] = True
    data["rate_limits"] = [{"calls": True}]
    app = EditorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        _, area, options, _ = parts(app)
        assert [text[:8] for text in listed(options)] == ["line 21:", "line 26:"]
        await focused(pilot, area)
        await pilot.press("f8")
        assert area.cursor_location[0] == 20 and options.highlighted == 0
        await pilot.press("f8")
        assert area.cursor_location[0] == 25 and options.highlighted == 1
        await pilot.press("f8")
        assert area.cursor_location[0] == 20


async def test_f8_without_problems_says_so() -> None:
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        _, area, _, _ = parts(app)
        await focused(pilot, area)
        await pilot.press("f8")
        assert [n.message for n in app._notifications] == ["The JSON has no problems"]


async def test_load_shows_other_data_without_a_change() -> None:
    app = EditorApp(body())
    async with app.run_test(size=SIZE) as pilot:
        editor, area, options, _ = parts(app)
        other = body()
        other["name"] = "no spaces"
        editor.load(other)
        assert area.text == dump(other)
        assert [text[:14] for text in listed(options)] == ["line 2: name: "]
        assert editor.data is None and editor.check.data == other
        await pilot.pause(0.5)
        assert app.changes == []  # the editor's own data


async def test_another_model_is_checked_by_its_rules() -> None:
    app = EditorApp(body()["config"], model=EndpointCoreConfigInput)
    async with app.run_test(size=SIZE):
        editor, _, options, _ = parts(app)
        assert listed(options) == [] and isinstance(editor.check.model, EndpointCoreConfigInput)


async def test_hostile_text_stays_literal_on_screen() -> None:
    data = body()
    data["[red]x[/red]"] = "\x1b]52;c;ZXZpbA==\x07 \x9b31m \u202eevil"
    data["description"] = "[bold]not bold[/bold] \x1b[2J"
    app = EditorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        _, area, options, status = parts(app)
        await wait_until(pilot, lambda: "unknown field '[red]x[/red]'" in drawn(area, options, status))
        shown = drawn(area, options, status)
        assert "[bold]not bold[/bold]" in shown  # markup in the text is text
        assert "unknown field '[red]x[/red]'" in shown  # and in a problem
        unsafe = [c for c in shown if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
        assert unsafe == []

        cursor_after(area, '"description"')
        area.insert('\x1b[31m"\x9b')  # as a paste would: the text area keeps none of it raw
        assert "\\u001b[31m" in area.text and "\\u009b" in area.text and "\x1b" not in area.text
        await wait_until(pilot, lambda: bool(app.changes))
        assert "\x1b" not in drawn(area, options, status)
