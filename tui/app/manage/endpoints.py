"""F3: the workspace's endpoints: provider, model, task, state, limits; Enter shows the JSON."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tui.app.manage.table_screen import Row, TableScreen
from tui.app.workspace_of import workspace_of
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.simulated import is_simulated

EMPTY = (
    "No endpoints yet.\n\n"
    "Create one from a JSON file with  switchboard serving-endpoints create --json @endpoint.json\n"
    "(see README), or try  switchboard --demo  for simulated ones. The in-app editor comes next."
)


def describe_row(e: ServingEndpointDetailed) -> tuple[str, ...]:
    """Name, provider, model, task, state, rate limits and tags, as the table shows them."""
    entities = e.config.served_entities if e.config else []
    models = [s.external_model for s in entities if s.external_model]
    provider = ", ".join(sorted({m.provider_shown for m in models})) or "-"
    model = ", ".join(m.name.split("@")[0] for m in models) or "-"
    state = e.state.ready if e.state and e.state.ready else "-"
    tags = ", ".join(f"{t.key}={t.value}" if t.value else t.key for t in e.tags or [])
    name = f"{e.name} (simulated)" if is_simulated(e.tags) else e.name
    return (name, provider, model, e.task or "-", state, describe_limits(e), tags)


def describe_limits(endpoint: ServingEndpointDetailed) -> str:
    parts = [f"{r.calls}/min per {r.effective_key}" for r in endpoint.rate_limits or []]
    gateway = endpoint.ai_gateway.rate_limits if endpoint.ai_gateway and endpoint.ai_gateway.rate_limits else []
    for g in gateway:
        amount = " + ".join(
            x
            for x in (
                f"{g.calls} calls" if g.calls is not None else "",
                f"{g.tokens} tok" if g.tokens is not None else "",
            )
            if x
        )
        parts.append(f"{amount}/min per {g.effective_key}")
    return ", ".join(parts) or "-"


class EndpointsScreen(TableScreen[ServingEndpointDetailed]):
    BINDINGS = [
        Binding("enter", "show_json", "JSON", id="endpoint-json"),
        Binding("r", "refresh", "Refresh", id="refresh-endpoints"),
    ]
    TABLE_ID = "endpoints"
    COLUMNS = ("Name", "Provider", "Model", "Task", "State", "Rate limits", "Tags")
    EMPTY_ID = "endpoints-empty"

    def __init__(self) -> None:
        super().__init__()
        self._endpoints: dict[str, ServingEndpointDetailed] = {}  # by name, as last loaded, for the JSON view

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Endpoints", classes="section-title")
        yield DataTable(id="endpoints", cursor_type="row", zebra_stripes=True)
        yield Static(EMPTY, id="endpoints-empty", classes="empty-state")
        yield Footer()

    async def load(self) -> list[ServingEndpointDetailed]:
        endpoints = await workspace_of(self).list_endpoints()
        self._endpoints = {e.name: e for e in endpoints}
        return endpoints

    def rows(self, endpoints: Sequence[ServingEndpointDetailed]) -> list[Row]:
        return [(e.name, describe_row(e)) for e in endpoints]

    def action_show_json(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        endpoint = self._endpoints.get(key)
        if endpoint is not None:
            from tui.app.manage.json_view import JsonViewScreen

            self.app.push_screen(JsonViewScreen(f"Endpoint {key}", endpoint.to_json()))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_show_json()
