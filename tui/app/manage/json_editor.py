"""The endpoint editor's JSON view: the text, and under it every problem with the line it is on.

The text is checked by the domain's rules (:mod:`tui.manage.json_edit`) a moment after each edit; the
problems list follows, and :class:`JsonEditor.Changed` tells the editor. Enter or a click on a problem
puts the cursor where it is; F8 goes to the next one from the cursor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Edit, EditResult, LanguageDoesNotExist

from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.text import printable
from tui.manage.json_edit import JsonCheck, LineProblem, dump, parse_endpoint_json, terminal_safe

if TYPE_CHECKING:
    from typing_extensions import Self

CHECK_DELAY = 0.3
"""Seconds of quiet after an edit before the text is checked again (no flicker while typing)."""


class JsonTextArea(TextArea):
    """A TextArea for JSON that never holds a character a terminal would act on: whatever is typed or
    pasted has them written as ``\\uXXXX`` (a TextArea draws its text as it is)."""

    def edit(self, edit: Edit) -> EditResult:
        edit.text = terminal_safe(edit.text)
        return super().edit(edit)


class JsonEditor(Widget):
    """Edits a JSON object checked as ``model`` (a create-endpoint body unless told otherwise)."""

    DEFAULT_CSS = """
    JsonEditor {
        height: 1fr;
        layout: vertical;
        & > #json-editor-text { height: 1fr; }
        & > #json-editor-status { width: 100%; padding: 0 1; color: $text-success; }
        & > #json-editor-problems { height: auto; max-height: 8; display: none; }
        &.-invalid > #json-editor-status { color: $text-error; }
        &.-invalid > #json-editor-problems { display: block; }
    }
    """

    BINDINGS = [
        Binding("f8", "next_problem", "Next problem", id="json-editor-next-problem"),
    ]

    class Changed(Message):
        """The text was edited and checked. ``data`` is the object when the text has no problem, else None."""

        def __init__(self, editor: JsonEditor, data: dict[str, Any] | None, problems: list[LineProblem]) -> None:
            super().__init__()
            self.editor = editor
            self.data = data
            self.problems = problems

        @property
        def control(self) -> JsonEditor:
            return self.editor

    def __init__(
        self, data: dict[str, Any], *, model: type[BaseModel] = CreateServingEndpoint, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._model = model
        self._text = dump(data)
        self._check: JsonCheck[Any] = parse_endpoint_json(self._text, model)
        self._shown = self._text
        """The text the problems list is about."""
        self._listed: list[LineProblem] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield _json_text_area(self._text)
        yield Label("", id="json-editor-status", markup=False)
        yield OptionList(id="json-editor-problems", markup=False)

    def on_mount(self) -> None:
        self._show(self._check)

    def focus(self, scroll_visible: bool = True) -> Self:
        """The text takes the focus (this widget holds it, it has none of its own)."""
        self.query_one(JsonTextArea).focus(scroll_visible)
        return self

    @property
    def text(self) -> str:
        return self.query_one(JsonTextArea).text

    @property
    def check(self) -> JsonCheck[Any]:
        """The check of the text as it is now: the object (also while the domain finds problems), the model
        and the problems."""
        text = self.text
        if text != self._text:
            self._text, self._check = text, parse_endpoint_json(text, self._model)
        return self._check

    @property
    def data(self) -> dict[str, Any] | None:
        """The object the text holds when it has no problem, else None (checked now, not after the delay)."""
        check = self.check
        return check.data if check.valid else None

    def load(self, data: dict[str, Any]) -> None:
        """Show ``data`` in place of the text (the editor's own data: no Changed is posted for it)."""
        self._stop_timer()
        self.query_one(JsonTextArea).load_text(dump(data))
        self._shown = self.text
        self._show(self.check)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._stop_timer()
        self._timer = self.set_timer(CHECK_DELAY, self._check_edit)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _check_edit(self) -> None:
        """Show the problems of the text as edited, and tell the editor (once per new text)."""
        self._stop_timer()
        if self.text == self._shown:
            return
        self._shown = self.text
        check = self.check
        self._show(check)
        self.post_message(self.Changed(self, check.data if check.valid else None, check.problems))

    def _show(self, check: JsonCheck[Any]) -> None:
        self._listed = check.problems
        self.set_class(bool(self._listed), "-invalid")
        status = self.query_one("#json-editor-status", Label)
        if not self._listed:
            status.update("✓ No problems")
        else:
            count = "1 problem" if len(self._listed) == 1 else f"{len(self._listed)} problems"
            status.update(f"✗ {count} · Enter on one goes to its line · F8 goes to the next")
        self.query_one(OptionList).set_options(Option(printable(str(problem))) for problem in self._listed)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._go_to(self._listed[event.option_index])

    def action_next_problem(self) -> None:
        """The first problem below the cursor's line (the first of all after the last)."""
        self._check_edit()  # an edit still waiting for its check is checked now
        if not self._listed:
            self.notify("The JSON has no problems", timeout=2)
            return
        row = self.query_one(JsonTextArea).cursor_location[0]
        index = next((i for i, p in enumerate(self._listed) if p.line - 1 > row), 0)
        self.query_one(OptionList).highlighted = index
        self._go_to(self._listed[index])

    def _go_to(self, problem: LineProblem) -> None:
        area = self.query_one(JsonTextArea)
        area.move_cursor((problem.line - 1, problem.column - 1), center=True)
        area.focus()


def _json_text_area(text: str) -> JsonTextArea:
    """The text area, with JSON highlighting when tree-sitter's JSON grammar is installed (``textual[syntax]``);
    plain text otherwise."""
    options: dict[str, Any] = {"soft_wrap": False, "show_line_numbers": True, "id": "json-editor-text"}
    try:
        return JsonTextArea(text, language="json", **options)
    except LanguageDoesNotExist:
        return JsonTextArea(text, **options)
