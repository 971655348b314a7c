"""A pane's status while answers stream, and the comparison when they end: shown without re-laying out
the screen more than needed, and shown once."""

from __future__ import annotations

from typing import Any

from tests.helpers.app import finished, panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.playground.comparison import ComparisonSummary
from tui.app.playground.pane import Pane
from tui.app.playground.pane_text import TYPICAL_STATUS, fit_parts, status_parts
from tui.app.playground.status_bar import STATUS_MAX_LINES

FOUR_CHAT = ["gpt-4o-mini", "claude-haiku", "azure-gpt-4o", "flaky-gpt"]
"""Four panes side by side in 160 columns: each status wraps."""


def status_text(pane: Pane) -> str:
    return str(pane.query_one(".pane-status").render())


def typical_lines(pane: Pane) -> int:
    """The lines a typical live status takes in ``pane``: the least its status bar ever shows."""
    width = pane.query_one(".pane-status").content_region.width
    return min(fit_parts(TYPICAL_STATUS, width).count("\n") + 1, STATUS_MAX_LINES)


async def assert_fitted(app: Any, pilot: Any, when: str) -> None:
    """Every pane's status shows its figures fitted to its width, and its bar is as tall as they need (at least
    a typical status)."""
    for p in panes(app):
        bar = p.query_one(".pane-status")
        exact = fit_parts(status_parts(p.run, p.state), bar.content_region.width)
        assert status_text(p) == exact, f"{p.endpoint}: not fitted {when}"
        lines = max(min(exact.count("\n") + 1, STATUS_MAX_LINES), typical_lines(p))
        await wait_until(pilot, lambda bar=bar, lines=lines: bar.content_region.height == lines)


async def test_status_only_grows_while_answers_stream_and_fits_when_all_are_done(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(FOUR_CHAT)
        await pilot.pause()
        idle_heights = {p.endpoint: p.query_one(".pane-status").content_region.height for p in panes(app)}
        assert idle_heights == {p.endpoint: typical_lines(p) for p in panes(app)}, "idle status lines not reserved"
        assert min(idle_heights.values()) >= 2, "a typical status wraps in a quarter of 160 columns"
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: any(p.busy for p in panes(app)))
        seen: dict[str, list[int]] = {p.endpoint: [] for p in panes(app)}
        for _ in range(400):  # bounded: the demo answers take about 3 s
            for p in panes(app):
                if p.busy:
                    seen[p.endpoint].append(p.query_one(".pane-status").content_region.height)
            if not any(p.busy for p in panes(app)):
                break
            await pilot.pause(0.02)
        await wait_until(pilot, lambda: finished(app), seconds=20)
        sampled = {name: counts for name, counts in seen.items() if counts}
        assert len(sampled) >= 2, f"too few panes seen streaming: {seen}"  # a loaded machine may miss one
        for name, counts in sampled.items():
            assert counts == sorted(counts), f"{name}: the status shrank while streaming: {counts}"
            assert counts[0] == idle_heights[name], f"{name}: the status changed height when the run started"
            assert max(counts) >= 2, f"{name}: a typical status wraps in a quarter of 160 columns"
        await assert_fitted(app, pilot, "once every pane is done")


async def test_a_resize_refits_the_status_to_the_height_its_figures_need(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        for columns in (120, 100, 140, 100):  # each narrower width first wraps the text fitted to the last one
            await pilot.resize_terminal(columns, 40)
            await pilot.pause()
            await assert_fitted(app, pilot, f"at {columns} columns")


async def test_the_comparison_is_shown_once_when_panes_end_together(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        summary = app.screen.query_one("#summary", ComparisonSummary)
        shown = summary.summary
        assert shown is not None
        for p in panes(app):  # what arrives when panes end before their messages are handled
            app.screen.post_message(Pane.RunEnded(p))
        await pilot.pause(0.2)
        assert summary.summary is shown, "summarised and saved again"
        await wait_until(pilot, lambda: len(app.screen.history.list()) == 1)
