"""The one app-wide refresh ticker for StreamViews.

`StreamView.append` only buffers text and asks the ticker for a turn. The ticker is a single Textual
interval timer per app (at most `FPS` = 30 Hz, paused while nothing is dirty). Each tick has one shared
time budget (`FRAME_BUDGET`); it walks the dirty views round-robin and calls
``view.render_pending(deadline)``, which renders as much as fits and says whether work is left. A view
with work left goes to the back of the queue, and views that did not get a turn because the budget ran
out go first next tick, so no pane starves. One timer with one budget beat one timer per pane
(measured: burst lag p99 50 vs 221 ms), because the panes' work can no longer pile up in one frame.

Catching up: once no view is receiving any more (every answer is in), a tick that leaves work behind is
followed by the next one `CATCH_UP_GAP` later instead of a frame later. While answers arrive, the readers fill
the event loop between ticks; once they have all ended, a backlog of blocks (a burst into 8 panes arrives faster
than it renders) drained at one budget per frame with the loop idle the rest of the time: the last answers
took two more seconds to show, at half the CPU. Each tick still holds the loop for at most one budget, so key
presses and screen updates keep their turns in between.

The ticker also knows which views are streaming: half a second after the last one has finished its final
render (if no stream started meanwhile) it calls `tui.gc_policy.streams_idle()` (see that module).
"""

from __future__ import annotations

import contextlib
import weakref
from collections import deque
from time import perf_counter
from typing import TYPE_CHECKING, Protocol

from tui.gc_policy import streams_idle

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

FPS = 30
"""Maximum refresh rate of streaming views."""

FRAME_BUDGET = 0.012
"""Seconds of rendering work allowed per tick, shared by all views (a tick is 1/FPS = 33 ms)."""

CATCH_UP_GAP = 0.001
"""Seconds between two ticks while catching up (see the module docstring): long enough for a key press or a
screen update that is due to run first."""

IDLE_COLLECT_DELAY = 0.5
"""Seconds after the last stream's final render before `streams_idle()` runs (if no stream started)."""

VIEWS_PER_TICK = 4
"""At most this many views are flushed per tick (round-robin). A flush of a view that follows the
bottom usually scrolls it, and a scroll repaints the whole pane: Textual's compositing of those lines,
not our rendering, is then the main cost. With up to 4 streaming panes each is flushed every tick
(30 Hz); with 8, each every other tick (15 Hz), which halves the repaint work and its pauses."""


SCROLLS_PER_SECOND = 40
"""Scrolls per second shared by the views that follow a stream: with n of them streaming, each scrolls at most
every n/40 s (8 panes: 5 times a second; 1 or 2: every frame). A scroll repaints a whole pane and its
scrollbar; a burst into 8 panes scrolled each of them on every turn, 120 pane repaints a second."""


class Renderable(Protocol):
    """What the ticker drives (StreamView implements it)."""

    def render_pending(self, deadline: float) -> bool:
        """Render pending work until `perf_counter()` passes `deadline`; return True if work is left."""
        ...  # pragma: no cover

    @property
    def is_attached(self) -> bool: ...  # pragma: no cover

    @property
    def receiving(self) -> bool:
        """True while more text may still be appended (the view's stream has not finished)."""
        ...  # pragma: no cover


class RenderTicker:
    """Flushes dirty views at most `fps` times a second within one shared time budget per tick."""

    _tickers: weakref.WeakKeyDictionary[App, RenderTicker] = weakref.WeakKeyDictionary()

    @classmethod
    def for_app(cls, app: App) -> RenderTicker:
        """The ticker of `app` (created on first use)."""
        ticker = cls._tickers.get(app)
        if ticker is None:
            ticker = cls._tickers[app] = cls(app)
        return ticker

    def __init__(
        self, app: App, fps: float = FPS, budget: float = FRAME_BUDGET, views_per_tick: int = VIEWS_PER_TICK
    ) -> None:
        self._app = weakref.ref(app)
        self.interval = 1.0 / fps
        self.budget = budget
        self.views_per_tick = views_per_tick
        self._queue: deque[Renderable] = deque()
        self._queued: set[int] = set()
        self._timer: Timer | None = None
        self._running = False
        self._streaming: weakref.WeakSet[Renderable] = weakref.WeakSet()
        self._idle_timer: Timer | None = None
        self._catch_up: Timer | None = None
        # Statistics, for benchmarks and tests.
        self.ticks = 0
        self.busy_seconds = 0.0

    def mark_dirty(self, view: Renderable) -> None:
        """Give `view` a turn on the next tick (idempotent, cheap)."""
        key = id(view)
        if key not in self._queued:
            self._queued.add(key)
            self._queue.append(view)
        if not self._running:
            self._start()

    def forget(self, view: Renderable) -> None:
        """Drop `view` from the queue (it is being removed)."""
        self._streaming.discard(view)
        key = id(view)
        if key in self._queued:
            self._queued.discard(key)
            with contextlib.suppress(ValueError):
                self._queue.remove(view)

    @property
    def idle(self) -> bool:
        """True when no view is waiting for a turn."""
        return not self._queue

    def _start(self) -> None:
        app = self._app()
        if app is None:
            return
        self._running = True
        if self._timer is None:
            self._timer = app.set_interval(self.interval, self._tick, name="stream-render-ticker")
        else:
            self._timer.resume()

    def _tick(self) -> None:
        start = perf_counter()
        deadline = start + self.budget
        queue = self._queue
        for _ in range(min(len(queue), self.views_per_tick)):
            if perf_counter() >= deadline:
                break
            view = queue.popleft()
            if not view.is_attached:
                self._queued.discard(id(view))
                continue
            if view.render_pending(deadline):
                queue.append(view)  # more to do: back of the line, after the views that waited
            else:
                self._queued.discard(id(view))
        self.ticks += 1
        self.busy_seconds += perf_counter() - start
        if not queue and self._timer is not None:
            self._running = False
            self._timer.pause()
        elif queue and self._catch_up is None and not any(view.receiving for view in self._streaming):
            app = self._app()
            if app is not None:
                self._catch_up = app.set_timer(CATCH_UP_GAP, self._catch_up_tick, name="stream-render-catch-up")

    def _catch_up_tick(self) -> None:
        self._catch_up = None
        if self._running:
            self._tick()

    def stream_started(self, view: Renderable) -> None:
        """`view` started receiving a stream."""
        self._streaming.add(view)

    def stream_finished(self, view: Renderable) -> None:
        """`view` finished its final render; when no stream is left, apply the GC policy a moment later
        (its one full collection, tens of milliseconds, then falls while the reader reads rather than
        on the frame that shows the finished answers)."""
        self._streaming.discard(view)
        app = self._app()
        if not self._streaming and app is not None:
            if self._idle_timer is not None:
                self._idle_timer.stop()
            self._idle_timer = app.set_timer(IDLE_COLLECT_DELAY, self._collect_if_idle, name="stream-gc")

    def _collect_if_idle(self) -> None:
        self._idle_timer = None
        if not self._streaming and self.idle:
            streams_idle()

    def stream_abandoned(self, view: Renderable) -> None:
        """`view` was cleared while streaming."""
        self._streaming.discard(view)

    @property
    def scroll_interval(self) -> float:
        """The least time between two scrolls of one view following a stream (see `SCROLLS_PER_SECOND`)."""
        return len(self._streaming) / SCROLLS_PER_SECOND

    @property
    def streaming(self) -> int:
        """How many views are streaming."""
        return len(self._streaming)
