"""The render ticker (`tui.widgets.render_ticker`): one budget per tick shared round-robin, and a backlog left
once every answer is in rendered tick after tick instead of one budget a frame."""

from __future__ import annotations

from time import perf_counter

from textual.app import App

from tui.widgets.render_ticker import RenderTicker


class FakeView:
    """A view with ``work`` renders to do, each of which uses up the whole budget it is given."""

    def __init__(self, work: int, receiving: bool = False) -> None:
        self.work = work
        self.calls = 0
        self.is_attached = True
        self.receiving = receiving

    def render_pending(self, deadline: float) -> bool:
        self.calls += 1
        while perf_counter() < deadline:
            pass
        self.work -= 1
        return self.work > 0


async def wait_idle(pilot: object, ticker: RenderTicker, seconds: float) -> bool:
    """Whether ``ticker`` ran out of work within ``seconds``."""
    deadline = perf_counter() + seconds
    while not ticker.idle and perf_counter() < deadline:
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    return ticker.idle


async def test_ticker_shares_its_budget_round_robin() -> None:
    async with App[None]().run_test() as pilot:
        ticker = RenderTicker(pilot.app, fps=30, budget=0.002, views_per_tick=2)
        views = [FakeView(work=3) for _ in range(5)]
        for view in views:
            ticker.mark_dirty(view)
        assert await wait_idle(pilot, ticker, 3)
        # Every view was served to the end although each single call exhausted the shared budget.
        assert [view.work for view in views] == [0] * 5
        assert [view.calls for view in views] == [3] * 5
        assert ticker.ticks >= 15  # one view per tick (budget), never all of them in one frame


async def test_a_backlog_left_once_every_answer_is_in_renders_tick_after_tick() -> None:
    async with App[None]().run_test() as pilot:
        ticker = RenderTicker(pilot.app, fps=1, budget=0.002, views_per_tick=4)  # a frame a second
        views = [FakeView(work=20) for _ in range(2)]
        for view in views:
            ticker.stream_started(view)  # streamed, all of it received: not receiving
            ticker.mark_dirty(view)
        # 40 ticks' work: at one tick a second, 40 s; catching up, a fraction of a second
        assert await wait_idle(pilot, ticker, 5)
        assert [view.work for view in views] == [0, 0]


async def test_no_catching_up_while_an_answer_is_still_arriving() -> None:
    async with App[None]().run_test() as pilot:
        ticker = RenderTicker(pilot.app, fps=2, budget=0.002, views_per_tick=4)
        arriving, done = FakeView(work=1, receiving=True), FakeView(work=50)
        for view in (arriving, done):
            ticker.stream_started(view)
            ticker.mark_dirty(view)
        assert not await wait_idle(pilot, ticker, 1.2)
        assert ticker.ticks <= 4  # the frame timer's ticks only: the readers keep the time between them
        arriving.receiving = False  # its answer is in: the backlog may now catch up
        ticker.mark_dirty(done)
        assert await wait_idle(pilot, ticker, 5)
        assert done.work == 0
