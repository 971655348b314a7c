"""Snapshots of the playground (pytest-textual-snapshot): idle, streaming, done, and an error pane.

The answers really stream from the simulator; only the clock is replaced, by one that gives every
asyncio task its own steady time, so TTFT, tokens/s and elapsed read the same on every run however
the panes' workers interleave. After an intended change to a screen, review and refresh them with
``python -m pytest tests/app/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import wait_until
from tests.app.test_playground import finished, panes, send
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_KEY, populate
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.simulated import SIMULATED_TAG
from tui.playground import clock
from tui.screens.playground import PlaygroundScreen
from tui.settings import Settings
from tui.simulator import Simulator
from tui.themes import load_themes
from tui.transport.timeouts import Timeouts
from tui.widgets.prompt import PromptInput
from tui.workspace.local.workspace import LocalWorkspace

SIZE = (160, 45)
STALL_AFTER = {"stalled-gpt": 40, "stalled-claude": 25}


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
    key = "{{secrets/demo/sim_key}}"
    models = {
        "stalled-gpt": {"name": "gpt-4o@tps=1000,tokens=300,fault=stall,stall_s=60,cut_after=40", "provider": "openai",
                        "task": "llm/v1/chat", "openai_config": {"openai_api_key": key, "openai_api_base": f"{base}/v1"}},
        "stalled-claude": {"name": "claude-3-5-haiku@tps=1000,tokens=300,fault=stall,stall_s=60,cut_after=25",
                           "provider": "anthropic", "task": "llm/v1/chat",
                           "anthropic_config": {"anthropic_api_key": key, "anthropic_api_base": f"{base}/v1"}},
    }
    return [
        {"name": name, "config": {"served_entities": [{"name": name, "external_model": model}]}, "tags": [SIMULATED_TAG]}
        for name, model in models.items()
    ]


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(api_key=DEMO_KEY).running_in_thread() as sim:
        yield sim


@pytest.fixture
def demo_app(tmp_path: Path, simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> Callable[[], SwitchboardApp]:
    monkeypatch.setattr(clock, "now", TaskClock())
    monkeypatch.setattr(PlaygroundScreen, "_tick", lambda self: None)  # live ticks read the clock at random moments

    def make() -> SwitchboardApp:
        ws = LocalWorkspace(tmp_path / "snap.db", user="tester", timeouts=Timeouts(connect=2, read=90, idle=90))

        async def fill() -> None:
            await populate(ws, simulator.base_url)
            for body in _stalled(simulator.base_url):
                await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))

        asyncio.run(fill())
        return SwitchboardApp(ws, Settings(hostname="testhost"), demo=True, themes=load_themes())

    return make


async def _settle(pilot: Any) -> None:
    """Every pane's text drawn, its scroll position final, and the prompt's cursor steady (not blinking)."""
    await wait_until(pilot, lambda: all(p.view.settled for p in panes(pilot.app)))
    pilot.app.screen.query_one(PromptInput).cursor_blink = False
    await pilot.pause(0.3)


async def _finish(pilot: Any, endpoints: list[str], text: str) -> None:
    await pilot.app.screen.use_endpoints(endpoints)
    await send(pilot.app, pilot, text)
    screen = pilot.app.screen
    await wait_until(pilot, lambda: finished(pilot.app))
    await wait_until(pilot, lambda: "19/20" in str(screen.query_one(".pane-title").render()) or "gpt-4o-mini" not in endpoints)
    await _settle(pilot)


def test_playground_idle(snap_compare: Any, demo_app: Callable[[], SwitchboardApp]) -> None:
    async def ready(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=ready)


def test_playground_streaming(snap_compare: Any, demo_app: Callable[[], SwitchboardApp]) -> None:
    async def streaming(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await pilot.app.screen.use_endpoints(list(STALL_AFTER))
        await send(pilot.app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: all(p.metrics.snapshot(0).completion_tokens == STALL_AFTER[p.endpoint] for p in panes(pilot.app)))
        await _settle(pilot)
        for pane in panes(pilot.app):
            assert pane.state == "streaming"
            pane.tick(1002.0)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=streaming)


def test_playground_done(snap_compare: Any, demo_app: Callable[[], SwitchboardApp]) -> None:
    async def done(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _finish(pilot, ["gpt-4o-mini", "claude-haiku"], "Explain rate limits")

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=done)


def test_playground_error_pane(snap_compare: Any, demo_app: Callable[[], SwitchboardApp]) -> None:
    async def error(pilot: Any) -> None:
        await wait_until(pilot, lambda: len(panes(pilot.app)) == 2)
        await _finish(pilot, ["gpt-4o-mini", "flaky-gpt"], "Explain rate limits")
        assert [p.state for p in panes(pilot.app)] == ["done", "error"]

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=error)
