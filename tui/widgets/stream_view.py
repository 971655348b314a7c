"""StreamView: a Line-API widget that shows a markdown answer while it streams in, at a cost per update
that tracks the new text rather than the whole answer.

How it works
    * `append()` only buffers text and asks the app-wide `RenderTicker` for a turn.
    * On its turn (at most 30 times a second, within a time budget shared by all views) the view moves the
      buffered text into its *tail* (the not-yet-finished end of the answer) and splits finished blocks
      off it: a block ends at a blank line followed by a non-indented line, before and after an ATX
      heading, and before a top-level code fence and after its closing fence. Blank lines inside an open
      fence never end a block, so an open fence is the tail until it closes.
    * Finished blocks are rendered once, at the pane width, into lines (rich's Markdown renderer, with
      markdown styles taken from this widget's component classes, i.e. from the theme). Only the tail is
      re-rendered on later turns. An open code fence is rendered incrementally: completed code lines are
      rendered once as a chunk, only the partial last line is re-rendered; the fence is re-highlighted as
      a whole (exactly) when budget allows after it closes.
    * The display is the concatenation of the blocks' lines (with the blank lines rich would put between
      them) plus the tail's. A change rebuilds the line list only from the first changed block and
      repaints only the lines that differ; the scroll range grows without a screen re-layout (see
      `_set_virtual_height`). Lines are kept as plain lists of segments; the `Strip`s Textual paints are
      made on demand for the lines on screen (see `_make_line`), which keeps the garbage collector's
      work small.
    * `finish()` re-splits the whole answer with markdown-it (so loose lists, reference-style links defined
      later etc. get their full context), re-renders only the blocks whose source or context changed (the
      rest is reused), and swaps the result in at once. The result is the same as rendering the whole
      answer with rich in one go. When no other view is streaming, the GC policy then runs (see
      `render_ticker`).
    * A width or theme change re-renders cached blocks (visible ones first, within budget); until a block is
      re-rendered its old lines are shown cropped/padded. If the user has scrolled up, the first visible
      line stays in place.
    * The rendered lines carry the offsets Textual's text selection uses; `get_selection` returns the
      rendered text (what is on screen), `text` the raw markdown and `code_blocks()` the fenced code.

Nothing here uses private Textual API.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from time import perf_counter
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.theme import Theme
from textual import events
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tui.domain.text import printable
from tui.widgets.render_ticker import RenderTicker

if TYPE_CHECKING:
    from tui.widgets.markdown_render import RenderContext, Row


def preload_renderer() -> None:
    """Import the markdown renderer now (the app does it in a thread after its first paint)."""
    _render()


def _render() -> ModuleType:
    """The markdown renderer (markdown-it, pygments, rich's Markdown), imported on first use so the app
    paints its first screen without loading it."""
    from tui.widgets import markdown_render

    return markdown_render

_FENCE_RE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_ATX_RE = re.compile(r"#{1,6}(?:[ \t]|$)")


def _fence_open(line: str) -> re.Match[str] | None:
    match = _FENCE_RE.match(line)
    if match is None or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match


def _fence_closes(line: str, char: str, length: int) -> bool:
    stripped = line.strip()
    return len(stripped) >= length and stripped[0] == char and stripped == char * len(stripped)


def _lexer_name(info: str) -> str:
    return info.strip().partition(" ")[0] or "text"


class _Block:
    """A finished block of the answer and its rendering."""

    __slots__ = (
        "start", "end", "kind", "source", "lexer", "strips", "lead_own", "sep_after", "width", "gen", "approx", "chunks"
    )

    def __init__(self, start: int, end: int, kind: str, source: str, lexer: str = "") -> None:
        self.start = start  # offsets of the block in the raw text
        self.end = end
        self.kind = kind  # "md" or "fence" (for a fence, `source` is the code)
        self.source = source
        self.lexer = lexer
        self.strips: list[Row] | None = None  # rendered lines, each exactly `width` cells
        self.lead_own = False  # the rendering starts with its own blank line
        self.sep_after = True  # a blank line goes before the next block (unless it brings its own)
        self.width = 0
        self.gen = -1
        self.approx = False  # rendered from chunks: re-render when there is time
        self.chunks: _FenceProgress | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.lexer, self.source)


class _FenceProgress:
    """The rendered part of the open code fence at the end of the tail."""

    __slots__ = ("width", "gen", "lexer", "done_upto", "strips", "chunks")

    def __init__(self, width: int, gen: int, lexer: str, code_start: int) -> None:
        self.width = width
        self.gen = gen
        self.lexer = lexer
        self.done_upto = code_start  # tail offset where unrendered code begins
        self.strips: list[Row] = []
        self.chunks = 0


class _Scan:
    """Incremental block-splitter state over the tail (offsets relative to the tail)."""

    __slots__ = ("pos", "has_content", "blank_at", "in_fence", "fence_top", "fence_char", "fence_len", "fence_info")

    def __init__(self) -> None:
        self.pos = 0
        self.has_content = False
        self.blank_at = -1
        self.in_fence = False
        self.fence_top = False
        self.fence_char = "`"
        self.fence_len = 3
        self.fence_info = ""


class _Spec(NamedTuple):
    start: int
    end: int
    kind: str
    source: str
    lexer: str


class _FinalJob:
    def __init__(self, specs: list[_Spec], width: int, gen: int, length: int) -> None:
        self.specs = specs
        self.width = width
        self.gen = gen
        self.length = length
        self.blocks: list[_Block] = []


class StreamView(ScrollView, can_focus=True):
    """Shows a markdown answer that arrives in pieces. See the module docstring."""

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

    follow: var[bool] = var(True)
    """Keep the newest text in view. Becomes False when the user scrolls up, True again at the bottom."""

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
        self._scheduled = False
        self._auto_scrolling = False
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
        self._pending.append(text)
        self._length += len(text)
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
        old_lines = len(self._lines)
        if self._streaming and self._ticker is not None:
            self._ticker.stream_abandoned(self)  # cleared, not finished: no GC action
        self._reset()
        if self.is_mounted:
            self._set_virtual_height(0)
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
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        done = self._parts[0] if self._parts else ""
        return done + "".join(self._pending) if self._pending else done

    def code_blocks(self) -> list[str]:
        """The contents of the fenced code blocks, in order (without the fences)."""
        blocks = []
        for token in _render().PARSER.parse(self.text):
            if token.type == "fence":
                content = token.content
                blocks.append(content[:-1] if content.endswith("\n") else content)
        return blocks

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines, as strips (a copy)."""
        return [Strip(row) for row in self._lines]

    @property
    def finished(self) -> bool:
        """True once `finish()` (or `set_text`) was called and its final render is shown."""
        return self._finished

    @property
    def settled(self) -> bool:
        """True when everything appended so far is rendered (and the final render swapped in, if finishing)."""
        return not self._has_work()

    def render_now(self) -> None:
        """Render all pending work immediately, ignoring the frame budget (tests, screenshots)."""
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
        self._line_cache.clear()
        self._update_width()
        if self.follow:  # a shorter view (a summary or error box appeared) must still show the end
            self.call_after_refresh(self._keep_following)

    def _keep_following(self) -> None:
        if self.follow and self.scroll_offset.y != self.max_scroll_y:
            self._auto_scroll_to(self.max_scroll_y)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._line_cache.clear()
        if self.is_mounted and self._style_signature is not None:
            if self._compute_style_signature() != self._style_signature:
                self._ctx = None
                self._gen += 1
                self._stale_possible = True
                self._tail_changed = True
                self._final = None
                self._schedule()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._auto_scrolling:
            at_end = round(new_value) >= self.max_scroll_y
            if self.follow != at_end:
                self.follow = at_end

    def watch_follow(self, follow: bool) -> None:
        if follow and self.is_mounted:
            self._auto_scroll_to(self.max_scroll_y)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if index >= len(self._lines):
            return Strip.blank(self.size.width, self.rich_style)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            return self._make_line(index, span)
        cache = self._line_cache
        strip = cache.get(index)
        if strip is None:
            height = self.size.height
            if len(cache) > 2 * height + 16:
                # Keep the lines on screen and half a screen around them. (A plain dict, not Textual's
                # LRUCache: its links form reference cycles, and so would every line evicted from it.)
                top = self.scroll_offset.y - height // 2
                bottom = top + 2 * height
                for key in [key for key in cache if not top <= key < bottom]:
                    del cache[key]
            strip = cache[index] = self._make_line(index)
        return strip

    def _make_line(self, index: int, span: tuple[int, int] | None = None) -> Strip:
        """The displayed line: base style applied, padded to the widget width, with the offsets used by
        text selection. Built here, not kept on the row: rows stay plain lists of segments, which keeps
        the number of long-lived objects (and so the garbage collector's work) small."""
        row = self._lines[index]
        if span is not None:
            row = self._highlight(row, span)
        base = self._base_style
        if base is None:
            base = self._base_style = self.rich_style
        from_meta = Style.from_meta
        segments = []
        append = segments.append
        x = 0
        for text, style, _ in row:
            offset = from_meta({"offset": (x, index)})
            append(Segment(text, base + style + offset if style is not None else base + offset))
            x += len(text)
        width = self.size.width
        if width > self._width:
            append(Segment(" " * (width - self._width), base + from_meta({"offset": (x, index)})))
        return Strip(segments, max(width, self._width)).crop(0, width)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join("".join(segment.text for segment in row).rstrip() for row in self._lines)
        return selection.extract(text), "\n"

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
        ctx = self._get_render_context()
        self._ingest()
        rebuild_from: int | None = None
        worked = False

        # 1. Newly finished blocks, in order, then the tail: what the reader is waiting for.
        blocks = self._blocks
        while self._first_unrendered < len(blocks):
            if worked and perf_counter() >= deadline:
                break
            index = self._first_unrendered
            self._render_block(blocks[index], ctx)
            self._first_unrendered += 1
            worked = True
            rebuild_from = index if rebuild_from is None else rebuild_from
        caught_up = self._first_unrendered == len(blocks)
        if caught_up and (self._tail_changed or self._tail_width != ctx.width):
            if not worked or perf_counter() < deadline:
                self._render_tail(ctx)
                worked = True
                if rebuild_from is None:
                    rebuild_from = len(blocks)
        caught_up = caught_up and not self._tail_changed
        if self._finishing:
            # 2a. The final pass, once the streamed display has caught up (it reuses those renders).
            if caught_up and (not worked or perf_counter() < deadline) and self._run_final(ctx, deadline, worked):
                rebuild_from = 0
        elif self._stale_possible and (not worked or perf_counter() < deadline):
            # 2b. Blocks rendered at another width or style, or approximately (code fences): visible first.
            first = self._refresh_stale(ctx, deadline, worked)
            if first is not None:
                rebuild_from = first if rebuild_from is None else min(rebuild_from, first)

        if rebuild_from is not None:
            self._rebuild_lines(rebuild_from)
        more = self._has_work()
        if more:
            self._scheduled = True  # the ticker keeps us queued
        return more

    # ------------------------------------------------------------------ internals: state

    def _reset(self) -> None:
        self._parts: list[str] = []
        self._pending: list[str] = []
        self._length = 0
        self._tail = ""
        self._tail_start = 0
        self._scan = _Scan()
        self._fence: _FenceProgress | None = None
        self._blocks: list[_Block] = []
        self._first_unrendered = 0
        self._tail_strips: list[Row] = []
        self._tail_changed = False
        self._tail_width = 0
        self._stale_possible = False
        self._lines: list[Row] = []  # display lines: lists of segments, `self._width` cells each
        self._line_cache: dict[int, Strip] = {}  # displayed lines by index (see `render_line`)
        self._block_line: list[int] = []  # first display line of each block (its separator included)
        self._block_sep: list[bool] = []  # whether a separator goes before the next non-empty block, entering block i
        self._tail_line = 0
        self._sep_before_tail = False  # whether a blank line goes before the tail
        self._tail_lead_own = False
        self._finishing = False
        self._finished = False
        self._streaming = False  # appended to since the last clear/finish
        self._final: _FinalJob | None = None

    def _has_work(self) -> bool:
        return bool(
            self._pending
            or self._finishing
            or self._tail_changed
            or self._first_unrendered < len(self._blocks)
            or self._stale_possible
            or (self._width and self._tail_strips and self._tail_width != self._width)
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
            self._stale_possible = bool(self._blocks)
            self._tail_changed = True
            self._final = None  # restart the final pass at the new width
            self._schedule()

    def _compute_style_signature(self) -> object:
        get = self.get_component_rich_style
        names = sorted(self.COMPONENT_CLASSES)
        return (tuple(get(name, partial=True) for name in names), get("stream-view--fence"), get("stream-view--code"), self.app.current_theme.dark)

    def _get_render_context(self) -> RenderContext:
        ctx = self._ctx
        if ctx is not None and ctx.width == self._width:
            return ctx
        self._style_signature = self._compute_style_signature()
        get = self.get_component_rich_style
        heading = {1: get("stream-view--h1", partial=True), 2: get("stream-view--h2", partial=True)}
        h3 = get("stream-view--h3", partial=True)
        code = get("stream-view--code")
        code_inline = Style(color=code.color, bgcolor=code.bgcolor, bold=code.bold)
        link = get("stream-view--link", partial=True)
        bullet = get("stream-view--bullet", partial=True)
        muted = get("stream-view--muted", partial=True)
        fence = get("stream-view--fence")
        theme = Theme(
            {
                "markdown.h1": heading[1],
                "markdown.h2": heading[2],
                "markdown.h3": h3,
                "markdown.h4": h3,
                "markdown.h5": h3,
                "markdown.h6": h3,
                "markdown.h1.border": muted,
                "markdown.code": code_inline,
                "markdown.code_block": Style(bgcolor=fence.bgcolor),
                "markdown.link": link,
                "markdown.link_url": muted,
                "markdown.item.bullet": bullet,
                "markdown.item.number": bullet,
                "markdown.block_quote": muted,
                "markdown.hr": muted,
                "markdown.table.border": muted,
                "markdown.table.header": Style(bold=True),
            },
            inherit=True,
        )
        code_theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        fence_bg = fence.bgcolor.name if fence.bgcolor is not None else None
        self._ctx = ctx = _render().RenderContext(self.app.console, self._width, theme, code_theme, fence_bg)
        return ctx

    # ------------------------------------------------------------------ internals: splitting

    def _ingest(self) -> None:
        if self._pending:
            new = "".join(self._pending)
            self._pending.clear()
            self._parts.append(new)
            self._tail += new
            self._tail_changed = True
            self._split_tail()

    def _split_tail(self) -> None:
        """Split finished blocks off the start of the tail (incremental over complete lines)."""
        st = self._scan
        tail = self._tail
        while True:
            newline = tail.find("\n", st.pos)
            if newline < 0:
                break
            start = st.pos
            line = tail[start:newline]
            st.pos = newline + 1
            if st.in_fence:
                if _fence_closes(line, st.fence_char, st.fence_len):
                    st.in_fence = False
                    if st.fence_top:
                        self._emit(st.pos, "fence")
                        tail, st = self._tail, self._scan
                continue
            if not line.strip():
                if not st.has_content:
                    self._cut(st.pos)  # blank lines before a block belong to no block
                    tail, st = self._tail, self._scan
                elif st.blank_at < 0:
                    st.blank_at = start
                continue
            if st.blank_at >= 0:
                if line[0] in " \t":
                    st.blank_at = -1  # indented: continues the list item / indented code
                else:
                    self._emit(st.blank_at, "md", cut=start)
                    tail, st = self._tail, self._scan
                    continue  # the line starts the next block: scan it again
            match = _fence_open(line)
            if match is not None:
                indent = len(match.group(1))
                if (not st.has_content and indent <= 3) or indent == 0:
                    if st.has_content:
                        self._emit(start, "md")  # a fence interrupts the block
                        tail, st = self._tail, self._scan
                        continue
                    st.fence_top = True
                else:
                    st.fence_top = False  # a fence inside a list item: keeps blank lines inside the block
                st.in_fence = True
                st.fence_char = match.group(2)[0]
                st.fence_len = len(match.group(2))
                st.fence_info = match.group(3)
                st.has_content = True
                continue
            if line[:1] == "#" and _ATX_RE.match(line):
                if st.has_content:
                    self._emit(start, "md")
                    tail, st = self._tail, self._scan
                    continue
                self._emit(st.pos, "md")  # an ATX heading is a block of its own
                tail, st = self._tail, self._scan
                continue
            st.has_content = True
        # A blank line followed by the start of a non-indented line ends the block already.
        if st.blank_at >= 0 and not st.in_fence:
            rest = tail[st.pos : st.pos + 1]
            if rest and rest not in " \t":
                self._emit(st.blank_at, "md", cut=st.pos)

    def _cut(self, offset: int) -> None:
        self._tail = self._tail[offset:]
        self._tail_start += offset
        self._scan = _Scan()
        self._tail_changed = True

    def _emit(self, end: int, kind: str, cut: int | None = None) -> None:
        tail = self._tail
        st = self._scan
        if kind == "fence":
            first_newline = tail.find("\n")
            body = tail[first_newline + 1 : end]
            body = body[: body.rstrip("\n").rfind("\n") + 1]  # drop the closing fence line
            block = _Block(self._tail_start, self._tail_start + end, "fence", body.rstrip(), _lexer_name(st.fence_info))
            progress = self._fence
            if progress is not None and progress.chunks:
                # Keep what was rendered while the fence streamed; render the rest as one more chunk.
                block.chunks = progress
                progress.done_upto -= first_newline + 1  # now relative to the body
        else:
            block = _Block(self._tail_start, self._tail_start + end, "md", tail[:end].strip("\n"))
        self._fence = None
        self._blocks.append(block)
        self._cut(end if cut is None else cut)

    def _reopen(self) -> None:
        """More text after finish(): continue streaming from the last block on."""
        self._finishing = False
        self._final = None
        if self._finished:
            self._finished = False
            if self._blocks:
                last = self._blocks.pop()
                self._first_unrendered = min(self._first_unrendered, len(self._blocks))
                self._tail = self.text[last.start :]
                self._tail_start = last.start
                self._tail_strips = last.strips or []  # shown until the tail is rendered again
                self._tail_lead_own = last.lead_own
                self._tail_width = last.width
            self._scan = _Scan()
            self._fence = None
            self._tail_changed = True
            self._split_tail()
            self._rebuild_lines(len(self._blocks))

    # ------------------------------------------------------------------ internals: rendering blocks

    def _render_block(self, block: _Block, ctx: RenderContext) -> None:
        if block.kind == "fence":
            progress = block.chunks
            if progress is not None and progress.width == ctx.width and progress.gen == self._gen:
                # Reuse the chunks rendered while the fence streamed (lexer state restarts at each chunk,
                # so this is approximate: the whole fence is re-highlighted when there is time).
                rest = block.source[progress.done_upto :]
                strips = [ctx.fence_pad, *progress.strips]
                if rest:
                    strips.extend(ctx.code_lines(rest, block.lexer))
                strips.append(ctx.fence_pad)
                block.approx = True
                self._stale_possible = True
            else:
                strips = ctx.fence(block.source, block.lexer)
                block.approx = False
            block.chunks = None
            block.strips = strips
            block.lead_own, block.sep_after = False, True
        else:
            block.strips, block.lead_own, block.sep_after = ctx.markdown(block.source)
            block.approx = False
        block.width = ctx.width
        block.gen = self._gen

    def _render_tail(self, ctx: RenderContext) -> None:
        self._tail_changed = False
        self._tail_width = ctx.width
        tail = self._tail
        st = self._scan
        self._tail_lead_own = False
        if not tail.strip():
            self._tail_strips = []
        elif st.in_fence and st.fence_top:
            self._tail_strips = self._render_open_fence(ctx, tail, st)
        else:
            self._tail_strips, self._tail_lead_own, _ = ctx.markdown(tail)

    def _render_open_fence(self, ctx: RenderContext, tail: str, st: _Scan) -> list[Row]:
        lexer = _lexer_name(st.fence_info)
        progress = self._fence
        if progress is None or progress.width != ctx.width or progress.gen != self._gen:
            progress = self._fence = _FenceProgress(ctx.width, self._gen, lexer, tail.find("\n") + 1)
        complete = tail.rfind("\n") + 1
        if complete > progress.done_upto:
            progress.strips.extend(ctx.code_lines(tail[progress.done_upto : complete - 1], lexer))
            progress.chunks += 1
            progress.done_upto = complete
        partial = tail[complete:]
        strips = [ctx.fence_pad, *progress.strips]
        if partial:
            strips.extend(ctx.code_lines(partial, lexer))
        strips.append(ctx.fence_pad)
        return strips

    def _refresh_stale(self, ctx: RenderContext, deadline: float, worked: bool) -> int | None:
        """Re-render blocks rendered at another width/style or from chunks: visible ones first."""
        blocks = self._blocks
        count = self._first_unrendered
        if not count:
            self._stale_possible = False
            return None
        start = min(count - 1, max(0, bisect_right(self._block_line, self.scroll_offset.y) - 1))
        first: int | None = None
        for step in range(count):
            index = (start + step) % count
            block = blocks[index]
            if block.width == ctx.width and block.gen == self._gen and not block.approx:
                continue
            if worked and perf_counter() >= deadline:
                return first
            self._render_block(block, ctx)  # exact: a block's chunks are used only by its first render
            worked = True
            first = index if first is None else min(first, index)
        self._stale_possible = any(b.approx for b in blocks[:count])
        return first

    # ------------------------------------------------------------------ internals: the final pass

    def _plan_final(self) -> list[_Spec]:
        text = self.text
        lines = text.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        tops = [t for t in _render().PARSER.parse(text) if t.level == 0 and t.nesting >= 0 and t.map]
        covered = [False] * len(lines)
        for token in tops:
            for index in range(token.map[0], token.map[1]):
                covered[index] = True
        # Lines outside every block are reference definitions: give them to each block that may use them.
        references = "".join(line for line, used in zip(lines, covered) if not used and line.strip())
        specs = []
        for token in tops:
            first, last = token.map
            start, end = offsets[first], offsets[last]
            if token.type == "fence":
                specs.append(_Spec(start, end, "fence", token.content.rstrip(), _lexer_name(token.info)))
            else:
                source = text[start:end].strip("\n")
                if references and "[" in source:
                    source = f"{source}\n\n{references}"
                specs.append(_Spec(start, end, "md", source, ""))
        return specs

    def _run_final(self, ctx: RenderContext, deadline: float, worked: bool) -> bool:
        """Advance the final pass; swap it in when complete. Returns True when swapped."""
        job = self._final
        if job is None or job.width != ctx.width or job.gen != self._gen or job.length != self._length:
            job = self._final = _FinalJob(self._plan_final(), ctx.width, self._gen, self._length)
            reuse = {
                block.key: block
                for block in self._blocks
                if block.strips is not None and block.width == ctx.width and block.gen == self._gen and not block.approx
            }
            job.blocks = []
            for spec in job.specs:
                block = _Block(spec.start, spec.end, spec.kind, spec.source, spec.lexer)
                old = reuse.get(block.key)
                if old is not None:
                    block.strips, block.lead_own, block.sep_after = old.strips, old.lead_own, old.sep_after
                    block.width, block.gen = old.width, old.gen
                job.blocks.append(block)
            job.specs = []
        for block in job.blocks:
            if block.strips is not None:
                continue
            if worked and perf_counter() >= deadline:
                return False
            self._render_block(block, ctx)
            worked = True
        # Swap in the final rendering.
        self._blocks = job.blocks
        self._first_unrendered = len(job.blocks)
        self._tail = ""
        self._tail_start = self._length
        self._tail_strips = []
        self._tail_changed = False
        self._scan = _Scan()
        self._fence = None
        self._stale_possible = False
        self._final = None
        self._finishing = False
        self._finished = True
        if self._streaming:
            self._streaming = False
            if self._ticker is not None:
                self._ticker.stream_finished(self)
        return True

    # ------------------------------------------------------------------ internals: display

    def _rebuild_lines(self, from_block: int) -> None:
        """Rebuild the display lines from block `from_block` on, then update size, repaint and scroll."""
        blocks = self._blocks
        lines = self._lines
        old_count = len(lines)
        block_line = self._block_line
        block_sep = self._block_sep
        anchor = None if self.follow else self._anchor()
        from_block = min(from_block, len(block_line))
        if from_block < len(block_line):
            start = block_line[from_block]
            need_sep = block_sep[from_block]
        else:
            start = self._tail_line
            need_sep = self._sep_before_tail
        previous = lines[start:]
        del lines[start:]
        del block_line[from_block:]
        del block_sep[from_block:]
        blank = [Segment(" " * self._width)]
        width = self._width
        for index in range(from_block, len(blocks)):
            block = blocks[index]
            block_line.append(len(lines))
            block_sep.append(need_sep)
            strips = block.strips
            if strips:
                if need_sep and not block.lead_own:
                    lines.append(blank)
                if block.width != width:  # shown at its old width until it is re-rendered
                    strips = [Segment.adjust_line_length(row, width) for row in strips]
                lines.extend(strips)
                need_sep = block.sep_after
        self._tail_line = len(lines)
        self._sep_before_tail = need_sep
        if self._tail_strips:
            if need_sep and not self._tail_lead_own:
                lines.append(blank)
            if self._tail_width != width:
                lines.extend(Segment.adjust_line_length(row, width) for row in self._tail_strips)
            else:
                lines.extend(self._tail_strips)
        # Repaint only from the first line that differs (usually just the tail's last line).
        first = start
        for old, new in zip(previous, lines[start:]):
            if old is not new and old != new:
                break
            first += 1
        cache = self._line_cache
        for index in [index for index in cache if index >= first]:
            del cache[index]
        self._set_virtual_height(len(lines))
        changed = max(old_count, len(lines)) - first
        if changed > 0:
            self.refresh_lines(first, changed)
        if self.follow:
            self._auto_scroll_to(self.max_scroll_y)
        elif anchor is not None:
            self._restore_anchor(anchor)


    def _anchor(self) -> tuple[int, int] | None:
        """(block index or -1 for the tail, line within it) of the first visible line."""
        y = self.scroll_offset.y
        if not self._lines:
            return None
        if y >= self._tail_line:
            return (-1, y - self._tail_line)
        index = bisect_right(self._block_line, y) - 1
        if index < 0:
            return None
        return (index, y - self._block_line[index])

    def _restore_anchor(self, anchor: tuple[int, int]) -> None:
        index, offset = anchor
        if index < 0:
            base = self._tail_line
        elif index < len(self._block_line):
            base = self._block_line[index]
        else:
            return
        target = min(base + offset, self.max_scroll_y)
        if target != self.scroll_offset.y:
            self._auto_scroll_to(target)

    def _auto_scroll_to(self, y: int) -> None:
        self._auto_scrolling = True
        try:
            self.scroll_to(y=y, animate=False, force=True)
        finally:
            self._auto_scrolling = False

    def _set_virtual_height(self, height: int) -> None:
        """Grow/shrink the scroll range without re-laying out the screen.

        Assigning `virtual_size` (a reactive declared with layout=True) makes Textual re-lay out the whole
        screen on every update, which was most of the cost of streaming into 8 panes. Content never
        changes this widget's own size, so a layout is needed only when the vertical scrollbar appears or
        disappears. Otherwise `set_reactive` (public API: sets without watchers/layout) stores the new size,
        and the scrollbar, a widget of its own, is told the new range through its public reactive.
        """
        size = Size(self._width, height)
        if size == self.virtual_size:
            return
        styles = self.styles
        overflow_y = styles.overflow_y
        if overflow_y == "scroll":
            needs_layout = not self.show_vertical_scrollbar
        elif overflow_y == "auto":
            needs_layout = (height > self.scrollable_content_region.height) != self.show_vertical_scrollbar
        else:
            needs_layout = False
        if styles.height is not None and styles.height.is_auto:
            needs_layout = True  # our height follows the content
        if needs_layout or not self.is_mounted:
            self.virtual_size = size
            return
        self.set_reactive(Widget.virtual_size, size)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = height
        if self.scroll_y > self.max_scroll_y:
            self._auto_scroll_to(self.max_scroll_y)

    def _highlight(self, row: Row, span: tuple[int, int]) -> Row:
        text = "".join(segment.text for segment in row)
        start, end = span
        if end == -1:
            end = len(text)
        start_cell, end_cell = cell_len(text[:start]), cell_len(text[:end])
        if end_cell <= start_cell:
            return row
        style = self.screen.get_component_rich_style("screen--selection")
        before, selected, after = Segment.divide(row, [start_cell, end_cell, self._width])
        return [*before, *Segment.apply_style(selected, post_style=style), *after]
