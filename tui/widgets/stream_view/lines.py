"""The display lines: the blocks' rendered lines concatenated (with the blank lines rich would put between
them) plus the tail's, and the `Strip`s Textual paints, made on demand from them.

Lines are kept as plain lists of segments (`Row`), each exactly the view's width; a `Strip` is made only
for a line on screen (see `make_strip`), which keeps the number of long-lived objects, and so the garbage
collector's work, small.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

if TYPE_CHECKING:
    from tui.widgets.markdown_render import Row
    from tui.widgets.stream_view.blocks import BlockModel


class DisplayLines:
    """The display lines and where each block starts among them."""

    def __init__(self) -> None:
        self.rows: list[Row | None] = []  # display lines: lists of segments, the view's width each; None
        # for a line of a block whose lines are not held (see `StreamView`: only what is near the screen is)
        self.block_line: list[int] = []  # first display line of each block (its separator included)
        self.block_sep: list[bool] = []  # whether a separator goes before the next non-empty block, entering block i
        self.tail_line = 0
        self.sep_before_tail = False  # whether a blank line goes before the tail

    def rebuild(self, model: BlockModel, from_block: int, width: int) -> tuple[int, int]:
        """Rebuild the lines from block `from_block` on at `width`. Returns the first line that differs
        from before and how many lines from there on need a repaint (0 if none)."""
        blocks = model.blocks
        lines = self.rows
        old_count = len(lines)
        block_line = self.block_line
        block_sep = self.block_sep
        from_block = min(from_block, len(block_line))
        if from_block < len(block_line):
            start = block_line[from_block]
            need_sep = block_sep[from_block]
        else:
            start = self.tail_line
            need_sep = self.sep_before_tail
        previous = lines[start:]
        del lines[start:]
        del block_line[from_block:]
        del block_sep[from_block:]
        blank = [Segment(" " * width)]
        for index in range(from_block, len(blocks)):
            block = blocks[index]
            block_line.append(len(lines))
            block_sep.append(need_sep)
            if block.lines:
                if need_sep and not block.lead_own:
                    lines.append(blank)
                strips = block.strips
                if strips is None:
                    lines.extend([None] * block.lines)  # not held: rendered again when shown
                elif block.width != width:  # shown at its old width until it is re-rendered
                    lines.extend(Segment.adjust_line_length(row, width) for row in strips)
                else:
                    lines.extend(strips)
                need_sep = block.sep_after
        self.tail_line = len(lines)
        self.sep_before_tail = need_sep
        if model.tail_strips:
            if need_sep and not model.tail_lead_own:
                lines.append(blank)
            if model.tail_width != width:
                lines.extend(Segment.adjust_line_length(row, width) for row in model.tail_strips)
            else:
                lines.extend(model.tail_strips)
        # Repaint only from the first line that differs (usually just the tail's last line).
        first = start
        for old, new in zip(previous, lines[start:], strict=False):
            if old is not new and old != new:
                break
            first += 1
        return first, max(old_count, len(lines)) - first

    def anchor(self, y: int) -> tuple[int, int] | None:
        """(block index or -1 for the tail, line within it) of display line `y`."""
        if not self.rows:
            return None
        if y >= self.tail_line:
            return (-1, y - self.tail_line)
        index = bisect_right(self.block_line, y) - 1
        if index < 0:
            return None
        return (index, y - self.block_line[index])

    def anchor_line(self, anchor: tuple[int, int]) -> int | None:
        """The display line of `anchor` now (None if its block is gone)."""
        index, offset = anchor
        if index < 0:
            return self.tail_line + offset
        if index < len(self.block_line):
            return self.block_line[index] + offset
        return None

    def block_at(self, y: int) -> int:
        """The index of the block that display line `y` belongs to (-1 before the first)."""
        return bisect_right(self.block_line, y) - 1

    def _block_end(self, index: int) -> int:
        """The display line after block `index`'s lines (they end it; a separator may start it)."""
        return self.block_line[index + 1] if index + 1 < len(self.block_line) else self.tail_line

    def hold(self, index: int, strips: list[Row]) -> None:
        """Put block `index`'s lines, rendered again at the same count, back in place."""
        end = self._block_end(index)
        self.rows[end - len(strips) : end] = strips

    def drop(self, index: int, count: int) -> None:
        """Forget block `index`'s `count` lines (it keeps no rendering of them)."""
        end = self._block_end(index)
        self.rows[end - count : end] = [None] * count

    def selection_text(self, row_at: Callable[[int], Row]) -> str:
        """The rendered text, one line per display line (trailing spaces removed); `row_at` gives a line
        whether held or not."""
        return "\n".join("".join(segment.text for segment in row_at(y)).rstrip() for y in range(len(self.rows)))


def make_strip(row: Row, index: int | None, base: Style, width: int, row_width: int) -> Strip:
    """Display line `index` as Textual paints it: `base` style applied, padded from `row_width` to the
    widget `width` (or cropped). With an `index`, each segment carries the offsets text selection reads
    (`Strip.apply_offsets` does the same); painting passes None, as a style with offsets is a new style per
    segment and line. Built on demand, never kept on the row: rows stay plain lists of segments."""
    if index is None:
        segments = [Segment(text, base + style if style is not None else base) for text, style, _ in row]
        if width > row_width:
            segments.append(Segment(" " * (width - row_width), base))
        return Strip(segments, max(width, row_width)).crop(0, width)
    from_meta = Style.from_meta
    segments = []
    append = segments.append
    x = 0
    for text, style, _ in row:
        offset = from_meta({"offset": (x, index)})
        append(Segment(text, base + style + offset if style is not None else base + offset))
        x += len(text)
    if width > row_width:
        append(Segment(" " * (width - row_width), base + from_meta({"offset": (x, index)})))
    return Strip(segments, max(width, row_width)).crop(0, width)


def highlight(row: Row, span: tuple[int, int], style: Style, width: int) -> Row:
    """`row` with the characters in `span` (end -1: to the end) in the selection `style`."""
    text = "".join(segment.text for segment in row)
    start, end = span
    if end == -1:
        end = len(text)
    start_cell, end_cell = cell_len(text[:start]), cell_len(text[:end])
    if end_cell <= start_cell:
        return row
    before, selected, after = Segment.divide(row, [start_cell, end_cell, width])
    return [*before, *Segment.apply_style(selected, post_style=style), *after]
