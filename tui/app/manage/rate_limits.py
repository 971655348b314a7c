"""F5: each endpoint's rate limits (legacy and AI gateway) and gateway settings, edited in place, with how
much of each limit the current minute has used (refreshed every two seconds while the screen is shown).

The endpoints are listed on the left; the selected one's limits and settings on the right. A limit is
added, changed or removed through a dialog that stores it in one call (the whole list, as stored at that
moment, with the one change made), so nothing is saved half-way.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.widgets import Button, DataTable, Footer, Header, Static

from tui.app.manage.gateway_dialog import GatewayDialog
from tui.app.manage.limit_dialogs import LimitDialog
from tui.app.manage.table_screen import Row, TableScreen
from tui.app.workspace_of import workspace_of
from tui.domain.errors import SwitchboardError
from tui.domain.gateway import AiGatewayConfig
from tui.domain.text import printable
from tui.manage.limits import (
    AnyLimit,
    ChangedElsewhere,
    EndpointLimits,
    Kind,
    LimitEdit,
    LimitForm,
    amount,
    busiest_text,
    describe,
    edited,
    endpoint_limits,
    form_of,
    kind_of,
    per_text,
    use_text,
    with_gateway_limits,
)
from tui.manage.limits_gateway import settings_lines, with_settings
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.tables import refill

EMPTY = (
    "No endpoints yet, so nothing to limit.\n\n"
    "Create one on F3 (Endpoints) or with  switchboard serving-endpoints create --json ...\n"
    "then come back here and press a to give it a rate limit."
)
NO_LEGACY = "No legacy limits. Press a to add one (AI gateway limits are recommended: they can count tokens too)."
NO_GATEWAY = "No AI gateway limits. Press a to add calls and/or tokens per user, group, service principal or endpoint."
TABLES = ("legacy-limits", "gateway-limits")


class RateLimitsScreen(TableScreen[EndpointLimits]):
    """Lists the endpoints with their limits; edits the selected endpoint's limits and gateway settings."""

    CSS_PATH = "rate_limits.tcss"
    BINDINGS = [
        Binding("a", "add", "Add limit", id="add-limit"),
        Binding("e,enter", "edit", "Edit limit", id="edit-limit"),
        Binding("d,delete", "delete", "Remove limit", id="delete-limit"),
        Binding("g", "gateway", "Gateway settings", id="gateway-settings"),
        Binding("r", "refresh", "Refresh", id="refresh-limits"),
    ]
    TABLE_ID = "limits"
    COLUMNS = ("Endpoint", "Limits", "Busiest this minute")
    EMPTY_ID = "limits-empty"
    BODY_ID = "limits-body"

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, EndpointLimits] = {}
        self._selected: str | None = None
        self._limit_table = "gateway-limits"
        """The limits table e and d act on: the one last focused."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Rate limits and AI gateway: use in the current minute, for you", classes="section-title")
        with Horizontal(id="limits-body"):
            with Vertical(id="limits-list"):
                yield DataTable(id="limits", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="limits-detail"):
                yield Static("", id="detail-title", classes="section-title", markup=False)
                yield Static("Legacy rate limits (calls per minute)", classes="detail-heading")
                yield DataTable(id="legacy-limits", cursor_type="row")
                yield Static(NO_LEGACY, id="legacy-empty", classes="detail-empty")
                yield Static("AI gateway rate limits (per minute)", classes="detail-heading")
                yield DataTable(id="gateway-limits", cursor_type="row")
                yield Static(NO_GATEWAY, id="gateway-empty", classes="detail-empty")
                yield Static("AI gateway settings (g to change)", classes="detail-heading")
                yield Static("", id="gateway-settings", markup=False)
                with Horizontal(id="limit-buttons"):
                    yield Button("Add (a)", id="limit-add", variant="primary", action="screen.add", compact=True)
                    yield Button("Edit (e)", id="limit-edit", action="screen.edit", compact=True)
                    yield Button("Remove (d)", id="limit-delete", variant="error", action="screen.delete", compact=True)
                    yield Button("Gateway (g)", id="limit-gateway", action="screen.gateway", compact=True)
        yield Static(EMPTY, id="limits-empty", classes="empty-state")
        yield Footer()

    def on_mount(self) -> None:
        # TableScreen's own on_mount runs too: Textual calls the handler of every class in the MRO
        self.query_one("#legacy-limits", DataTable).add_columns("Calls/min", "Counted for", "Your calls")
        self.query_one("#gateway-limits", DataTable).add_columns(
            "Calls/min", "Tokens/min", "Counted for", "Your calls", "Your tokens"
        )
        self.set_interval(2.0, self._tick)

    def _tick(self) -> None:
        if self.is_current:
            self.action_refresh()

    # -- the list on the left

    async def load(self) -> list[EndpointLimits]:
        ws = workspace_of(self)
        items = []
        for endpoint in await ws.list_endpoints():
            try:
                statuses = await ws.rate_limit_status(endpoint.name)
            except SwitchboardError:  # gone or changed since the list: its row shows no use this time
                statuses = []
            items.append(endpoint_limits(endpoint, statuses))
        self._items = {item.name: item for item in items}
        return items

    def rows(self, items: Sequence[EndpointLimits]) -> list[Row]:
        return [(item.name, (item.name, item.summary, busiest_text(item.busiest))) for item in items]

    def filled(self, current: str | None) -> None:
        self._selected = current
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "limits" and event.row_key.value:
            self._selected = str(event.row_key.value)
            self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click on the highlighted row) in the list goes to its limits; on a limit, edits it."""
        event.stop()
        if event.data_table.id == "limits":
            target = next((t for t in (self._limit_table, *TABLES) if self._table(t).row_count), None)
            if target:
                self._table(target).focus()
            else:
                self.notify("This endpoint has no limits yet: press a to add one.", markup=False)
        else:
            self.action_edit()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if event.widget.id in TABLES:
            self._limit_table = event.widget.id

    # -- the selected endpoint on the right

    def _table(self, table_id: str) -> DataTable[Text]:
        return self.query_one(f"#{table_id}", DataTable)

    def _show_detail(self) -> None:
        item = self._items.get(self._selected or "")
        if item is None:
            return
        self.query_one("#detail-title", Static).update(printable(item.name))
        legacy_rows: list[Row] = [
            (str(i), (f"{limit.calls:,}", per_text(limit), use_text(use, "calls")))
            for i, (limit, use) in enumerate(zip(item.legacy, item.legacy_use, strict=True))
        ]
        gateway_rows: list[Row] = [
            (
                str(i),
                (
                    amount(limit.calls),
                    amount(limit.tokens),
                    per_text(limit),
                    use_text(use, "calls"),
                    use_text(use, "tokens"),
                ),
            )
            for i, (limit, use) in enumerate(zip(item.gateway_limits, item.gateway_use, strict=True))
        ]
        for table_id, rows in zip(TABLES, (legacy_rows, gateway_rows), strict=True):
            refill(self._table(table_id), rows)
            self._table(table_id).display = bool(rows)
        self.query_one("#legacy-empty").display = not legacy_rows
        self.query_one("#gateway-empty").display = not gateway_rows
        self.query_one("#gateway-settings", Static).update(printable("\n".join(settings_lines(item.gateway))))

    def _current_limit(self) -> tuple[EndpointLimits, LimitEdit] | None:
        """The selected endpoint and the limit the cursor is on (in the limits table last focused, else the
        first with rows); None, once said why, when there is none."""
        item = self._items.get(self._selected or "")
        if item is None:
            self.notify("No endpoint selected.", severity="warning", markup=False)
            return None
        for table_id in (self._limit_table, *TABLES):
            table = self._table(table_id)
            if table.row_count:
                index = table.cursor_row
                if table_id == "legacy-limits":
                    return item, LimitEdit("legacy", index, item.legacy[index])
                return item, LimitEdit("gateway", index, item.gateway_limits[index])
        self.notify("This endpoint has no limits: press a to add one.", severity="warning", markup=False)
        return None

    # -- actions

    def action_add(self) -> None:
        item = self._items.get(self._selected or "")
        if item is None:
            self.notify("No endpoint to limit: create one first (F3).", severity="warning", markup=False)
            return
        kind: Kind = "legacy" if self.focused is not None and self.focused.id == "legacy-limits" else "gateway"

        async def save(limit: AnyLimit) -> str | None:
            return await self._store(item.name, LimitEdit(kind_of(limit), after=limit))

        self.app.push_screen(LimitDialog(item.name, LimitForm(kind), save))

    def action_edit(self) -> None:
        current = self._current_limit()
        if current is None:
            return
        item, edit = current
        assert edit.before is not None

        async def save(limit: AnyLimit) -> str | None:
            return await self._store(item.name, LimitEdit(edit.kind, edit.index, edit.before, limit))

        self.app.push_screen(LimitDialog(item.name, form_of(edit.before), save, editing=True))

    @work(exclusive=True, group="limit-remove")
    async def action_delete(self) -> None:
        current = self._current_limit()
        if current is None:
            return
        item, edit = current
        assert edit.before is not None
        kind = "legacy rate limit" if edit.kind == "legacy" else "AI gateway rate limit"
        lines = [describe(edit.before), "Calls it holds back now will go through at once."]
        if not await self.app.push_screen_wait(
            ConfirmDialog(f"Remove this {kind} of {item.name}?", lines, confirm="Remove")
        ):
            return
        if error := await self._store(item.name, edit):
            self.notify(error, severity="error", markup=False)
        else:
            self.notify(f"Removed: {describe(edit.before)}", markup=False)

    def action_gateway(self) -> None:
        item = self._items.get(self._selected or "")
        if item is None:
            self.notify("No endpoint selected: create one first (F3).", severity="warning", markup=False)
            return

        async def save(settings: AiGatewayConfig) -> str | None:
            return await self._store_settings(item.name, settings)

        self.app.push_screen(GatewayDialog(item.name, item.gateway, item.served_entities, save))

    # -- storing

    async def _store(self, name: str, edit: LimitEdit) -> str | None:
        """Make ``edit`` on the limits as stored now, in one call; the error in words, or None when stored."""
        ws = workspace_of(self)
        try:
            endpoint = await ws.get_endpoint(name)
            if edit.kind == "legacy":
                await ws.put_rate_limits(name, edited(endpoint.rate_limits or [], edit))
            else:
                limits = edited(endpoint.ai_gateway.rate_limits or [] if endpoint.ai_gateway else [], edit)
                await ws.put_ai_gateway(name, with_gateway_limits(endpoint.ai_gateway, limits))
        except SwitchboardError as err:
            return err.message
        except ChangedElsewhere as err:
            return str(err)
        finally:
            self.action_refresh()  # what is stored now, whether this call changed it or not
        return None

    async def _store_settings(self, name: str, settings: AiGatewayConfig) -> str | None:
        """The gateway's settings over its config as stored now (its rate limits kept), in one call."""
        ws = workspace_of(self)
        try:
            endpoint = await ws.get_endpoint(name)
            await ws.put_ai_gateway(name, with_settings(endpoint.ai_gateway, settings))
        except SwitchboardError as err:
            return err.message
        self.action_refresh()
        return None
