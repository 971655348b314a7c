"""F4: secret scopes and the keys in each (never values)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from tui.app.manage.table_screen import Row, TableScreen
from tui.app.workspace_of import workspace_of
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.widgets.tables import refill

EMPTY = (
    "No secret scopes yet.\n\n"
    "Create one and store a key:\n"
    "  switchboard secrets create-scope my_scope\n"
    "  switchboard secrets put-secret my_scope openai_api_key   (asks for the value, hidden)\n"
    "then refer to it in an endpoint as {{secrets/my_scope/openai_api_key}}."
)


class SecretsScreen(TableScreen[SecretScope]):
    BINDINGS = [Binding("r", "refresh", "Refresh", id="refresh-secrets")]
    TABLE_ID = "scopes"
    COLUMNS = ("Scope", "Backend")
    EMPTY_ID = "secrets-empty"
    BODY_ID = "secrets-body"

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
        # TableScreen's own on_mount runs too: Textual calls the handler of every class in the MRO
        self.query_one("#keys", DataTable).add_columns("Key", "Last updated")

    async def load(self) -> list[SecretScope]:
        return await workspace_of(self).list_scopes()

    def rows(self, scopes: Sequence[SecretScope]) -> list[Row]:
        return [(sc.name, (sc.name, sc.backend_type or "-")) for sc in scopes]

    def filled(self, current: str | None) -> None:
        if current is not None:
            self.show_keys(current)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "scopes" and event.row_key.value:
            self.show_keys(str(event.row_key.value))

    @work(exclusive=True, group="keys")
    async def show_keys(self, scope: str) -> None:
        secrets = await self.attempt(workspace_of(self).list_secrets(scope))
        if secrets is not None:
            refill(self.query_one("#keys", DataTable), [(s.key, (s.key, updated(s))) for s in secrets])


def updated(secret: SecretMetadata) -> str:
    """When the secret was last set, to the minute, in local time."""
    stamp = secret.last_updated_timestamp
    return dt.datetime.fromtimestamp(stamp / 1000).strftime("%Y-%m-%d %H:%M") if stamp else "-"
