"""A bar between two panes that the mouse drags to share the room between them differently."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widget import Widget


class Splitter(Widget):
    """One cell wide between side-by-side panes; the screen makes it one row tall between stacked ones.

    Posts :class:`Splitter.Dragged` with the cells moved since the last report; the screen decides how
    the neighbouring panes change.
    """

    BLANK = True  # nothing but its background: Textual paints it without rendering content
    DEFAULT_CSS = """
    Splitter {
        width: 1;
        height: 1fr;
        background: $surface;
        &:hover, &.-dragging { background: $accent; }
    }
    """

    class Dragged(Message):
        def __init__(self, splitter: Splitter, cells: int) -> None:
            super().__init__()
            self.splitter = splitter
            self.cells = cells

    def __init__(self) -> None:
        super().__init__(classes="splitter")
        self._last: int | None = None

    def _position(self, event: events.MouseEvent) -> int:
        vertical = self.parent is not None and self.parent.has_class("vertical")
        return event.screen_y if vertical else event.screen_x

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._last = self._position(event)
        self.capture_mouse()
        self.add_class("-dragging")
        event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._last is None:
            return
        position = self._position(event)
        if position != self._last:
            self.post_message(self.Dragged(self, position - self._last))
            self._last = position

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._last is not None:
            self._last = None
            self.release_mouse()
            self.remove_class("-dragging")
