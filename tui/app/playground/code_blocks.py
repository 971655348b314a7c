"""Choose which code block of an answer to copy."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from tui.domain.text import markup_literal


class CodeBlockPicker(ModalScreen[int | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel-code")]

    def __init__(self, blocks: list[str]) -> None:
        super().__init__()
        self._blocks = blocks

    def compose(self) -> ComposeResult:
        with Vertical(id="code-box"):
            yield Label("Copy which code block? (Enter copies)", classes="section-title")
            items = []
            for i, block in enumerate(self._blocks):
                lines = block.strip().splitlines() or [""]
                items.append(f"{i + 1}. {markup_literal(lines[0][:70])}  [dim]({len(lines)} lines)[/dim]")
            yield OptionList(*items, id="code-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)
