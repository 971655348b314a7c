"""F3: the workspace's endpoints, the hub for everything done to one: filter, sort, create, edit, duplicate,
delete, test, copy as, JSON, detail, open in the playground."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Footer, Header, Input, Static

from tui.app.manage import endpoints_actions as actions
from tui.app.manage.endpoints_rows import COLUMNS, arrange, cells, served
from tui.app.manage.table_screen import Row, TableScreen
from tui.app.messages import FollowRollout
from tui.app.workspace_of import endpoint_changes_of, workspace_of
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import SwitchboardError
from tui.manage.rollout_watch import updating
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.tables import refill

EMPTY = (
    "No endpoints yet.\n\n"
    "Press n (or New above) to create one: pick a provider and a model, and where its API key comes from.\n"
    "The key is read from a secret scope, so store it first: F4, create a scope, add the key.\n\n"
    "From a shell:  switchboard serving-endpoints create --json @endpoint.json  (see README),\n"
    "or try  switchboard --demo  for simulated endpoints that need no key."
)

BUTTONS = (
    ("new", "New"),
    ("edit", "Edit"),
    ("duplicate", "Duplicate"),
    ("delete", "Delete"),
    ("playground", "Playground"),
    ("test", "Test"),
    ("copy_as", "Copy as"),
    ("show_json", "JSON"),
    ("detail", "Detail"),
)
"""The actions as a row of buttons, for the mouse (each is a key binding too)."""

ON_ONE = frozenset(action for action, _ in BUTTONS if action != "new")
"""Actions on the endpoint under the cursor: unavailable when the table shows none."""

ARROWS = {False: " ▲", True: " ▼"}


def header(index: int, sort_column: int, descending: bool) -> str:
    """A column's header: the sorted one carries the direction, the others keep room for it so none jumps."""
    return COLUMNS[index] + (ARROWS[descending] if index == sort_column else "  ")


class EndpointsScreen(TableScreen[ServingEndpointDetailed]):
    CSS_PATH = ["management.tcss", "endpoints.tcss"]
    AUTO_FOCUS = "#endpoints"  # the table, not the filter: keys act on rows until / is pressed
    BINDINGS = [
        Binding("n", "new", "New", id="endpoint-new"),
        Binding("e", "edit", "Edit", id="endpoint-edit"),
        Binding("D", "duplicate", "Duplicate", id="endpoint-duplicate", show=False),
        Binding("d", "delete", "Delete", id="endpoint-delete"),
        Binding("p", "playground", "Playground", id="endpoint-playground", tooltip="Open in playground"),
        Binding("t", "test", "Test", id="endpoint-test", show=False),
        Binding("y", "copy_as", "Copy as", id="endpoint-copy-as", show=False),
        Binding("j,enter", "show_json", "JSON", id="endpoint-json", show=False),
        Binding("v,i", "detail", "Detail", id="endpoint-detail", tooltip="Detail and usage"),
        Binding("slash", "focus_filter", "Filter", id="endpoints-filter"),
        Binding("escape", "clear_filter", "Clear filter", id="endpoints-clear-filter", show=False),
        Binding("s", "sort_next", "Sort", id="endpoints-sort", tooltip="Sort by the next column"),
        Binding("S", "sort_reverse", "Reverse sort", id="endpoints-sort-reverse", show=False),
        Binding("r", "refresh", "Refresh", id="refresh-endpoints", show=False),
    ]
    TABLE_ID = "endpoints"
    COLUMNS = tuple(header(index, 0, False) for index in range(len(COLUMNS)))  # by name, A to Z, at first
    EMPTY_ID = "endpoints-empty"
    BODY_ID = "endpoints-body"

    def __init__(self) -> None:
        super().__init__()
        self._all: list[ServingEndpointDetailed] = []
        self._by_name: dict[str, ServingEndpointDetailed] = {}
        self._sort_column = 0
        self._descending = False
        self._select_next: str | None = None
        """A name to put the cursor on once it is listed (one just saved)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Endpoints", classes="section-title")
        with Horizontal(id="endpoints-actions"):
            for action, label in BUTTONS:
                yield Button(label, id=f"do-{action}", compact=True)
        with Vertical(id="endpoints-body"):
            with Horizontal(id="endpoints-filter-bar"):
                yield Input(placeholder="Filter (/): name, state, task, provider, model, tag…", id="endpoints-filter")
                yield Static("", id="endpoints-count", markup=False)
            yield DataTable(id="endpoints", cursor_type="row", zebra_stripes=True)
        yield Static(EMPTY, id="endpoints-empty", classes="empty-state", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        # TableScreen's own on_mount runs too (it adds the columns): Textual calls every class's handler
        for button in self.query(Button):
            button.can_focus = False  # for the mouse; the keyboard has the bindings, focus stays on the table
        endpoint_changes_of(self).subscribe(self, self._changed)

    # -- what is listed
    async def load(self) -> list[ServingEndpointDetailed]:
        endpoints = await workspace_of(self).list_endpoints()
        self._all = endpoints
        self._by_name = {e.name: e for e in endpoints}
        for endpoint in endpoints:
            if updating(endpoint):
                self.post_message(FollowRollout(endpoint.name))
        return endpoints

    def _changed(self, endpoint: ServingEndpointDetailed) -> None:
        """A watched update moved on: its row shows the new state at once, without a reload."""
        if endpoint.name not in self._by_name:
            return
        self._all = [endpoint if e.name == endpoint.name else e for e in self._all]
        self._by_name[endpoint.name] = endpoint
        self._show()

    def rows(self, endpoints: Sequence[ServingEndpointDetailed]) -> list[Row]:
        shown = arrange(endpoints, self._query(), self._sort_column, self._descending)
        return [(e.name, cells(e)) for e in shown]

    def filled(self, current: str | None) -> None:
        table = self._table()
        if self._select_next is not None:
            name = self._select_next
            if name in self._by_name and not self._listed(name):
                self._filter().value = ""  # the filter hides it: clearing refills, and this runs again
                return
            self._select_next = None
            if self._listed(name):
                table.move_cursor(row=table.get_row_index(name))
        self._count(table.row_count)
        for action in ON_ONE:
            self.query_one(f"#do-{action}", Button).disabled = not table.row_count
        self.refresh_bindings()

    def _show(self) -> None:
        """Refill from what was last loaded (filter or sort changed)."""
        self.filled(refill(self._table(), self.rows(self._all)))

    def _count(self, shown: int) -> None:
        total = len(self._all)
        query = self._query()
        if not query:
            text = f"{total} endpoint{'s' if total != 1 else ''}"
        elif shown:
            text = f"{shown} of {total} match"
        else:
            text = "none match · Esc clears"
        self.query_one("#endpoints-count", Static).update(text)

    # -- filter
    def _query(self) -> str:
        return self._filter().value.strip()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "endpoints-filter":
            self._show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._table().focus()

    def action_focus_filter(self) -> None:
        self._filter().focus()

    def action_clear_filter(self) -> None:
        self._filter().value = ""
        self._table().focus()

    # -- sort
    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by that column; on the sorted column, the other way."""
        if event.column_index == self._sort_column:
            self._descending = not self._descending
        else:
            self._sort_column, self._descending = event.column_index, False
        self._sorted()

    def action_sort_next(self) -> None:
        self._sort_column = (self._sort_column + 1) % len(COLUMNS)
        self._descending = False
        self._sorted()

    def action_sort_reverse(self) -> None:
        self._descending = not self._descending
        self._sorted()

    def _sorted(self) -> None:
        self._label_columns()
        self._show()
        how = "Z to A" if self._descending else "A to Z"
        if COLUMNS[self._sort_column] == "Last updated":
            how = "newest first" if self._descending else "oldest first"
        self.notify(f"Sorted by {COLUMNS[self._sort_column].lower()}, {how}", timeout=2)

    def _label_columns(self) -> None:
        for index, column in enumerate(self._table().ordered_columns):
            column.label = Text(header(index, self._sort_column, self._descending))

    # -- actions on endpoints
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ON_ONE and not self._table().row_count:
            return None  # shown greyed out: nothing is selected
        return True

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("do-"):
            event.stop()
            await self.run_action(event.button.id.removeprefix("do-"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_show_json()  # Enter or a click on the highlighted row

    def action_new(self) -> None:
        actions.open_editor(self, None, self._saved)

    def action_edit(self) -> None:
        if endpoint := self._selected():
            actions.open_editor(self, endpoint, self._saved)

    def action_duplicate(self) -> None:
        if endpoint := self._selected():
            actions.open_editor(self, endpoint, self._saved, duplicate=True)

    def action_test(self) -> None:
        if endpoint := self._selected():
            actions.open_probe(self, endpoint)

    def action_copy_as(self) -> None:
        if endpoint := self._selected():
            actions.open_copy_as(self, endpoint)

    def action_show_json(self) -> None:
        if endpoint := self._selected():
            actions.show_json(self, endpoint)

    def action_playground(self) -> None:
        if endpoint := self._selected():
            actions.open_in_playground(self, endpoint)

    def action_detail(self) -> None:
        if endpoint := self._selected():
            from tui.app.manage.endpoint_detail import EndpointDetailScreen

            self.app.push_screen(EndpointDetailScreen(endpoint.name))

    def action_delete(self) -> None:
        if endpoint := self._selected():
            self._delete(endpoint)

    @work(exclusive=True, group="endpoint-delete")
    async def _delete(self, endpoint: ServingEndpointDetailed) -> None:
        name = endpoint.name
        question = ConfirmDialog(
            f"Delete endpoint {name}?",
            [
                f"Goes: the endpoint {name}, serving {served(endpoint)},",
                "with its traffic split, rate limits and tags.",
                "Scripts and playground panes that call it will get 'does not exist'. This cannot be undone.",
                "(j shows its JSON first, to keep a copy.)",
            ],
        )
        if not await self.app.push_screen_wait(question):
            return
        try:
            await workspace_of(self).delete_endpoint(name)
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        self.notify(f"Deleted endpoint {name}", markup=False)
        self.action_refresh()

    def _saved(self, name: str) -> None:
        self._select_next = name
        self.action_refresh()

    # -- parts
    def _selected(self) -> ServingEndpointDetailed | None:
        table = self._table()
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._by_name.get(str(key))

    def _listed(self, name: str) -> bool:
        return any(key.value == name for key in self._table().rows)

    def _table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    def _filter(self) -> Input:
        return self.query_one("#endpoints-filter", Input)
