"""Snapshots of every screen (pytest-textual-snapshot): the playground idle, streaming, done and with an error
pane; the endpoints, secrets and rate limits screens; help, the endpoint picker, history and the JSON view;
the empty first screen, a light theme and an 80x24 terminal. The management screens' editing states too: the
endpoint editor (new, an Azure endpoint, inline problems, its JSON view with a problem, at 80x24), an endpoint's
detail with its use, secrets (none, the put dialog, a delete naming the endpoints that depend on it), rate limits
(a limit in use, the limit dialog refusing a number, the gateway settings), the test dialog (answered, refused
with a 401) and copy as.

The answers really stream from the simulator; only the clocks are replaced. The playground's clock gives
every asyncio task its own steady time, so TTFT, tokens/s and elapsed read the same on every run however the
panes' workers interleave; the wall clock (secrets' "last updated", history's dates, the minute usage and
limits count in) is pinned, in UTC; the header's host name is fixed; an endpoint test lasts 0.21 s. Endpoints
whose URL is shown (the editor, copy as, JSON) point at real providers and are never called: the simulator's
port differs from run to run.

After an intended change to a screen, review and refresh them with
``python -m pytest tests/app/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from tests.helpers.app import finished, focused, panes, send, wait_until
from tests.helpers.demo_app import SIZE, demo_app, demo_workspace
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_KEY, DEMO_REF
from tui.app.help import HelpScreen
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.editor_fields import Keyed
from tui.app.manage.endpoint_detail import EndpointDetailScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.gateway_dialog import GatewayDialog
from tui.app.manage.json_editor import JsonEditor
from tui.app.manage.json_view import JsonViewScreen
from tui.app.manage.limit_dialogs import LimitDialog
from tui.app.manage.probe_dialog import ProbeDialog
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.app.manage.secret_dialogs import PutSecretDialog
from tui.app.manage.secret_fields import CheckedField
from tui.app.manage.secrets import SecretsScreen
from tui.app.playground.history import HistoryScreen
from tui.app.playground.picker import EndpointPicker
from tui.app.playground.screen import PlaygroundScreen
from tui.domain.simulated import SIMULATED_TAG
from tui.playground import clock
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.copy_as import CopyAsDialog

STALL_AFTER = {"stalled-gpt": 40, "stalled-claude": 25}
WALL_CLOCK = 1_767_268_800.0
"""2026-01-01 12:00 UTC: every "last updated" and history date."""
DEMO_ENDPOINTS = 11
"""The demo's nine endpoints and the two stalled ones."""
TEAM_GPT = endpoint_body("https://api.openai.com", "openai", "chat", name="team-gpt", secret=DEMO_REF)
"""A real provider's endpoint (never called), whose JSON names no simulator port."""
TEAM_AZURE = endpoint_body(
    "https://team.openai.azure.com",
    "azure",
    "chat",
    model="gpt-4o",
    deployment="gpt-4o-prod",
    name="team-azure",
    secret=DEMO_REF,
    description="The team's Azure deployment",
    tags=[{"key": "team", "value": "search"}],
)
"""An Azure OpenAI endpoint (never called), for the editor's Azure fields."""
QUESTION = {"messages": [{"role": "user", "content": "Explain rate limits"}], "max_tokens": 20}
"""A query made before a screen shows an endpoint's use."""
Steps = Callable[[Any], Awaitable[None]]


class TaskClock:
    """Each asyncio task reads its own time: 1000 s, then 20 ms more at every reading."""

    def __init__(self) -> None:
        self._readings: dict[int, int] = {}

    def __call__(self) -> float:
        key = id(asyncio.current_task())
        count = self._readings.get(key, 0)
        self._readings[key] = count + 1
        return 1000.0 + 0.02 * count


def _stalled(base: str) -> list[dict[str, Any]]:
    """Two endpoints that send a fixed start of their answer, then go quiet for a minute."""
    return [
        endpoint_body(
            base,
            flavour,
            "chat",
            model=f"{model}@tps=1000,tokens=300,fault=stall,stall_s=60,cut_after={STALL_AFTER[name]}",
            name=name,
            secret=DEMO_REF,
            tags=[SIMULATED_TAG],
        )
        for name, flavour, model in (
            ("stalled-gpt", "openai", "gpt-4o"),
            ("stalled-claude", "anthropic", "claude-3-5-haiku"),
        )
    ]


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(api_key=DEMO_KEY).running_in_thread() as sim:
        yield sim


@pytest.fixture
def wall_clock() -> Iterator[None]:
    """``time.time()`` stands still at ``WALL_CLOCK`` and local time is UTC, whatever the host's zone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        patch.setattr(time, "time", lambda: WALL_CLOCK)
        yield
    time.tzset()


@pytest.fixture
def snapshot_app(
    isolated_dirs: Path, simulator: Simulator, monkeypatch: pytest.MonkeyPatch, wall_clock: None
) -> Callable[..., SwitchboardApp]:
    """``snapshot_app(**settings)``: the demo app with the stalled and the ``extra`` endpoints too (without the demo's
    and the stalled ones if not ``populated``), its workspace in the home folder, shown as ``~/switchboard.db``."""
    monkeypatch.setattr(clock, "now", TaskClock())
    monkeypatch.setattr(PlaygroundScreen, "_tick", lambda self: None)  # live ticks read the clock at random moments
    ids = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(ids)))  # endpoint ids, in the order they are created

    def make(*, populated: bool = True, extra: Sequence[dict[str, Any]] = (), **settings: Any) -> SwitchboardApp:
        bodies = [*_stalled(simulator.base_url), *extra] if populated else extra
        ws = asyncio.run(
            demo_workspace(
                isolated_dirs / "switchboard.db",
                simulator.base_url,
                read=90,
                idle=90,
                populated=populated,
                extra=bodies,
            )
        )
        return demo_app(ws, demo=populated, **settings)

    return make


async def _settle(pilot: Any) -> None:
    """Every pane's text drawn, its scroll position final, and no text cursor blinking."""

    def drawn() -> bool:  # drawn now, not when a busy machine lets the render ticker come round
        for pane in panes(pilot.app):
            pane.view.render_now()
        return all(pane.view.settled for pane in panes(pilot.app))

    await wait_until(pilot, drawn)
    for screen in pilot.app.screen_stack:
        for editor in screen.query("Input, TextArea"):
            editor.cursor_blink = False
    await pilot.pause(0.3)


async def _ready(pilot: Any) -> None:
    """The first screen as a newcomer sees it: two chat panes side by side."""
    await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
    await _settle(pilot)


async def _finish(pilot: Any, endpoints: list[str], text: str) -> None:
    await pilot.app.screen.use_endpoints(endpoints)
    await send(pilot.app, pilot, text)
    screen = pilot.app.screen
    await wait_until(pilot, lambda: finished(pilot.app))
    await wait_until(
        pilot, lambda: "19/20" in str(screen.query_one(".pane-title").render()) or "gpt-4o-mini" not in endpoints
    )
    await _settle(pilot)


Loaded = Callable[[Any], bool]
"""What a screen shows once it has what the snapshot is about (its table filled, a test answered)."""


async def _go(pilot: Any, key: str, shown: type[Screen[Any]], loaded: Loaded = lambda screen: True) -> None:
    """Press ``key``; wait for the ``shown`` screen and until it has ``loaded``."""
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, shown) and loaded(pilot.app.screen))
    await _settle(pilot)


async def _open(pilot: Any, key: str, shown: type[Screen[Any]], loaded: Loaded = lambda screen: True) -> None:
    """Press ``key`` on the ready playground; wait for the ``shown`` screen and until it has ``loaded``."""
    await _ready(pilot)
    await _go(pilot, key, shown, loaded)


def _rows(count: int) -> Loaded:
    """The endpoints screen lists ``count`` endpoints."""
    return lambda screen: screen.query_one("#endpoints", DataTable).row_count == count


def _listed(table_id: str, key: str) -> Loaded:
    """The table ``table_id`` has a row ``key``."""
    return lambda screen: any(row.value == key for row in screen.query_one(f"#{table_id}", DataTable).rows)


async def _on_row(pilot: Any, place: str, shown: type[Screen[Any]], table_id: str, key: str) -> None:
    """Open the ``shown`` screen (F3, F4, F5: ``place``) on the ready playground and put the cursor on row ``key``."""
    await _open(pilot, place, shown, _listed(table_id, key))
    table = pilot.app.screen.query_one(f"#{table_id}", DataTable)
    table.move_cursor(row=table.get_row_index(key), animate=False)
    await pilot.pause(0.1)


def test_playground_idle(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=_ready)


def test_playground_streaming(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def streaming(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await pilot.app.screen.use_endpoints(list(STALL_AFTER))
        await send(pilot.app, pilot, "Explain rate limits")
        await wait_until(
            pilot,
            lambda: all(p.metrics.snapshot(0).completion_tokens == STALL_AFTER[p.endpoint] for p in panes(pilot.app)),
        )
        await _settle(pilot)
        for pane in panes(pilot.app):
            assert pane.state == "streaming"
            pane.tick(1002.0)
            pane.tick = lambda now: None  # the screen's own ticks would redraw at their task's time

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=streaming)


def test_playground_done(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def done(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _finish(pilot, ["gpt-4o-mini", "claude-haiku"], "Explain rate limits")

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=done)


def test_playground_error_pane(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def error(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _finish(pilot, ["gpt-4o-mini", "flaky-gpt"], "Explain rate limits")
        assert [p.state for p in panes(pilot.app)] == ["done", "error"]

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=error)


def test_endpoints_screen(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def endpoints(pilot: Any) -> None:
        await _open(pilot, "f3", EndpointsScreen, _rows(DEMO_ENDPOINTS))

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=endpoints)


def test_secrets_screen(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def secrets(pilot: Any) -> None:
        await _open(pilot, "f4", SecretsScreen, lambda screen: screen.query_one("#keys", DataTable).row_count == 1)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=secrets)


def test_rate_limits_screen(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def limits(pilot: Any) -> None:
        await _open(pilot, "f5", RateLimitsScreen, lambda screen: screen.query_one("#limits", DataTable).row_count > 0)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=limits)


def test_help_screen(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def help_keys(pilot: Any) -> None:
        await _open(pilot, "f1", HelpScreen)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=help_keys)


def test_endpoint_picker(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def picker(pilot: Any) -> None:
        await _open(pilot, "ctrl+o", EndpointPicker)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=picker)


def test_history_after_one_run(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def history(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _finish(pilot, ["gpt-4o-mini", "claude-haiku"], "Explain rate limits")
        await _open(pilot, "ctrl+r", HistoryScreen, lambda screen: screen.query_one(OptionList).option_count == 1)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=history)


def test_endpoint_json_view(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def json_view(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "team-gpt")
        await _go(pilot, "enter", JsonViewScreen)

    assert snap_compare(snapshot_app(extra=[TEAM_GPT]), terminal_size=SIZE, run_before=json_view)


def test_empty_first_screen(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def empty(pilot: Any) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen))
        await _settle(pilot)

    assert snap_compare(snapshot_app(populated=False), terminal_size=SIZE, run_before=empty)


def test_light_theme(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    assert snap_compare(snapshot_app(theme="switchboard-light"), terminal_size=SIZE, run_before=_ready)


def test_small_terminal(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_ready)


# ---- the management screens: editing, detail, dialogs


def _keyed(screen: Any, key: str) -> Keyed:
    """The editor's field (or section) at ``key``."""
    return next(target for target in screen.query(Keyed) if target.key == key)


def _editor_ready(screen: Any) -> bool:
    return bool(screen.query(Keyed))


def _text(node: Any, selector: str) -> str:
    """What the Static ``selector`` under ``node`` says."""
    return str(node.query_one(selector, Static).content)


async def _new_endpoint(pilot: Any) -> None:
    """The editor of a new endpoint, opened from F3 with n."""
    await _open(pilot, "f3", EndpointsScreen, _listed("endpoints", "gpt-4o-mini"))
    await _go(pilot, "n", EndpointEditorScreen, _editor_ready)


async def _type(pilot: Any, field: Input, text: str) -> None:
    """Type ``text`` into ``field`` key by key, as a person would."""
    await focused(pilot, field)
    await pilot.press(*text)


def test_editor_new(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def new(pilot: Any) -> None:
        await _new_endpoint(pilot)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=new)


def test_editor_azure(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def azure(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "team-azure")
        await _go(pilot, "e", EndpointEditorScreen, _editor_ready)
        deployment = _keyed(pilot.app.screen, "entities.0.config.openai_deployment_name").query_one(Input)
        deployment.focus()  # the form scrolls down to the Azure fields
        await _settle(pilot)

    assert snap_compare(snapshot_app(extra=[TEAM_AZURE]), terminal_size=SIZE, run_before=azure)


def test_editor_inline_problems(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def problems(pilot: Any) -> None:
        await _new_endpoint(pilot)
        screen = pilot.app.screen
        await _type(pilot, _keyed(screen, "name").query_one(Input), "team chat!")
        await _type(pilot, _keyed(screen, "entities.0.model.name").query_one(Input), "x")
        await pilot.press("backspace")  # typed, then taken back: the model's name is missing
        await wait_until(pilot, lambda: "required" in _text(_keyed(screen, "entities.0.model.name"), ".field-problems"))
        await _settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=problems)


def test_editor_json_problem(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def json_problem(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "team-gpt")
        await _go(pilot, "e", EndpointEditorScreen, _editor_ready)
        await _go(pilot, "f6", EndpointEditorScreen, lambda screen: screen.query_one(TextArea).has_focus)
        area = pilot.app.screen.query_one(JsonEditor).query_one(TextArea)
        row = next(i for i, line in enumerate(area.text.splitlines()) if '"task"' in line)
        column = area.document.get_line(row).index("llm/v1/chat")
        area.replace("llm/v1/chatbot", (row, column), (row, column + len("llm/v1/chat")))
        await wait_until(pilot, lambda: pilot.app.screen.query_one(JsonEditor).has_class("-invalid"))
        await _settle(pilot)

    assert snap_compare(snapshot_app(extra=[TEAM_GPT]), terminal_size=SIZE, run_before=json_problem)


def test_editor_small_terminal(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def new(pilot: Any) -> None:
        await _new_endpoint(pilot)

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=new)


def test_endpoint_detail_with_usage(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def detail(pilot: Any) -> None:
        await _ready(pilot)
        await pilot.app.workspace.query("gpt-4o-mini", QUESTION)
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "gpt-4o-mini")
        await _go(
            pilot,
            "v",
            EndpointDetailScreen,
            lambda screen: screen.endpoint is not None and screen.series is not None and screen.series.total_calls,
        )

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=detail)


def test_secrets_empty(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def empty(pilot: Any) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen))
        await _go(pilot, "f4", SecretsScreen, lambda screen: not screen.query_one("#secrets-body").display)

    assert snap_compare(snapshot_app(populated=False), terminal_size=SIZE, run_before=empty)


def test_put_secret_dialog(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def put(pilot: Any) -> None:
        await _on_row(pilot, "f4", SecretsScreen, "scopes", "demo")
        await _go(pilot, "a", PutSecretDialog)
        screen = pilot.app.screen
        await _type(pilot, screen.query_one("#secret-key", CheckedField).input, "openai_api_key")
        await _type(pilot, screen.query_one("#secret-value", CheckedField).input, "sk-never-shown")
        await _settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=put)


def test_delete_scope_names_its_endpoints(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def delete(pilot: Any) -> None:
        await _on_row(pilot, "f4", SecretsScreen, "scopes", "demo")
        await _go(pilot, "d", ConfirmDialog)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=delete)


def _team_limits(base: str) -> dict[str, Any]:
    """An endpoint with AI gateway limits and settings, served by the simulator."""
    body = endpoint_body(base, "openai", "chat", model="gpt-4o-mini", name="team-limits", secret=DEMO_REF)
    body["ai_gateway"] = {
        "rate_limits": [
            {"calls": 100, "tokens": 20000, "key": "user", "renewal_period": "minute"},
            {"tokens": 50000, "key": "endpoint", "renewal_period": "minute"},
        ],
        "usage_tracking_config": {"enabled": True},
        "guardrails": {"input": {"pii": {"behavior": "BLOCK"}, "invalid_keywords": ["password"]}},
    }
    return body


def test_rate_limits_in_use(
    snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp], simulator: Simulator
) -> None:
    async def limits(pilot: Any) -> None:
        await _ready(pilot)
        for _ in range(2):
            await pilot.app.workspace.query("team-limits", QUESTION)
        await _on_row(pilot, "f5", RateLimitsScreen, "limits", "team-limits")
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#gateway-limits", DataTable).row_count == 2)
        await _settle(pilot)

    app = snapshot_app(extra=[_team_limits(simulator.base_url)])
    assert snap_compare(app, terminal_size=SIZE, run_before=limits)


def test_limit_dialog_refuses_a_number(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def refused(pilot: Any) -> None:
        await _on_row(pilot, "f5", RateLimitsScreen, "limits", "gpt-4o-mini")
        await _go(pilot, "a", LimitDialog)
        screen = pilot.app.screen
        await _type(pilot, screen.query_one("#limit-calls", Input), "twenty")
        await _type(pilot, screen.query_one("#limit-tokens", Input), "0")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(line.display for line in screen.query(".field-error")))
        await _settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=refused)


def test_gateway_dialog(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp], simulator: Simulator) -> None:
    async def gateway(pilot: Any) -> None:
        await _on_row(pilot, "f5", RateLimitsScreen, "limits", "team-limits")
        await _go(pilot, "g", GatewayDialog)

    app = snapshot_app(extra=[_team_limits(simulator.base_url)])
    assert snap_compare(app, terminal_size=SIZE, run_before=gateway)


@pytest.fixture
def probe_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test of an endpoint takes 0.21 s, however long it took."""
    readings = (1000.0 + 0.21 * n for n in itertools.count())
    monkeypatch.setattr("tui.manage.probe.time", SimpleNamespace(perf_counter=lambda: next(readings)))


def _tested(screen: Any) -> bool:
    return bool(_text(screen, "#probe-status"))


@pytest.mark.usefixtures("probe_clock")
def test_probe_ok(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def probe(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "gpt-4o-mini")
        await _go(pilot, "t", ProbeDialog, _tested)

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=probe)


@pytest.mark.usefixtures("probe_clock")
def test_probe_refused(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp], simulator: Simulator) -> None:
    async def probe(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "locked-gpt")
        await _go(pilot, "t", ProbeDialog, _tested)

    locked = endpoint_body(
        simulator.base_url, "openai", "chat", model="gpt-4o-mini@fault=401", name="locked-gpt", secret=DEMO_REF
    )
    assert snap_compare(snapshot_app(extra=[locked]), terminal_size=SIZE, run_before=probe)


def test_copy_as(snap_compare: Any, snapshot_app: Callable[..., SwitchboardApp]) -> None:
    async def copy_as(pilot: Any) -> None:
        await _on_row(pilot, "f3", EndpointsScreen, "endpoints", "team-gpt")
        await _go(pilot, "y", CopyAsDialog, lambda screen: bool(screen.query_one(TextArea).text))

    assert snap_compare(snapshot_app(extra=[TEAM_GPT]), terminal_size=SIZE, run_before=copy_as)
