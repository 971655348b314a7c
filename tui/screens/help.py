"""F1: every key of the app, grouped by where it works, with remapped keys shown as remapped."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.app.keys import binding_groups

INTRO = """\
# Switchboard keys

Every action is also in the command palette (**ctrl+p**). Keys can be remapped in `config.toml`
(`switchboard locate config`) under `[keymap]`, by the ids below, e.g. `send = "ctrl+j"`.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(self._text())

    def _text(self) -> str:
        keymap = getattr(self.app, "settings", None)
        remapped = dict(keymap.keymap) if keymap else {}
        parts = [INTRO]
        for title, bindings in binding_groups():
            if not bindings:
                continue
            parts.append(f"\n## {title}\n\n| keys | action | id |\n|---|---|---|")
            for binding in bindings:
                keys = remapped.get(binding.id or "", binding.key)
                shown = ", ".join(k.strip() for k in keys.split(","))
                parts.append(f"| `{shown}` | {binding.tooltip or binding.description} | `{binding.id}` |")
        return "\n".join(parts)
