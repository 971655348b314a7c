"""A ScrollView that follows its newest lines until the user scrolls up, and whose scroll range grows
without re-laying out the screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.widget import Widget


class FollowingScrollView(ScrollView):
    """Follows the bottom (`follow`); `_auto_scroll_to` scrolls without turning `follow` off."""

    follow: var[bool] = var(True)
    """Keep the newest text in view. Becomes False when the user scrolls up, True again at the bottom."""

    _auto_scrolling = False  # True while we scroll, so the scroll is not taken for the user's

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
