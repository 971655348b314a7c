"""ctrl+r: every past comparison, newest first, filtered as you type; Enter reopens one."""

from __future__ import annotations

import asyncio
import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.domain.text import markup_literal
from tui.playground.history import ComparisonHistory


class HistoryScreen(ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="close-history")]

    def __init__(self, repo: ComparisonHistory) -> None:
        super().__init__()
        self._repo = repo

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Label("History (Enter reopens a comparison)", classes="section-title")
            yield Input(placeholder="search titles, endpoints and answers", id="history-filter")
            yield OptionList(id="history-list")
            yield Label("", id="history-note", classes="empty-state")

    def on_mount(self) -> None:
        self.search("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box moves to the first match; a second Enter reopens it."""
        options = self.query_one(OptionList)
        options.focus()
        if options.option_count:
            options.highlighted = 0

    @work(exclusive=True, group="history-search")
    async def search(self, needle: str) -> None:
        entries = await asyncio.to_thread(self._repo.list, needle)
        options = self.query_one(OptionList)
        options.clear_options()
        for entry in entries:
            when = dt.datetime.fromtimestamp(entry.created).strftime("%Y-%m-%d %H:%M")
            label = f"{when}  [b]{markup_literal(entry.title)}[/b]  [dim]{entry.task.split('/')[-1]} · {markup_literal(', '.join(entry.endpoints))}[/dim]"
            options.add_option(Option(label, id=entry.id))
        note = "" if entries else ("No run matches." if needle else "No runs yet: send a prompt in the playground.")
        self.query_one("#history-note", Label).update(note)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
