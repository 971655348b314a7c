"""The prompt: Enter sends to every pane, ctrl+n adds a new line (Enter always reaches the app,
ctrl+enter often does not), and the text stays editable while answers stream."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from tui.domain.text import printable


class PromptInput(TextArea):
    DEFAULT_CSS = """
    PromptInput {
        height: 5;
        max-height: 20%;
        min-height: 3;
        border: round $primary;
        &:focus { border: round $accent; }
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Send to all", id="send", priority=True),
        Binding("ctrl+n", "newline", "New line", id="newline", show=False),
    ]

    class Submitted(Message):
        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", placeholder=placeholder)

    def edit(self, edit: Edit) -> EditResult:
        """Whatever is typed or pasted, with control characters as visible stand-ins (ESC as ␛): a TextArea
        draws its text as it is, so a pasted escape sequence would reach the terminal."""
        edit.text = printable(edit.text.replace("\r\n", "\n").replace("\r", "\n"))
        return super().edit(edit)

    def action_submit(self) -> None:
        # A priority binding runs as the key reaches the app, while keys typed just before it may
        # still wait in this widget's queue (fast typing, tmux send-keys, a slow SSH link): queue
        # the submit behind them so no character is lost.
        self.call_later(self._submit)

    def _submit(self) -> None:
        text = self.text.strip()
        if text:
            self.post_message(self.Submitted(self, text))

    def action_newline(self) -> None:
        self.insert("\n")
