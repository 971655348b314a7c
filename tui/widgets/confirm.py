"""A yes/no question before something is lost: what goes, and what stops working because of it."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static

from tui.domain.text import printable


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True when confirmed (y, or the confirm button), False otherwise (n, Esc, Cancel).

    Every line is shown as plain text: names typed by users are never read as markup.
    """

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        & > #confirm-box {
            width: 72;
            max-width: 90%;
            height: auto;
            max-height: 90%;
            border: round $warning;
            background: $surface;
            padding: 0 1;
        }
        & #confirm-title { text-style: bold; padding: 0 0 1 0; }
        & .confirm-line { width: 100%; }  /* long lists of names wrap */
        & #confirm-buttons { height: auto; width: 100%; align-horizontal: right; padding: 1 0 0 0; }
        & #confirm-buttons Button { margin: 0 0 0 2; }
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, title: str, lines: Sequence[str] = (), *, confirm: str = "Delete", danger: bool = True) -> None:
        super().__init__()
        self._title = title
        self._lines = list(lines)
        self._confirm = confirm
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(printable(self._title), id="confirm-title", markup=False)
            for line in self._lines:
                yield Static(printable(line), classes="confirm-line", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel (n)", id="confirm-cancel")
                yield Button(f"{self._confirm} (y)", variant="error" if self._danger else "primary", id="confirm-ok")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()  # Enter on a mistaken key press keeps things

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-ok")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
