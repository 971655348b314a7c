"""A StreamView's lines painted as Textual's styling paints them, without that styling for every line.

Why
    Textual paints a widget's lines through its styles cache, which makes every line anew when the widget is
    refreshed as a whole, as a scroll does: padding, a new strip, the app's colour filters applied to that new
    strip (~20 us a line here, more than making the line). A following view scrolls several times a second while
    an answer arrives. A StreamView styled plainly (no border, outline, tint, opacity, text opacity or hatch; the
    app gives it only padding) needs just its padding and the app's filters: `Frame` adds them to lines the view
    keeps by their place in the answer, so a scroll paints the lines still on screen from its cache, and the
    filters' results are cached on those same strips.

    `Frame.of` returns None for any other styling, and the view then lets Textual paint. The screen snapshots
    (tests/app/test_snapshots.py) were made by Textual's painting and are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget


@dataclass(eq=False)
class Frame:
    """What Textual's styling adds to a plainly styled widget's lines: padding in the widget's background, then
    the app's line filters."""

    size: Size
    padding: Spacing
    inner: RichStyle
    filters: Sequence[LineFilter]
    background: Color
    _blank: Strip | None = field(default=None, init=False)
    _padded_blank: tuple[Strip, Strip] | None = field(default=None, init=False)

    @classmethod
    def of(cls, widget: Widget) -> Frame | None:
        """The frame of `widget`, or None if its styling draws more than padding (Textual paints it then)."""
        styles = widget.styles
        if (
            any(edge for edge, _ in styles.border)
            or any(edge for edge, _ in styles.outline)
            or styles.tint.a
            or widget.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or (widget.auto_links and widget.hover_style.link_id)
        ):
            return None
        base_background, background = widget.background_colors
        inner = Style(background=base_background + background).rich_style  # as Textual's styles cache has it
        return cls(widget.region.size, styles.padding, inner, tuple(widget.get_line_filters()), background)

    def pad(self, line: Strip, content_width: int) -> Strip:
        """A content line with the padding on its left and right."""
        line = line.adjust_cell_length(content_width, self.inner)
        _, right, _, left = self.padding
        if not (left or right):
            return line
        segments = [Segment(" " * left, self.inner)] if left else []
        segments.extend(line)
        if right:
            segments.append(Segment(" " * right, self.inner))
        return Strip(segments, self.size.width)

    def pad_blank(self, line: Strip, content_width: int) -> Strip:
        """`pad` for the view's one shared blank line, padded once."""
        padded = self._padded_blank
        if padded is None or padded[0] is not line:
            padded = self._padded_blank = (line, self.pad(line, content_width))
        return padded[1]

    def lines(self, crop: Region, content_line: Callable[[int], Strip]) -> list[Strip]:
        """The painted lines in `crop` (widget coordinates); `content_line(y)` gives content row y, padded."""
        top, _, bottom, _ = self.padding
        height = self.size.height
        strips = [
            self.blank_row() if y < top or y >= height - bottom else content_line(y - top) for y in crop.line_range
        ]
        for line_filter in self.filters:
            strips = [strip.apply_filter(line_filter, self.background) for strip in strips]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def blank_row(self) -> Strip:
        """A row of the widget's full width in its background (made once)."""
        blank = self._blank
        if blank is None:
            blank = self._blank = Strip.blank(self.size.width, self.inner)
        return blank
