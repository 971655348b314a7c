"""F5: every rate limit of every endpoint and how much of it this minute has used (refreshes live)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui.app.workspace_of import workspace_of
from tui.domain.errors import SwitchboardError
from tui.widgets.tables import refill

EMPTY = (
    "No rate limits set.\n\n"
    "Limit an endpoint to 20 calls a minute per user:\n"
    "  switchboard serving-endpoints put NAME --json '{\"rate_limits\": [{\"key\": \"user\", \"renewal_period\": \"minute\", \"calls\": 20}]}'\n"
    "or with calls and tokens through the AI gateway:  switchboard serving-endpoints put-ai-gateway NAME --json ..."
)


def meter(used: int, limit: int | None, width: int = 12) -> str:
    if not limit:
        return f"{used}"
    filled = min(width, round(width * used / limit))
    return f"{'█' * filled}{'░' * (width - filled)} {used}/{limit}"


class RateLimitsScreen(Screen[None]):
    CSS_PATH = "management.tcss"
    BINDINGS = [Binding("r", "refresh", "Refresh", id="refresh-limits")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Rate limits — use in the last minute, for you", classes="section-title")
        yield DataTable(id="limits", cursor_type="row", zebra_stripes=True)
        yield Static(EMPTY, id="limits-empty", classes="empty-state")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Endpoint", "Limit", "Calls", "Tokens")
        self.action_refresh()
        self.set_interval(2.0, self.action_refresh)

    @work(exclusive=True, group="limits")
    async def action_refresh(self) -> None:
        if not self.is_current:
            return
        ws = workspace_of(self)
        rows = []
        try:
            for endpoint in await ws.list_endpoints():
                for status in await ws.rate_limit_status(endpoint.name):
                    rows.append((endpoint.name, status))
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        cells = [
            (f"{name}/{index}", (name, s["label"], meter(s["calls"], s["calls_limit"]), meter(s["tokens"], s["tokens_limit"])))
            for index, (name, s) in enumerate(rows)
        ]
        table = self.query_one(DataTable)
        refill(table, cells)
        table.display = bool(rows)
        self.query_one("#limits-empty").display = not rows
