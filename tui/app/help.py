"""F1: every key of the app, grouped by where it works, with remapped keys shown as remapped."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.domain.text import printable

INTRO = (
    "[b]Switchboard keys[/b]\n\n"
    "Every action is also in the command palette ([b]ctrl+p[/b]). Keys can be remapped in config.toml "
    "([b]switchboard locate config[/b]) under [b]\\[keymap][/b], by the ids below, e.g. "
    '[b]send = "ctrl+j"[/b]. Esc, q or F1 closes this.'
)

KeyRow = tuple[str, str, str]
"""(keys as typed, what they do, binding id)."""
KeyGroups = list[tuple[str, list[KeyRow]]]
"""(place, its rows), as :func:`tui.app.keys.key_rows` gives them."""


def _table(rows: list[KeyRow]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False)
    table.add_column("keys", style="bold", ratio=2)
    table.add_column("action", ratio=4)
    table.add_column("id", style="dim", ratio=3)
    for row in rows:
        table.add_row(*(Text(printable(cell)) for cell in row))
    return table


class HelpScreen(ModalScreen[None]):
    """Shows the key rows it is given (the app knows its bindings; this screen only lays them out)."""

    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def __init__(self, groups: KeyGroups) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(INTRO, id="help-intro")
            for title, rows in self._groups:
                yield Static(title, classes="section-title")
                yield Static(_table(rows), classes="help-table")
