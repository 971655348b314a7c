"""F5: every rate limit of every endpoint and how much of it this minute has used (refreshes live)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tui.app.manage.table_screen import Row, TableScreen
from tui.app.workspace_of import workspace_of
from tui.workspace.usage import LimitStatus

EMPTY = (
    "No rate limits set.\n\n"
    "Limit an endpoint to 20 calls a minute per user:\n"
    '  switchboard serving-endpoints put NAME --json \'{"rate_limits": [{"key": "user", "renewal_period": "minute", "calls": 20}]}\'\n'
    "or with calls and tokens through the AI gateway:  switchboard serving-endpoints put-ai-gateway NAME --json ..."
)


def meter(used: int, limit: int | None, width: int = 12) -> str:
    if not limit:
        return f"{used}"
    filled = min(width, round(width * used / limit))
    return f"{'█' * filled}{'░' * (width - filled)} {used}/{limit}"


class RateLimitsScreen(TableScreen[tuple[str, LimitStatus]]):
    """Lists (endpoint name, limit status) pairs, reloaded every two seconds while it is on screen."""

    BINDINGS = [Binding("r", "refresh", "Refresh", id="refresh-limits")]
    TABLE_ID = "limits"
    COLUMNS = ("Endpoint", "Limit", "Calls", "Tokens")
    EMPTY_ID = "limits-empty"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Rate limits — use in the last minute, for you", classes="section-title")
        yield DataTable(id="limits", cursor_type="row", zebra_stripes=True)
        yield Static(EMPTY, id="limits-empty", classes="empty-state")
        yield Footer()

    def on_mount(self) -> None:
        # TableScreen's own on_mount runs too: Textual calls the handler of every class in the MRO
        self.set_interval(2.0, self._tick)

    def _tick(self) -> None:
        if self.is_current:
            self.action_refresh()

    async def load(self) -> list[tuple[str, LimitStatus]]:
        ws = workspace_of(self)
        return [(e.name, status) for e in await ws.list_endpoints() for status in await ws.rate_limit_status(e.name)]

    def rows(self, limits: Sequence[tuple[str, LimitStatus]]) -> list[Row]:
        return [
            (
                f"{name}/{index}",
                (name, s["label"], meter(s["calls"], s["calls_limit"]), meter(s["tokens"], s["tokens_limit"])),
            )
            for index, (name, s) in enumerate(limits)
        ]
