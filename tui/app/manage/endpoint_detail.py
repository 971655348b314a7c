"""One endpoint in full: state, config version, served entities and their traffic, limits, tags, and its
use over the last hour (calls, tokens, errors per minute) as small charts, refreshed every few seconds."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from tui.app.manage import endpoints_actions as actions
from tui.app.manage.endpoints_rows import (
    entities,
    gateway_limits,
    legacy_limits,
    model_shown,
    state,
    tags,
    traffic_shares,
    when,
)
from tui.app.messages import FollowRollout
from tui.app.workspace_of import endpoint_changes_of, workspace_of
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import SwitchboardError
from tui.domain.simulated import is_simulated
from tui.domain.text import printable
from tui.manage.rollout_watch import failure_reason, updating
from tui.manage.usage_series import WINDOW_MINUTES, UsageSeries, epoch_minute, per_minute, window_start
from tui.widgets.tables import refill
from tui.workspace.usage import Usage

REFRESH_SECONDS = 3.0
ENTITY_COLUMNS = ("Served entity", "Provider", "Model", "Task", "Traffic", "Deployment")
SERIES = (("calls", "Calls"), ("tokens", "Tokens"), ("errors", "Errors"))
"""The charts: the series' field and its label."""


def facts(lines: Sequence[tuple[str, str]]) -> Table:
    """Labels in bold, values beside them (wrapping under themselves); values are plain text whatever they hold."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in lines:
        grid.add_row(Text(label), Text(printable(value)))
    return grid


def overview(endpoint: ServingEndpointDetailed) -> Table:
    config = endpoint.config
    lines = [
        ("State", state(endpoint)),
        ("Config version", str(config.config_version) if config and config.config_version is not None else "-"),
    ]
    pending = endpoint.pending_config
    if pending is not None and updating(endpoint):
        lines.append(("Rolling out", f"version {pending.config_version or '?'} since {when(pending.start_time)}"))
    elif pending is not None:
        lines.append((f"Version {pending.config_version or '?'}", failure_reason(endpoint) or "did not roll out"))
    lines += [
        ("Task", endpoint.task or "-"),
        ("Created", f"{when(endpoint.creation_timestamp)} by {endpoint.creator or '-'}"),
        ("Last updated", when(endpoint.last_updated_timestamp)),
    ]
    if endpoint.description:
        lines.append(("Description", endpoint.description))
    return facts(lines)


def limits_and_tags(endpoint: ServingEndpointDetailed) -> Table:
    legacy = legacy_limits(endpoint)
    gateway = gateway_limits(endpoint)
    lines = [("Rate limits", line) for line in legacy] or [("Rate limits", "none")]
    lines += [("AI gateway", line) for line in gateway] or [("AI gateway", "no rate limits")]
    lines.append(("Tags", tags(endpoint) or "none"))
    return facts(lines)


def entity_rows(endpoint: ServingEndpointDetailed) -> list[tuple[str, Sequence[str]]]:
    shares = traffic_shares(endpoint)
    rows: list[tuple[str, Sequence[str]]] = []
    for index, entity in enumerate(entities(endpoint)):
        name = entity.name or f"#{index + 1}"
        model = entity.external_model
        deployment = (entity.state.deployment or "-") if entity.state else "-"
        rows.append(
            (
                f"{index}:{name}",
                (
                    name,
                    model.provider_shown if model else "-",
                    model_shown(endpoint, model) if model else entity.entity_name or "-",
                    model.task if model else "-",
                    f"{shares[name]}%" if name in shares else "-",
                    deployment.removeprefix("DEPLOYMENT_").replace("_", " ").lower(),
                ),
            )
        )
    return rows


def total_line(series: UsageSeries, field: str, label: str) -> Text:
    """``Calls  12 in the hour · peak 3/min · 1 this minute``."""
    values: tuple[int, ...] = getattr(series, field)
    text = Text(f"{label:<7}", style="bold")
    text.append(f"{sum(values):,} in the hour · peak {max(values):,}/min · {values[-1]:,} this minute")
    return text


AXIS = f"{'60 min ago':<{WINDOW_MINUTES - 3}}now"


class EndpointDetailScreen(Screen[None]):
    CSS_PATH = "endpoint_detail.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="endpoint-detail-close"),
        Binding("e", "edit", "Edit", id="endpoint-edit"),
        Binding("p", "playground", "Playground", id="endpoint-playground", tooltip="Open in playground"),
        Binding("t", "test", "Test", id="endpoint-test"),
        Binding("y", "copy_as", "Copy as", id="endpoint-copy-as"),
        Binding("j", "show_json", "JSON", id="endpoint-json"),
        Binding("r", "refresh", "Refresh", id="endpoint-detail-refresh", show=False),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.endpoint_name = name
        self.endpoint: ServingEndpointDetailed | None = None
        """As last loaded (None until then)."""
        self.series: UsageSeries | None = None
        """The usage shown (None until read)."""
        self._problem: str | None = None  # the last load error shown, so a refresh does not repeat it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), id="detail-title", classes="section-title", markup=False)
        with VerticalScroll(id="detail-body"):
            with Horizontal(id="detail-facts"):
                yield Static("Loading…", id="detail-overview", markup=False)
                yield Static("", id="detail-limits", markup=False)
            yield Static("Served entities", classes="section-title")
            yield DataTable(id="detail-entities", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Use over the last hour, all users: a bar per minute, now at the right", classes="section-title"
            )
            with Vertical(id="detail-usage"):
                for field, label in SERIES:
                    yield Static(label, id=f"usage-{field}-total", classes="usage-total", markup=False)
                    yield Sparkline([0] * WINDOW_MINUTES, id=f"usage-{field}")
                yield Static(AXIS, id="usage-axis", markup=False)
            yield Static("", id="detail-usage-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-entities", DataTable).add_columns(*ENTITY_COLUMNS)
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self._tick)
        endpoint_changes_of(self).subscribe(self, self._changed)

    def _tick(self) -> None:
        if self.is_current:  # not under a dialog, not while another place is shown
            self.action_refresh()

    def action_refresh(self) -> None:
        self.load_endpoint()
        self.load_usage(workspace_of(self).usage)

    # -- the endpoint
    def _title(self, problem: str | None = None) -> str:
        simulated = " (simulated)" if self.endpoint and is_simulated(self.endpoint.tags) else ""
        title = f"Endpoint {self.endpoint_name}{simulated}"
        return printable(f"{title} — {problem}" if problem else title)

    @work(exclusive=True, group="detail-endpoint")
    async def load_endpoint(self) -> None:
        try:
            endpoint = await workspace_of(self).get_endpoint(self.endpoint_name)
        except SwitchboardError as err:
            if err.message != self._problem:
                self._problem = err.message
                self.notify(err.message, severity="error", markup=False)
                self.query_one("#detail-title", Static).update(self._title(err.message))
            return
        self._problem = None
        if updating(endpoint):
            self.post_message(FollowRollout(endpoint.name))
        self._show_endpoint(endpoint)

    def _changed(self, endpoint: ServingEndpointDetailed) -> None:
        if endpoint.name == self.endpoint_name:
            self._show_endpoint(endpoint)

    def _show_endpoint(self, endpoint: ServingEndpointDetailed) -> None:
        self.endpoint = endpoint
        self.query_one("#detail-title", Static).update(self._title())
        self.query_one("#detail-overview", Static).update(overview(endpoint))
        self.query_one("#detail-limits", Static).update(limits_and_tags(endpoint))
        refill(self.query_one("#detail-entities", DataTable), entity_rows(endpoint))

    # -- its use
    @work(thread=True, exclusive=True, group="detail-usage", exit_on_error=False)
    def load_usage(self, usage: Usage) -> None:
        """Usage is a synchronous file read: off the event loop."""
        now = epoch_minute(time.time())
        try:
            rows = usage.rows(self.endpoint_name, since_minute=window_start(now))
        except Exception as err:  # a refresh in the background must not end the app; say why instead
            message = err.message if isinstance(err, SwitchboardError) else f"{type(err).__name__}: {err}"
            self.app.call_from_thread(self._usage_unread, message)
            return
        self.app.call_from_thread(self._show_usage, per_minute(rows, now))

    def _show_usage(self, series: UsageSeries) -> None:
        self.series = series
        for field, label in SERIES:
            self.query_one(f"#usage-{field}", Sparkline).data = list(getattr(series, field))
            self.query_one(f"#usage-{field}-total", Static).update(total_line(series, field, label))
        note = "" if series.total_calls else "No calls in the last hour: p opens it in the playground to try it."
        self.query_one("#detail-usage-note", Static).update(note)

    def _usage_unread(self, message: str) -> None:
        self.query_one("#detail-usage-note", Static).update(f"Usage could not be read: {printable(message)}")

    # -- actions
    def action_close(self) -> None:
        self.dismiss()

    def _loaded(self) -> ServingEndpointDetailed | None:
        if self.endpoint is None:
            self.notify("The endpoint is not loaded yet.", severity="warning")
        return self.endpoint

    def action_edit(self) -> None:
        if endpoint := self._loaded():
            actions.open_editor(self, endpoint, lambda _name: self.action_refresh())

    def action_playground(self) -> None:
        if endpoint := self._loaded():
            actions.open_in_playground(self, endpoint)

    def action_test(self) -> None:
        if endpoint := self._loaded():
            actions.open_probe(self, endpoint)

    def action_copy_as(self) -> None:
        if endpoint := self._loaded():
            actions.open_copy_as(self, endpoint)

    def action_show_json(self) -> None:
        if endpoint := self._loaded():
            actions.show_json(self, endpoint)
