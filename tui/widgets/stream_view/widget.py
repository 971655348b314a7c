"""StreamView, the widget: buffers appended text, renders on the render ticker's turns within its time
budget, and shows the display lines (scrolling and following: `scrolling`) with text selection.

Nothing here uses private Textual API. The package docstring tells how it all fits together.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.style import Style
from textual import events
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip

from tui.domain.text import printable
from tui.widgets.render_ticker import RenderTicker
from tui.widgets.stream_view.blocks import BlockModel, FinalJob
from tui.widgets.stream_view.frame import Frame
from tui.widgets.stream_view.lines import DisplayLines, highlight, make_strip
from tui.widgets.stream_view.render import (
    advance_final,
    refresh_stale,
    render_block,
    render_context,
    render_tail,
    renderer,
    start_final,
    style_signature,
)
from tui.widgets.stream_view.scrolling import FollowingScrollView, follow_window

if TYPE_CHECKING:
    from tui.widgets.markdown_render import RenderContext, Row

NEAR_SCREENS = 2
"""Blocks with lines within this many screen heights of the visible ones keep their rendered lines; the
others keep only how many lines they have and are rendered again when scrolled to. Rendered lines cost
about 65 times the text they show, so a long answer would otherwise grow by ~0.3 MiB per 1,000 tokens."""


class StreamView(FollowingScrollView, can_focus=True):
    """Shows a markdown answer that arrives in pieces. See the package docstring."""

    ALLOW_SELECT = True

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "stream-view--h1",
        "stream-view--h2",
        "stream-view--h3",
        "stream-view--code",
        "stream-view--fence",
        "stream-view--link",
        "stream-view--bullet",
        "stream-view--muted",
    }

    DEFAULT_CSS = """
    StreamView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        & > .stream-view--h1 { color: $markdown-h1-color; text-style: $markdown-h1-text-style; }
        & > .stream-view--h2 { color: $markdown-h2-color; text-style: bold; }
        & > .stream-view--h3 { color: $markdown-h3-color; text-style: bold; }
        & > .stream-view--code { color: $text-accent; background: $boost; }
        & > .stream-view--fence { background: $panel; }
        & > .stream-view--link { color: $text-primary; text-style: underline; }
        & > .stream-view--bullet { color: $text-accent; text-style: bold; }
        & > .stream-view--muted { color: $text-muted; }
    }
    """

    # The answer's state, set by `_reset` (see there).
    _model: BlockModel
    _display: DisplayLines
    _line_cache: dict[int, Strip]
    _stale_possible: bool
    _finishing: bool
    _finished: bool
    _streaming: bool
    _final: FinalJob | None
    _scroll_due: bool
    _last_scroll: float

    def __init__(
        self,
        markdown: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._ticker: RenderTicker | None = None
        self._base_style: Style | None = None
        self._blank: Strip | None = None
        self._painting = False  # within `render_lines`
        self._frame: Frame | Literal[False] | None = None  # how its lines are painted (None: not known yet)
        self._scheduled = False
        self._width = 0
        self._gen = 0
        self._style_signature: object = None
        self._ctx: RenderContext | None = None
        self._reset()
        if markdown:
            self.set_text(markdown)

    # ------------------------------------------------------------------ public API

    def append(self, text: str) -> None:
        """Add streamed text. Cheap: buffers it and asks for a render turn; renders nothing itself."""
        if not text:
            return
        text = printable(text)  # an answer may carry escape sequences; they are shown, never sent
        if self._finishing or self._finished:
            self._reopen()
        if not self._streaming:
            self._streaming = True
            if self._ticker is not None:
                self._ticker.stream_started(self)
        model = self._model
        model.pending.append(text)
        model.length += len(text)
        if not self._scheduled:
            self._schedule()

    def finish(self) -> None:
        """The stream is complete: render the whole answer once with full context, then freeze it."""
        if self._finished or self._finishing:
            return
        self._finishing = True
        self._schedule()

    def clear(self) -> None:
        """Remove all text."""
        old_lines = len(self._display.rows)
        if self._streaming and self._ticker is not None:
            self._ticker.stream_abandoned(self)  # cleared, not finished: no GC action
        self._reset()
        if self.is_mounted:
            self._set_virtual_size(Size(self._width, 0))
            self._auto_scroll_to(0)
            if old_lines:
                self.refresh()
        self.follow = True

    def set_text(self, text: str) -> None:
        """Show finished (non-streamed) markdown, e.g. an answer reopened from history."""
        self.clear()
        self.append(text)
        self.finish()

    @property
    def text(self) -> str:
        """The raw markdown received so far."""
        return self._model.text

    def code_blocks(self) -> list[str]:
        """The contents of the fenced code blocks, in order (without the fences)."""
        blocks = []
        for token in renderer().PARSER.parse(self.text):
            if token.type == "fence":
                content = token.content
                blocks.append(content[:-1] if content.endswith("\n") else content)
        return blocks

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines, as strips (a copy)."""
        return [Strip(self._row(y)) for y in range(len(self._display.rows))]

    @property
    def held_lines(self) -> int:
        """How many rendered lines are held in memory: those of the blocks near the screen (see
        `NEAR_SCREENS`) and of the open tail."""
        model = self._model
        return sum(block.lines for block in model.blocks if block.strips is not None) + len(model.tail_strips)

    @property
    def finished(self) -> bool:
        """True once `finish()` (or `set_text`) was called and its final render is shown."""
        return self._finished

    @property
    def receiving(self) -> bool:
        """True while the answer is streaming in: appended to since the last clear, and not finished."""
        return self._streaming and not (self._finishing or self._finished)

    @property
    def settled(self) -> bool:
        """True when everything appended so far is rendered (and the final render swapped in, if finishing)."""
        return not self._has_work()

    def render_now(self) -> None:
        """Render all pending work immediately, ignoring the frame budget and the pacing of scrolls
        (tests, screenshots)."""
        while self.render_pending(float("inf")):
            pass

    # ------------------------------------------------------------------ Textual hooks

    def on_mount(self) -> None:
        self._ticker = RenderTicker.for_app(self.app)
        if self._streaming:
            self._ticker.stream_started(self)
        self._update_width()
        if self._has_work():
            self._schedule()

    def on_unmount(self) -> None:
        if self._ticker is not None:
            self._ticker.forget(self)
        self._scheduled = False

    def on_resize(self, event: events.Resize) -> None:
        self._frame = None
        self._line_cache.clear()
        self._update_width()
        if self.follow:  # a shorter view (a summary or error box appeared) must still show the end
            self.call_after_refresh(self._keep_following)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._blank = None
        self._frame = None
        self._line_cache.clear()
        if self.is_mounted and self._style_signature is not None:
            if style_signature(self) != self._style_signature:
                self._ctx = None
                self._gen += 1
                self._stale_possible = True
                self._model.tail_changed = True
                self._final = None
                self._schedule()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._painting = True  # see `render_line`
        try:
            frame = self._frame
            if frame is None:
                frame = self._frame = Frame.of(self) or False
            if frame is False:  # styled with more than padding: Textual paints it
                return super().render_lines(crop)
            return frame.lines(crop, lambda y: self._painted_line(y, frame))
        finally:
            self._painting = False

    def render_line(self, y: int) -> Strip:
        """Display line `y` as painted. Asked outside painting (Textual's text selection reads the line under
        the mouse), it carries the offsets selection reads from each segment's style; painting needs none,
        and a line made without them costs about a fifth."""
        if self._painting:
            return self._painted_line(y, None)
        index = self.scroll_offset.y + y
        if index >= len(self._display.rows):
            return self._blank_line()
        selection = self.text_selection
        return self._make_line(index, selection.get_span(index) if selection is not None else None, offsets=True)

    def _painted_line(self, y: int, frame: Frame | None) -> Strip:
        """Content row `y` as painted: with the `frame`'s padding when the view paints itself (see `frame`), as
        Textual's styling takes it otherwise. Kept in the line cache by its place in the answer, so a scroll
        paints the rows still on screen from it."""
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self._display.rows):
            blank = self._blank_line()
            return frame.pad_blank(blank, width) if frame else blank
        try:
            selection = self.text_selection
        except NoScreen:  # removed, and painted from the compositor's map until the next layout: no selection
            selection = None
        span = selection.get_span(index) if selection is not None else None
        if span is not None:
            line = self._make_line(index, span, offsets=False)
            return frame.pad(line, width) if frame else line
        cache = self._line_cache
        strip = cache.get(index)
        if strip is None:
            self._trim_line_cache()
            line = self._make_line(index, None, offsets=False)
            strip = cache[index] = frame.pad(line, width) if frame else line
        return strip

    def _trim_line_cache(self) -> None:
        """Keep the lines on screen and half a screen around them. (A plain dict, not Textual's LRUCache: its
        links form reference cycles, and so would every line evicted from it.)"""
        cache = self._line_cache
        height = self.size.height
        if len(cache) > 2 * height + 16:
            top = self.scroll_offset.y - height // 2
            bottom = top + 2 * height
            for key in [key for key in cache if not top <= key < bottom]:
                del cache[key]

    def _make_line(self, index: int, span: tuple[int, int] | None, *, offsets: bool) -> Strip:
        row = self._row(index)
        if span is not None:
            selected = self.screen.get_component_rich_style("screen--selection")
            row = highlight(row, span, selected, self._width)
        return make_strip(row, index if offsets else None, self._base(), self.size.width, self._width)

    def _base(self) -> Style:
        """The widget's own style (`rich_style` walks the ancestors: too slow for every line)."""
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        return base

    def _blank_line(self) -> Strip:
        """A line below the text: one shared strip per width and style, so Textual's caches of it hit."""
        width = self.size.width
        blank = self._blank
        if blank is None or blank.cell_length != width:
            blank = self._blank = Strip.blank(width, self._base())
        return blank

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self._display.selection_text(self._row)), "\n"

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._evict_soon()  # lines scrolled far away need not be held any more

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # ------------------------------------------------------------------ rendering (driven by the ticker)

    def render_pending(self, deadline: float) -> bool:
        """Render what is pending until `deadline` (perf_counter time); return True if work is left.

        Called by the app's `RenderTicker`; always makes progress on at least one item.
        """
        self._scheduled = False
        if not self._width:
            self._update_width()
            if not self._width:
                return False  # not laid out yet; `on_resize` schedules us again
        model = self._model
        model.ingest()
        if not model.length and not self._finishing and not self._display.rows:
            # Nothing to show. Asking for the renderer here would wait for its import, which the app starts in a
            # thread after its first paint: an empty pane's first layout blocked the screen ~140 ms.
            model.tail_changed = False  # the empty tail is all there is, and it shows as no lines
            return False
        ctx = self._get_render_context()
        rebuild_from: int | None = None
        worked = False

        # 1. Newly finished blocks, in order, then the tail: what the reader is waiting for.
        blocks = model.blocks
        while model.first_unrendered < len(blocks):
            if worked and perf_counter() >= deadline:
                break
            index = model.first_unrendered
            block = blocks[index]
            render_block(model, block, ctx, self._gen)
            if block.approx:
                self._stale_possible = True
            model.first_unrendered += 1
            worked = True
            rebuild_from = index if rebuild_from is None else rebuild_from
        caught_up = model.first_unrendered == len(blocks)
        if caught_up and (model.tail_changed or model.tail_width != ctx.width):
            if not worked or perf_counter() < deadline:
                render_tail(model, ctx, self._gen)
                worked = True
                if rebuild_from is None:
                    rebuild_from = len(blocks)
        caught_up = caught_up and not model.tail_changed
        if self._finishing:
            # 2a. The final pass, once the streamed display has caught up (it reuses those renders).
            if caught_up and (not worked or perf_counter() < deadline) and self._run_final(ctx, deadline, worked):
                rebuild_from = self._evict_from = 0
        elif self._stale_possible and (not worked or perf_counter() < deadline):
            # 2b. Blocks rendered at another width or style, or approximately (code fences): visible first.
            start = max(0, self._display.block_at(self.scroll_offset.y))
            first, self._stale_possible = refresh_stale(model, ctx, self._gen, start, deadline, worked)
            if first is not None:
                rebuild_from = first if rebuild_from is None else min(rebuild_from, first)
                self._evict_from = 0

        paced = deadline != float("inf")  # not `render_now`
        if rebuild_from is not None:
            self._rebuild_lines(rebuild_from, paced=paced)
        elif self._scroll_due:
            self._place(paced=paced)
        if self._evict_due:
            self._evict_far_blocks()
        more = self._has_work()
        if more:
            self._scheduled = True  # the ticker keeps us queued
        return more

    def _run_final(self, ctx: RenderContext, deadline: float, worked: bool) -> bool:
        """Advance the final pass; swap it in when complete. Returns True when swapped."""
        model = self._model
        job = self._final
        if job is None or job.width != ctx.width or job.gen != self._gen or job.length != model.length:
            job = self._final = start_final(model, ctx, self._gen)
        if not advance_final(job, model, ctx, self._gen, deadline, worked):
            return False
        model.swap_in(job.blocks or [])
        self._stale_possible = False
        self._final = None
        self._finishing = False
        self._finished = True
        if self._streaming:
            self._streaming = False
            if self._ticker is not None:
                self._ticker.stream_finished(self)
        return True

    # ------------------------------------------------------------------ internals: state

    def _reset(self) -> None:
        self._model = BlockModel()
        self._display = DisplayLines()
        self._line_cache = {}  # displayed lines by index (see `render_line`)
        self._stale_possible = False
        self._finishing = False
        self._finished = False
        self._streaming = False  # appended to since the last clear/finish
        self._final = None
        self._evict_from = 0  # the first block that may hold lines far from the screen
        self._evict_due = False
        self._scroll_due = False  # a scroll to follow the end waits for its turn (see `_place`)
        self._last_scroll = 0.0

    def _reopen(self) -> None:
        """More text after finish(): continue streaming from the last block on."""
        self._finishing = False
        self._final = None
        if self._finished:
            self._finished = False
            self._model.reopen()
            self._rebuild_lines(len(self._model.blocks))

    def _has_work(self) -> bool:
        model = self._model
        return bool(
            model.pending
            or self._finishing
            or model.tail_changed
            or model.first_unrendered < len(model.blocks)
            or self._stale_possible
            or self._evict_due
            or self._scroll_due
            or (self._width and model.tail_strips and model.tail_width != self._width)
        )

    def _schedule(self) -> None:
        if self._ticker is not None:
            self._scheduled = True
            self._ticker.mark_dirty(self)

    def _update_width(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._width:
            self._width = width
            self._ctx = None
            self._stale_possible = bool(self._model.blocks)
            self._model.tail_changed = True
            self._final = None  # restart the final pass at the new width
            self._schedule()

    def _get_render_context(self) -> RenderContext:
        ctx = self._ctx
        if ctx is not None and ctx.width == self._width:
            return ctx
        self._style_signature = style_signature(self)
        self._ctx = ctx = render_context(self, self._width)
        return ctx

    # ------------------------------------------------------------------ internals: display

    def _rebuild_lines(self, from_block: int, *, paced: bool = False) -> None:
        """Rebuild the display lines from block `from_block` on, then update size, repaint and scroll
        (`paced`: a scroll to follow the end may wait, see `_place`)."""
        display = self._display
        anchor = None if self.follow else display.anchor(self.scroll_offset.y)
        first, changed = display.rebuild(self._model, from_block, self._width)
        self._evict_due = True
        cache = self._line_cache
        for index in [index for index in cache if index >= first]:
            del cache[index]
        self._place(paced=paced)
        top = self.scroll_offset.y
        start, end = max(first, top), min(first + changed, top + self.scrollable_content_region.height)
        if end > start:  # only what is on screen: lines below it (a scroll that waits) need no frame
            self.refresh_lines(start, end - start)
        if anchor is not None:
            line = display.anchor_line(anchor)
            if line is not None:
                target = min(line, self.max_scroll_y)
                if target != self.scroll_offset.y:
                    self._auto_scroll_to(target)

    def _place(self, *, paced: bool) -> None:
        """Set the scroll range for the display lines and, while following, scroll to show the end (see
        `follow_window`). While several views stream, a following view scrolls at most once per the
        ticker's `scroll_interval` when `paced`: a scroll repaints the whole pane, and text arriving faster
        than that is not read line by line anyway. A scroll that must wait leaves range and position as
        they are (the new lines are below the screen) and is made on a later turn."""
        self._scroll_due = False
        rows = len(self._display.rows)
        if not self.follow:
            self._set_virtual_size(Size(self._width, rows))
            return
        current = self.scroll_offset.y
        top, height = follow_window(rows, self.scrollable_content_region.height, current, self._streaming)
        if top != current:
            now = perf_counter()
            ticker = self._ticker
            if paced and self._streaming and ticker is not None and now < self._last_scroll + ticker.scroll_interval:
                self._scroll_due = True
                return
            self._last_scroll = now
        self._set_virtual_size(Size(self._width, height))
        self._auto_scroll_to(top)

    # ------------------------------------------------------------------ internals: lines held near the screen

    def _row(self, index: int) -> Row:
        """Display line `index`, its block rendered again first if its lines are not held."""
        display = self._display
        row = display.rows[index]
        if row is None:
            block_index = display.block_at(index)
            block = self._model.blocks[block_index]
            count = block.lines
            render_block(self._model, block, self._get_render_context(), self._gen)
            self._evict_from = min(self._evict_from, block_index)
            self._evict_soon()
            if block.lines == count and block.strips is not None:
                display.hold(block_index, block.strips)
                row = display.rows[index]
            else:  # it was made at another width or style: the lines below it move
                self._rebuild_lines(block_index)
                row = display.rows[index] if index < len(display.rows) else None
        return row if row is not None else []

    def _evict_soon(self) -> None:
        if not self._evict_due:
            self._evict_due = True
            self._schedule()

    def _evict_far_blocks(self) -> None:
        """Drop the rendered lines of the blocks far from the screen (see `NEAR_SCREENS`), scanning from the
        first block that may hold some: while following the end, that is the first one near the screen."""
        self._evict_due = False
        display = self._display
        blocks = self._model.blocks
        count = min(self._model.first_unrendered, len(display.block_line))
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        first_near = max(0, display.block_at(max(0, top - NEAR_SCREENS * height)))
        last_near = display.block_at(top + (NEAR_SCREENS + 1) * height)
        first_held = count
        for index in range(self._evict_from, count):
            block = blocks[index]
            if block.strips is None:
                continue
            if first_near <= index <= last_near:
                first_held = min(first_held, index)
                continue
            display.drop(index, block.lines)
            block.evict()
        self._evict_from = first_held
