"""Per-pane parameter overrides (blank = use the shared value)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from tui.app.playground.params_bar import ParamError, ParamsBar


class PaneParamsScreen(ModalScreen[dict[str, Any] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="cancel-params")]

    def __init__(self, endpoint: str, overrides: dict[str, Any]) -> None:
        super().__init__()
        self._endpoint = endpoint
        self._overrides = overrides

    def compose(self) -> ComposeResult:
        with Vertical(id="params-box"):
            yield Label(f"Parameters for {self._endpoint} only (blank = shared value)", classes="section-title")
            yield ParamsBar(self._overrides, id="pane-params")
            with Horizontal(id="params-buttons"):
                yield Button("Apply", variant="primary", id="params-apply")
                yield Button("Clear overrides", id="params-clear")

    def on_mount(self) -> None:
        self.query_one("#param-temperature").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "params-clear":
            self.dismiss({})
        else:
            self._apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field applies, as the Apply button does."""
        event.stop()
        self._apply()

    def _apply(self) -> None:
        try:
            self.dismiss(self.query_one(ParamsBar).values())
        except ParamError as err:
            self.notify(str(err), severity="error", markup=False)
