"""A scrollbar renderer that draws what Textual's `ScrollBarRender` draws, handing out shared strips.

Why
    A following view scrolls on almost every frame it is given, and each scroll repaints its scrollbar.
    Textual's renderer is a Rich renderable: every repaint goes through the console, builds fresh
    segments, a fresh `Strip` per line and its caches, and the screen's styling then misses every
    per-strip cache (~1 ms per 50-line bar here; with 8 streaming panes the bars were a tenth of the main
    thread and a large share of the garbage the collector had to walk). The bar has only a handful of
    distinct lines (track above, thumb, track below, the two partial thumb ends), so this renderer is a
    Textual `Visual` that draws the same segments with `ScrollBarRender.render_bar` and returns one
    shared `Strip` object per distinct line. Identical strip objects make the styling's caches hit.

How it is used
    `ScrollBar.renderer` is Textual's documented extension point, settable per scrollbar; the following
    view makes its vertical bar a `PaintedScrollBar` with this renderer (see `scrolling.FollowingScrollView`).

`PaintedScrollBar`
    Textual's styling still made every line of the bar anew on each repaint (~45 us a line here: a new strip,
    its background and the app's colour filter), and the filter's result was never reused. Styled plainly, as
    the app styles it, the bar paints the shared strips itself with `stream_view.frame.Frame`, so the filter's
    result is cached on the shared strips too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.color import Color
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.visual import Visual

from tui.widgets.stream_view.frame import Frame

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.geometry import Region
    from textual.style import Style
    from textual.visual import RenderOptions

_DEFAULT_BACK = Color.parse("#555555")
_DEFAULT_BAR = Color.parse("bright_magenta")
_CACHE_SIZE = 256
"""Distinct lines kept (a bar has at most five kinds of line per style)."""


class SharedStripScrollBar(Visual):
    """A vertical scrollbar, as `ScrollBarRender` draws it, in strips shared between repaints.

    The constructor takes `ScrollBarRender`'s arguments, as `ScrollBar.render` passes them.
    """

    _lines: ClassVar[dict[tuple[Segment, RichStyle], Strip]] = {}

    def __init__(
        self,
        virtual_size: int = 100,
        window_size: int = 0,
        position: float = 0,
        thickness: int = 1,
        vertical: bool = True,
        style: RichStyle | str = "bright_magenta on #555555",
    ) -> None:
        if not vertical:
            raise ValueError("SharedStripScrollBar draws vertical scrollbars only")
        self.virtual_size = virtual_size
        self.window_size = window_size
        self.position = position
        self.thickness = thickness
        self.style = style if isinstance(style, RichStyle) else RichStyle.parse(style)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions | None = None
    ) -> list[Strip]:
        size = height or 0
        base = style.rich_style
        bar_style = self.style
        segments = ScrollBarRender.render_bar(
            size=size,
            window_size=self.window_size,
            virtual_size=self.virtual_size,
            position=self.position,
            vertical=True,
            thickness=width,
            back_color=bar_style.bgcolor or _DEFAULT_BACK,
            bar_color=bar_style.color or _DEFAULT_BAR,
        ).segments
        lines = self._lines
        strips = []
        for segment in segments[:size]:
            key = (segment, base)
            strip = lines.get(key)
            if strip is None:
                if len(lines) >= _CACHE_SIZE:
                    lines.clear()
                text = segment.text[:width]
                strip = lines[key] = Strip([Segment(text, base + segment.style, None)], len(text))
            strips.append(strip)
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.thickness

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.window_size


class PaintedScrollBar(ScrollBar):
    """Textual's `ScrollBar`, painting a `SharedStripScrollBar`'s strips itself when it is styled plainly (see
    `stream_view.frame`); other renderers and other styling are painted by Textual."""

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.parent is None:
            # Removed with its view, and still painted from the compositor's map until the next layout (a
            # history entry reopened replaces the panes): Textual's `render` asserts a parent. Blank cells, which
            # the layout that follows paints over.
            return [Strip.blank(crop.width)] * crop.height
        visual = self.render()
        frame = Frame.of(self)
        if frame is None or not isinstance(visual, SharedStripScrollBar):
            return super().render_lines(crop)
        width, height = self.size
        strips = visual.render_strips(width, height, self.visual_style)
        return frame.lines(crop, lambda y: strips[y] if y < len(strips) else frame.blank_row())
