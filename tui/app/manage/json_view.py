"""A read-only JSON view of an object (an endpoint), with copy."""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea

from tui.clipboard import copy_text
from tui.domain.text import printable


class JsonViewScreen(ModalScreen[None]):
    CSS_PATH = "json_view.tcss"
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="close-json"),
        Binding("ctrl+y", "copy", "Copy JSON", id="copy-json", priority=True),  # over the text area's redo
    ]

    def __init__(self, title: str, data: Any) -> None:
        super().__init__()
        self._title = title
        self._text = json.dumps(data, indent=2)

    def compose(self) -> ComposeResult:
        with Vertical(id="json-box"):
            yield Label(printable(self._title), classes="section-title", markup=False)
            yield TextArea(self._text, read_only=True, language="json", id="json-text")
            yield Label("Esc closes · ctrl+y copies the JSON · keys are never shown", id="json-hint")
        yield Footer()

    def action_copy(self) -> None:
        result = copy_text(self._text, app=self.app)
        self.notify(result.message, severity=result.severity, markup=False)
