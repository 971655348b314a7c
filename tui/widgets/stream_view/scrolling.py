"""A ScrollView that follows its newest lines until the user scrolls up, and whose scroll range grows
without re-laying out the screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from tui.widgets.stream_view.scrollbar import PaintedScrollBar, SharedStripScrollBar

SCROLL_JUMP = 3
"""While an answer streams, a following view that must scroll jumps ahead by 1/SCROLL_JUMP of its height
(see `follow_window`)."""


def follow_window(rows: int, height: int, top: int, streaming: bool) -> tuple[int, int]:
    """Where a view following the end of `rows` lines scrolls to, and the scroll range that needs:
    (first line shown, virtual height). `height` is the view's, `top` its first line shown now.

    At rest the last line is at the bottom. While an answer streams, a view that has to scroll jumps ahead
    by a third of its height, leaving blank lines that the next text fills without scrolling (as vim's
    'scrolljump'). A scroll repaints the whole pane and its scrollbar (and over SSH resends them); a line
    written into the blank space repaints only that line. The text also stands still while it is read.
    Measured with 8 panes x 100 tok/s (`tests/bench/playground_render.py --case paced`): event-loop lag p99
    ~95 -> ~50 ms, with a third of the young-generation collections (a jump of a sixth gave ~61 ms).
    """
    if not streaming:
        return max(0, rows - height), rows
    if rows <= height:
        return 0, height  # the range stays put until the view is full: its scrollbar is not repainted per line
    if not rows <= top + height <= rows + height // SCROLL_JUMP:
        top = rows - height + max(1, height // SCROLL_JUMP)
    return top, top + height


class FollowingScrollView(ScrollView):
    """Follows the bottom (`follow`); `_auto_scroll_to` scrolls without turning `follow` off."""

    follow: var[bool] = var(True)
    """Keep the newest text in view. Becomes False when the user scrolls up, True again at the bottom."""

    _auto_scrolling = False  # True while we scroll, so the scroll is not taken for the user's

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, made on first use as Textual's `Widget.vertical_scrollbar` makes it, but a
        `PaintedScrollBar` drawing shared strips: it is repainted on every scroll while following (see
        `scrollbar`). Textual documents setting `renderer` per scrollbar instance; a `Visual` in place of a Rich
        renderable is what `ScrollBar.render`'s caller accepts, which the stubs do not say."""
        bar = self._vertical_scrollbar
        if bar is None:
            bar = self._vertical_scrollbar = PaintedScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.renderer = SharedStripScrollBar  # type: ignore[misc, assignment]
            bar.display = False
            self.app._start_widget(self, bar)
        return bar

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._auto_scrolling:
            at_end = round(new_value) >= self.max_scroll_y
            if self.follow != at_end:
                self.follow = at_end

    def watch_follow(self, follow: bool) -> None:
        if follow and self.is_mounted:
            # After this turn, not now: `follow` turns on when a scroll reaches the end, which may be a step of
            # Textual's scroll animation, and stopping the animation from inside its own step breaks the
            # animator (KeyError; the view then stopped rendering).
            self.call_after_refresh(self._keep_following)

    def _keep_following(self) -> None:
        if self.follow and self.scroll_offset.y != self.max_scroll_y:
            self._auto_scroll_to(self.max_scroll_y)

    def _auto_scroll_to(self, y: int) -> None:
        self._auto_scrolling = True
        try:
            self.scroll_to(y=y, animate=False, force=True)
        finally:
            self._auto_scrolling = False

    def _set_virtual_size(self, size: Size) -> None:
        """Grow/shrink the scroll range without re-laying out the screen.

        Assigning `virtual_size` (a reactive declared with layout=True) makes Textual re-lay out the whole
        screen on every update, which was most of the cost of streaming into 8 panes. Content never
        changes this widget's own size, so a layout is needed only when the vertical scrollbar appears or
        disappears. Otherwise `set_reactive` (public API: sets without watchers/layout) stores the new size,
        and the scrollbar, a widget of its own, is told the new range through its public reactive.
        """
        height = size.height
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
