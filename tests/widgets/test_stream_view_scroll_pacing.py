"""Views following streams share a scroll rate: with 8 streaming, each scrolls at most 5 times a second (a scroll
repaints the whole pane), and every view still ends at the bottom of its answer."""

from __future__ import annotations

from itertools import pairwise
from statistics import median
from time import perf_counter

from textual.app import App, ComposeResult
from textual.containers import Horizontal

from tui.widgets.render_ticker import SCROLLS_PER_SECOND, RenderTicker
from tui.widgets.stream_view import StreamView

PANES = 8


class TimedView(StreamView):
    """Notes when it scrolls."""

    def __init__(self) -> None:
        super().__init__()
        self.scrolled: list[float] = []

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.scrolled.append(perf_counter())


class Panes(App[None]):
    def compose(self) -> ComposeResult:
        with Horizontal():
            for _ in range(PANES):
                yield TimedView()


async def test_eight_following_views_scroll_at_most_every_interval_and_end_at_the_bottom() -> None:
    app = Panes()
    async with app.run_test(size=(160, 24)) as pilot:
        views = list(app.query(TimedView))
        ticker = RenderTicker.for_app(app)
        for n in range(150):
            for view in views:
                view.append(f"Line {n} of an answer that arrives quickly.\n\n")
            await pilot.pause(0.01)
            assert ticker.streaming == PANES
        interval = ticker.scroll_interval
        assert interval == PANES / SCROLLS_PER_SECOND == 0.2, "8 views share 40 scrolls a second"
        for view in views:
            assert len(view.scrolled) >= 3, "the views follow their answers"
            # Timed when each scroll lands, which under load may be tens of milliseconds after the view
            # decided on it: so the count over the time, and the typical gap, not the smallest one.
            times = view.scrolled
            assert len(times) - 1 <= (times[-1] - times[0]) / interval + 1
            assert median(b - a for a, b in pairwise(times)) >= 0.9 * interval
        for view in views:
            view.finish()
        for _ in range(500):
            if all(view.settled for view in views):
                break
            await pilot.pause(0.02)
        for view in views:
            lines = len(view.lines)
            assert view.virtual_size.height == lines
            assert view.scroll_offset.y == view.max_scroll_y == lines - view.scrollable_content_region.height


async def test_a_view_streaming_alone_is_not_held_back() -> None:
    app = Panes()
    async with app.run_test(size=(160, 24)) as pilot:
        view = app.query_one(StreamView)
        ticker = RenderTicker.for_app(app)
        for n in range(60):
            view.append(f"Line {n} of an answer that arrives quickly.\n\n")
        await pilot.pause()
        assert ticker.streaming == 1
        assert ticker.scroll_interval == 1 / SCROLLS_PER_SECOND
        view.render_now()  # tests and screenshots render everything at once, scrolls included
        assert view.scroll_offset.y == view.max_scroll_y > 0
        assert view.settled
