"""`tui.widgets.strip_cycles`: Textual's `Strip.divide` without a strip that caches a list of itself."""

from __future__ import annotations

import gc
import random

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui.widgets import strip_cycles

STYLES = [Style(), Style(bold=True), Style(color="red"), Style(bgcolor="blue", italic=True)]


def random_strip(rng: random.Random) -> Strip:
    segments = [
        Segment(rng.choice(["", "a", "ab", "héllo", "日本", "x" * rng.randint(1, 12)]), rng.choice(STYLES))
        for _ in range(rng.randint(0, 6))
    ]
    return Strip(segments)


def pieces(strips: object) -> list[tuple[int, list[tuple[str, Style | None]]]]:
    return [(strip.cell_length, [(s.text, s.style) for s in strip]) for strip in strips]  # type: ignore[attr-defined]


def test_it_divides_exactly_as_textual_does() -> None:
    rng = random.Random(7)
    for _ in range(2_000):
        strip = random_strip(rng)
        length = strip.cell_length
        cuts = sorted({rng.randint(0, length + 3) for _ in range(rng.randint(0, 4))} | {length})
        for attempt in (cuts, [length], cuts[:1]):
            ours = strip_cycles.divide(Strip(list(strip)), attempt)
            theirs = strip_cycles.TEXTUAL_DIVIDE(Strip(list(strip)), attempt)
            assert pieces(ours) == pieces(theirs), (list(strip), attempt)
            again = Strip(list(strip))
            assert pieces(strip_cycles.divide(again, attempt)) == pieces(strip_cycles.divide(again, attempt))


def unreachable_after_dividing_in_one_piece(divide: object, count: int = 200) -> int:
    """How many objects the cycle collector finds after ``count`` strips were each divided in one piece and
    dropped (0 when reference counting freed them all)."""
    gc.collect()
    gc.disable()
    try:
        for index in range(count):
            strip = Strip([Segment(f"line {index}", Style(bold=True))])
            divide(strip, [strip.cell_length])  # type: ignore[operator]
            del strip
        return gc.collect()
    finally:
        gc.enable()


def test_a_line_painted_in_one_piece_is_freed_without_the_cycle_collector() -> None:
    assert unreachable_after_dividing_in_one_piece(strip_cycles.TEXTUAL_DIVIDE) >= 200, "Textual's makes cycles"
    assert unreachable_after_dividing_in_one_piece(strip_cycles.divide) < 20  # not one per strip
