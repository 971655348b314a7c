"""Snapshots of every screen (pytest-textual-snapshot): the playground idle, streaming, done and with an error
pane; the endpoints, secrets and rate limits screens; help, the endpoint picker, history and the JSON view;
the empty first screen, a light theme and an 80x24 terminal.

The answers really stream from the simulator; only the clocks are replaced. The playground's clock gives
every asyncio task its own steady time, so TTFT, tokens/s and elapsed read the same on every run however the
panes' workers interleave; the wall clock (secrets' "last updated", history's dates) is pinned, in UTC; the
header's host name is fixed. After an intended change to a screen, review and refresh them with
``python -m pytest tests/app/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import DataTable, OptionList

from tests.helpers.app import finished, panes, send, wait_until
from tests.helpers.demo_app import SIZE, demo_app, demo_workspace
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_KEY
from tui.app.help import HelpScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.json_view import JsonViewScreen
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.app.manage.secrets import SecretsScreen
from tui.app.playground.history import HistoryScreen
from tui.app.playground.picker import EndpointPicker
from tui.app.playground.screen import PlaygroundScreen
from tui.domain.simulated import SIMULATED_TAG
from tui.playground import clock
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body

STALL_AFTER = {"stalled-gpt": 40, "stalled-claude": 25}
DEMO_REF = "{{secrets/demo/sim_key}}"
"""The demo's simulator key, as ``tui.app.demo.populate`` stores it."""
WALL_CLOCK = 1_767_268_800.0
"""2026-01-01 12:00 UTC: every "last updated" and history date."""
DEMO_ENDPOINTS = 11
"""The demo's nine endpoints and the two stalled ones."""
TEAM_GPT = endpoint_body("https://api.openai.com", "openai", "chat", name="team-gpt", secret=DEMO_REF)
"""A real provider's endpoint (never called), whose JSON names no simulator port."""
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
    await wait_until(pilot, lambda: all(p.view.settled for p in panes(pilot.app)))
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


async def _open(
    pilot: Any, key: str, shown: type[Screen[Any]], loaded: Callable[[Any], bool] = lambda screen: True
) -> None:
    """Press ``key`` on the ready playground; wait for the ``shown`` screen and until it has ``loaded``."""
    await _ready(pilot)
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, shown) and loaded(pilot.app.screen))
    await _settle(pilot)


def _rows(count: int) -> Callable[[Any], bool]:
    """The endpoints screen lists ``count`` endpoints."""
    return lambda screen: screen.query_one("#endpoints", DataTable).row_count == count


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
        await _open(pilot, "f3", EndpointsScreen, _rows(DEMO_ENDPOINTS + 1))
        table = pilot.app.screen.query_one("#endpoints", DataTable)
        table.move_cursor(row=table.get_row_index("team-gpt"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, JsonViewScreen))
        await _settle(pilot)

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
