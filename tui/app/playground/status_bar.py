"""A pane's status bar: its live figures under the answer, a few lines of plain text in one style.

Why it paints itself
    While answers arrive every pane's status changes a few times a second, and Textual painted each change
    through the full content pipeline: the text made into `Content`, wrapped, split into strips, then styled line
    by line (~0.65 ms a bar here, 8 bars several times a second: ~2 % of the app's CPU in the burst benchmark,
    and up to 5 ms of a frame). The status is plain text already broken into lines that fit (`fit_parts`), in
    one colour, with only padding around it, so the bar makes each line as one segment and lets
    `stream_view.frame.Frame` add the padding and the app's filters, as the answer view does. Anything else (a
    line that would wrap, a tab or another character that is not printable, a text selection, alignment, more
    styling than padding) is painted by Textual; `tests/app/test_status_bar.py` compares the two.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import VisualType
from textual.widgets import Static

from tui.app.playground.pane_text import TYPICAL_STATUS, fit_parts
from tui.widgets.stream_view.frame import Frame

STATUS_MAX_LINES = 3
"""The status wraps to at most this many lines (its max-height in the pane's CSS)."""


def line_count(text: str) -> int:
    """The lines the status bar shows for ``text`` (at most :data:`STATUS_MAX_LINES`)."""
    return min(text.count("\n") + 1, STATUS_MAX_LINES)


def typical_lines(width: int) -> int:
    """The lines a typical live status takes at ``width``: the least the status bar ever takes."""
    return line_count(fit_parts(TYPICAL_STATUS, width))


class StatusBar(Static):
    """A pane's status: always at least as tall as a typical live status at its width, so that starting a run
    does not change its height (see `Pane._show_status`). The floor is part of Textual's own layout of the bar,
    so its first layout at a width already has it."""

    def __init__(self, text: str = "", *, classes: str | None = None) -> None:
        super().__init__(text, markup=False, classes=classes)
        self._text: str | None = text

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._text = content if isinstance(content, str) else None
        super().update(content, layout=layout)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(super().get_content_height(container, viewport, width), typical_lines(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = self._plain_lines()
        frame = Frame.of(self) if lines is not None else None
        if lines is None or frame is None:
            return super().render_lines(crop)
        width = self.content_region.width
        style = self.visual_style
        rows = [  # each with its place in the text, for a mouse selection (as Textual's content has it)
            frame.pad(Strip([Segment(line, style.rich_style_with_offset(0, y))], cell_len(line)), width)
            for y, line in enumerate(lines)
        ]
        blank = frame.pad(Strip.blank(width, style.rich_style), width)  # as Textual fills the rows below the text
        return frame.lines(crop, lambda y: rows[y] if y < len(rows) else blank)

    def _plain_lines(self) -> list[str] | None:
        """The text's lines when the bar can paint them itself: each fits, plainly styled and placed."""
        text = self._text
        styles = self.styles
        try:
            selected = self.text_selection is not None
        except NoScreen:  # removed, and painted from the compositor's map until the next layout: as Textual does
            return None
        if (
            text is None
            or selected
            or styles.text_align not in ("start", "left")
            or tuple(styles.content_align) != ("left", "top")
        ):
            return None
        lines = text.split("\n")
        width = self.content_region.width
        if any(not line.isprintable() or cell_len(line) > width for line in lines):
            return None  # a tab or a control character (Textual's to show), or a line Textual wraps
        return lines
