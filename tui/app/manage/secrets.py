"""F4: secret scopes and the keys in each (never values): create, put, replace and delete them.

The scopes table lists each scope with its number of secrets; the keys table beside it the selected
scope's keys with when each was last set. Deleting names what goes and which endpoints stop working.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Sequence
from typing import NamedTuple

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Static

from tui.app.manage.secret_dialogs import CreateScopeDialog, PutSecretDialog, dependents_line, listing
from tui.app.manage.table_screen import Row, TableScreen
from tui.app.workspace_of import workspace_of
from tui.domain.errors import ResourceDoesNotExist, SwitchboardError
from tui.domain.secret_refs import SecretRef
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.domain.text import printable
from tui.manage.dependents import endpoints_using
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.tables import refill
from tui.workspace.protocol import Workspace

EMPTY = (
    "No secret scopes yet.\n\n"
    "Press n to create a scope, then a to put a key in it: an API key, typed hidden and never shown again.\n"
    "Endpoints refer to it as {{secrets/<scope>/<key>}}.\n\n"
    "From a shell: switchboard secrets create-scope my_scope\n"
    "              switchboard secrets put-secret my_scope openai_api_key"
)


class ScopeItem(NamedTuple):
    scope: SecretScope
    secrets: list[SecretMetadata]


class SecretsScreen(TableScreen[ScopeItem]):
    CSS_PATH = ["management.tcss", "secrets.tcss"]
    BINDINGS = [
        Binding("n", "new_scope", "New scope", id="new-scope"),
        Binding("a", "put_secret", "Put secret", id="put-secret"),
        Binding("d,delete", "delete", "Delete", id="delete-scope-or-secret"),
        Binding("r", "refresh", "Refresh", id="refresh-secrets"),
    ]
    TABLE_ID = "scopes"
    COLUMNS = ("Scope", "Secrets", "Backend")
    EMPTY_ID = "secrets-empty"
    BODY_ID = "secrets-body"

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, ScopeItem] = {}
        self._select: SecretRef | None = None
        """What to put the cursors on after the next refresh (a key of "" selects only the scope)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="secrets-body"):
            with Vertical(classes="half"):
                yield Static("Scopes", classes="section-title")
                yield DataTable(id="scopes", cursor_type="row")
            with Vertical(classes="half"):
                yield Static("Keys (values are never shown)", id="keys-title", classes="section-title")
                yield DataTable(id="keys", cursor_type="row")
                yield Static("", id="keys-empty", classes="empty-state", markup=False)
        with Vertical(id="secrets-empty"):
            yield Static(EMPTY, classes="empty-state", markup=False)
            yield Button("New scope (n)", id="empty-new-scope", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        # TableScreen's own on_mount runs too: Textual calls the handler of every class in the MRO
        self.query_one("#keys", DataTable).add_columns("Key", "Last updated")

    async def load(self) -> list[ScopeItem]:
        ws = workspace_of(self)
        scopes = await ws.list_scopes()
        listed = await asyncio.gather(*(secrets_of(ws, scope.name) for scope in scopes))
        items = [
            ScopeItem(scope, secrets) for scope, secrets in zip(scopes, listed, strict=True) if secrets is not None
        ]
        self._items = {item.scope.name: item for item in items}
        return items

    def rows(self, items: Sequence[ScopeItem]) -> list[Row]:
        return [(i.scope.name, (i.scope.name, str(len(i.secrets)), i.scope.backend_type or "-")) for i in items]

    def filled(self, current: str | None) -> None:
        select, self._select = self._select, None
        scopes = self.query_one("#scopes", DataTable)
        if select is not None and (stored := self.stored_name(select.scope)) is not None:
            scopes.move_cursor(row=scopes.get_row_index(stored), animate=False)
            current = stored
        self.show_keys(current, select.key if select else None)
        self.refresh_bindings()

    def stored_name(self, scope: str) -> str | None:
        """The listed scope ``scope`` names (scope names ignore case), or None."""
        return next((name for name in self._items if name.lower() == scope.lower()), None)

    def current_scope(self) -> str | None:
        scopes = self.query_one("#scopes", DataTable)
        if not scopes.row_count:
            return None
        return scopes.coordinate_to_cell_key(scopes.cursor_coordinate).row_key.value

    def current_key(self) -> str | None:
        keys = self.query_one("#keys", DataTable)
        if not keys.row_count:
            return None
        return keys.coordinate_to_cell_key(keys.cursor_coordinate).row_key.value

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "scopes" and event.row_key.value:
            self.show_keys(event.row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click on the selected row): on a scope, go to its keys; on a key, replace its value."""
        if event.data_table.id == "scopes":
            self.query_one("#keys", DataTable).focus()
        elif (scope := self.current_scope()) is not None and event.row_key.value:
            self.app.push_screen(PutSecretDialog(scope, event.row_key.value), self.stored)

    def show_keys(self, scope: str | None, select: str | None = None) -> None:
        """The keys of ``scope`` as last loaded, the cursor on ``select`` when given."""
        item = self._items.get(scope or "")
        secrets = item.secrets if item else []
        keys = self.query_one("#keys", DataTable)
        refill(keys, [(s.key, (s.key, updated(s))) for s in secrets])
        if select and select in {s.key for s in secrets}:
            keys.move_cursor(row=keys.get_row_index(select), animate=False)
        title = f"Keys in '{scope}' (values are never shown)" if scope else "Keys (values are never shown)"
        self.query_one("#keys-title", Static).update(Text(printable(title)))  # a server's scope name: any text
        hint = self.query_one("#keys-empty", Static)
        hint.update(printable(f"No keys in '{scope}' yet: press a to put one.") if scope and not secrets else "")
        hint.display = bool(scope and not secrets)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return True if self.current_scope() is not None else None  # shown greyed out with nothing to delete
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "empty-new-scope":
            event.stop()
            self.action_new_scope()

    def action_new_scope(self) -> None:
        self.app.push_screen(CreateScopeDialog(), self.created)

    def created(self, scope: str | None) -> None:
        if scope:
            self.notify(f"Created scope '{scope}'. Press a to put a secret in it.", markup=False)
            self.reload_selecting(SecretRef(scope, ""), "#scopes")

    def action_put_secret(self) -> None:
        self.app.push_screen(PutSecretDialog(self.current_scope()), self.stored)

    def stored(self, ref: SecretRef | None) -> None:
        if ref is not None:
            self.notify(f"Stored the secret; endpoints refer to it as {ref}", markup=False)
            self.reload_selecting(ref, "#keys")

    def reload_selecting(self, select: SecretRef, focus: str) -> None:
        self._select = select
        self.action_refresh()
        self.query_one(focus, DataTable).focus()

    def action_delete(self) -> None:
        scope = self.current_scope()
        if scope is None:
            return
        if not self.query_one("#keys", DataTable).has_focus:
            self.delete_scope(scope)
        elif (key := self.current_key()) is not None:
            self.delete_secret(scope, key)
        else:
            self.notify(f"Scope '{scope}' holds no key to delete; Tab to the scopes to delete it.", markup=False)

    @work(exclusive=True, group="secrets-delete")
    async def delete_scope(self, scope: str) -> None:
        ws = workspace_of(self)
        endpoints = await self.attempt(ws.list_endpoints())
        if endpoints is None:
            return
        item = self._items.get(scope)
        lines = [
            contents_line([s.key for s in item.secrets] if item else []),
            dependents_line(endpoints_using(endpoints, scope), "Endpoints that will stop working"),
        ]
        if await self.app.push_screen_wait(ConfirmDialog(f"Delete secret scope '{scope}'?", lines)):
            await self.change(ws.delete_scope(scope), f"Deleted scope '{scope}'.")

    @work(exclusive=True, group="secrets-delete")
    async def delete_secret(self, scope: str, key: str) -> None:
        ws = workspace_of(self)
        endpoints = await self.attempt(ws.list_endpoints())
        if endpoints is None:
            return
        lines = [
            "Its value cannot be recovered.",
            dependents_line(endpoints_using(endpoints, scope, key), "Endpoints that will stop working"),
        ]
        if await self.app.push_screen_wait(ConfirmDialog(f"Delete secret '{key}' from scope '{scope}'?", lines)):
            await self.change(ws.delete_secret(scope, key), f"Deleted secret '{key}' from scope '{scope}'.")

    async def change(self, call: Awaitable[None], done: str) -> None:
        """Make a change; say it is done, or show why not. The tables are reloaded either way."""
        try:
            await call
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
        else:
            self.notify(done, markup=False)
        self.action_refresh()


async def secrets_of(ws: Workspace, scope: str) -> list[SecretMetadata] | None:
    """The scope's secrets, or None when it went away since it was listed."""
    try:
        return await ws.list_secrets(scope)
    except ResourceDoesNotExist:
        return None


def contents_line(keys: Sequence[str]) -> str:
    """What deleting a scope takes with it."""
    if not keys:
        return "It holds no secrets."
    return f"Its {len(keys)} secret{'' if len(keys) == 1 else 's'} will be deleted with it: {listing(keys)}."


def updated(secret: SecretMetadata) -> str:
    """When the secret was last set, to the minute, in local time."""
    stamp = secret.last_updated_timestamp
    return dt.datetime.fromtimestamp(stamp / 1000).strftime("%Y-%m-%d %H:%M") if stamp else "-"
