"""F4: secret scopes and the keys in each (never values)."""

from __future__ import annotations

import datetime as dt

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui.app.workspace_of import workspace_of
from tui.domain.errors import SwitchboardError
from tui.widgets.tables import refill

EMPTY = (
    "No secret scopes yet.\n\n"
    "Create one and store a key:\n"
    "  switchboard secrets create-scope my_scope\n"
    "  switchboard secrets put-secret my_scope openai_api_key   (asks for the value, hidden)\n"
    "then refer to it in an endpoint as {{secrets/my_scope/openai_api_key}}."
)


class SecretsScreen(Screen[None]):
    CSS_PATH = "management.tcss"
    BINDINGS = [Binding("r", "refresh", "Refresh", id="refresh-secrets")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="secrets-body"):
            with Vertical(classes="half"):
                yield Static("Scopes", classes="section-title")
                yield DataTable(id="scopes", cursor_type="row")
            with Vertical(classes="half"):
                yield Static("Keys (values are never shown)", classes="section-title")
                yield DataTable(id="keys", cursor_type="row")
        yield Static(EMPTY, id="secrets-empty", classes="empty-state")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scopes", DataTable).add_columns("Scope", "Backend")
        self.query_one("#keys", DataTable).add_columns("Key", "Last updated")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @work(exclusive=True, group="scopes")
    async def action_refresh(self) -> None:
        try:
            scopes = await workspace_of(self).list_scopes()
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        current = refill(self.query_one("#scopes", DataTable), [(sc.name, (sc.name, sc.backend_type or "-")) for sc in scopes])
        self.query_one("#secrets-body").display = bool(scopes)
        self.query_one("#secrets-empty").display = not scopes
        if current is not None:
            self.show_keys(current)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "scopes" and event.row_key.value:
            self.show_keys(str(event.row_key.value))

    @work(exclusive=True, group="keys")
    async def show_keys(self, scope: str) -> None:
        try:
            secrets = await workspace_of(self).list_secrets(scope)
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        rows = []
        for secret in secrets:
            stamp = secret.last_updated_timestamp
            when = dt.datetime.fromtimestamp(stamp / 1000).strftime("%Y-%m-%d %H:%M") if stamp else "-"
            rows.append((secret.key, (secret.key, when)))
        refill(self.query_one("#keys", DataTable), rows)
