"""The one app-wide refresh ticker for StreamViews, and the garbage-collector policy for streaming.

Ticker
    `StreamView.append` only buffers text and asks the ticker for a turn. The ticker is a single Textual
    interval timer per app (at most `FPS` = 30 Hz, paused while nothing is dirty). Each tick has one shared
    time budget (`FRAME_BUDGET`); it walks the dirty views round-robin and calls
    ``view.render_pending(deadline)``, which renders as much as fits and says whether work is left. A view
    with work left goes to the back of the queue, and views that did not get a turn because the budget ran
    out go first next tick, so no pane starves. One timer with one budget beat one timer per pane
    (measured: burst lag p99 50 vs 221 ms), because the panes' work can no longer pile up in one frame.

GC policy
    Streaming allocates many short-lived objects (strips, segments, styles) and keeps many long-lived ones
    (the rendered answers). With Python's default thresholds that means ~100 full collections per 20 s run,
    20-150 ms each, which was the largest source of event-loop lag measured. `install_gc_policy()` (call it
    once at app start) raises the thresholds; `stream_finished()` (called by the ticker when a view's final
    render is done) moves everything that survived so far into the permanent generation with
    `gc.freeze()`, so later collections never walk the finished answers again. Cyclic garbage frozen that
    way is kept until `collect_now()` (call it at a quiet moment, e.g. when the playground closes).
    Nothing here changes the collector unless `install_gc_policy()` was called.
"""

from __future__ import annotations

import gc
import weakref
from collections import deque
from time import perf_counter
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

FPS = 30
"""Maximum refresh rate of streaming views."""

FRAME_BUDGET = 0.012
"""Seconds of rendering work allowed per tick, shared by all views (a tick is 1/FPS = 33 ms)."""

GC_THRESHOLDS = (50_000, 20, 100)
"""Thresholds set by `install_gc_policy` (Python's defaults are (700, 10, 10))."""


class Renderable(Protocol):
    """What the ticker drives (StreamView implements it)."""

    def render_pending(self, deadline: float) -> bool:
        """Render pending work until `perf_counter()` passes `deadline`; return True if work is left."""
        ...  # pragma: no cover

    @property
    def is_attached(self) -> bool: ...  # pragma: no cover


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

    def __init__(self, app: App, fps: float = FPS, budget: float = FRAME_BUDGET) -> None:
        self._app = weakref.ref(app)
        self.interval = 1.0 / fps
        self.budget = budget
        self._queue: deque[Renderable] = deque()
        self._queued: set[int] = set()
        self._timer: Timer | None = None
        self._running = False
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
        key = id(view)
        if key in self._queued:
            self._queued.discard(key)
            try:
                self._queue.remove(view)
            except ValueError:
                pass

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
        for _ in range(len(queue)):
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

    def stream_finished(self) -> None:
        """A view finished its final render: apply the GC policy."""
        stream_finished()


_policy_installed = False


def install_gc_policy(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> None:
    """Call once at app start: collect far less often while answers stream."""
    global _policy_installed
    gc.set_threshold(*thresholds)
    _policy_installed = True


def uninstall_gc_policy() -> None:
    """Restore Python's default thresholds and stop freezing (for tests and tools)."""
    global _policy_installed
    gc.set_threshold(700, 10, 10)
    _policy_installed = False


def gc_policy_installed() -> bool:
    return _policy_installed


def stream_finished() -> None:
    """A stream's final render is done: freeze what survived so collections skip it from now on."""
    if _policy_installed:
        gc.freeze()


def collect_now() -> None:
    """A full collection including frozen objects (slow: call only when nothing streams), then re-freeze."""
    gc.unfreeze()
    gc.collect()
    if _policy_installed:
        gc.freeze()
