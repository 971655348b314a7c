"""Textual's `Strip.divide`, without a strip that caches a list of itself.

Textual 8.2's compositor divides every line it paints at the edges of the widgets on that line. A line that
falls in one piece comes back as ``[self]``, and that list is cached in the strip's own cache: the strip
refers to itself. So every line painted anew ends as cyclic garbage (the strip, its seven small caches and
the list), which only the cycle collector frees. While answers stream, that garbage is most of what the
young generation holds: measured in the paced playground case (8 panes x 100 tok/s, 20 s), 28 young
collections of 19-43 ms and 4 middle ones of 70-106 ms per run.

`install()` replaces `divide` with the same method, except that a line in one piece gets a new ``[self]``
that is not cached (one small list, cheaper than the cache lookup it skips). The same run then had 9-11
young collections and one middle one (about 100 ms of GC pauses in all, against about 850), and
`tests/bench/playground_render.py` measured lag p99 34-43 ms against 56-65 (paced) and 86 ms of CPU per
1,000 tokens against 96 (burst). What the compositor paints is unchanged (the screen snapshots, and a test
comparing the two methods piece by piece).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.segment import Segment
from textual.strip import Strip

from tui.widgets.textual_fixes import put_in_place

CHECKED = "8.2."
"""The Textual versions whose `Strip.divide` this one reproduces (the project pins textual to 8.2.x)."""

TEXTUAL_DIVIDE = Strip.divide


def divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """`Strip.divide` as Textual 8.2 has it, without caching ``[self]`` in ``self``."""
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    cache_key = tuple(cuts)
    if (cached := self._divide_cache.get(cache_key)) is not None:
        return cached
    strips: list[Strip] = []
    position = 0
    for segments, cut in zip(Segment.divide(self._segments, cuts), cuts, strict=False):
        strips.append(Strip(segments, cut - position))
        position = cut
    self._divide_cache[cache_key] = strips
    return strips


def install() -> bool:
    """Put `divide` in place of Textual's (idempotent), on the Textual versions it was checked against.
    Returns whether it is in place."""
    return put_in_place(Strip, {"divide": divide}, CHECKED)
