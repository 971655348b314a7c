"""F1: every key of the app, grouped by where it works, with remapped keys shown as remapped."""

from __future__ import annotations

from collections.abc import Mapping

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app.keys import binding_groups
from tui.domain.text import printable

INTRO = (
    "[b]Switchboard keys[/b]\n\n"
    "Every action is also in the command palette ([b]ctrl+p[/b]). Keys can be remapped in config.toml "
    "([b]switchboard locate config[/b]) under [b]\\[keymap][/b], by the ids below, e.g. "
    '[b]send = "ctrl+j"[/b]. Esc, q or F1 closes this.'
)

KeyRow = tuple[str, str, str]


def key_rows(remapped: Mapping[str, str]) -> list[tuple[str, list[KeyRow]]]:
    """(place, [(keys, action, binding id)]) for every place with keys, remapped keys as remapped."""
    groups = []
    for title, bindings in binding_groups():
        rows = []
        for binding in bindings:
            keys = remapped.get(binding.id or "", binding.key)
            shown = ", ".join(format_key(k.strip()) for k in keys.split(","))  # "+", not "plus"
            rows.append((shown, binding.tooltip or binding.description, binding.id or ""))
        if rows:
            groups.append((title, rows))
    return groups


def _table(rows: list[KeyRow]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False)
    table.add_column("keys", style="bold", ratio=2)
    table.add_column("action", ratio=4)
    table.add_column("id", style="dim", ratio=3)
    for row in rows:
        table.add_row(*(Text(printable(cell)) for cell in row))
    return table


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def compose(self) -> ComposeResult:
        settings = getattr(self.app, "settings", None)
        groups = key_rows(dict(settings.keymap) if settings else {})
        with VerticalScroll(id="help-body"):
            yield Static(INTRO, id="help-intro")
            for title, rows in groups:
                yield Static(title, classes="section-title")
                yield Static(_table(rows), classes="help-table")
