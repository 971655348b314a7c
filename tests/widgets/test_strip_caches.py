"""`tui.widgets.strip_caches`: Textual's `Strip` constructor with bounded dicts for caches. A strip made by it
must set what Textual's sets, keep caches of the same sizes that forget in the same order, and answer every
operation the compositor uses exactly as a strip made by Textual's."""

from __future__ import annotations

import random

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import Monochrome
from textual.strip import Strip

from tui.widgets import strip_caches

STYLES = [Style(), Style(bold=True), Style(color="red"), Style(bgcolor="blue", italic=True), None]
CONSOLE = Console(color_system="truecolor", force_terminal=True, width=80)
CACHES = [name for name in Strip.__slots__ if name.endswith("_cache") and name != "_render_cache"]


def made_by(init: object, segments: list[Segment], cell_length: int | None = None) -> Strip:
    strip = Strip.__new__(Strip)
    init(strip, segments, cell_length)  # type: ignore[operator]
    return strip


def random_segments(rng: random.Random) -> list[Segment]:
    return [
        Segment(rng.choice(["", "a", "ab", "héllo", "日本", "x" * rng.randint(1, 12)]), rng.choice(STYLES))
        for _ in range(rng.randint(0, 6))
    ]


def shape(strip: Strip) -> tuple[int, list[tuple[str, Style | None]]]:
    return strip.cell_length, [(segment.text, segment.style) for segment in strip]


def test_a_strip_has_every_attribute_and_caches_of_textuals_sizes() -> None:
    theirs = made_by(strip_caches.TEXTUAL_INIT, [Segment("abc")], 3)
    ours = made_by(strip_caches.strip_init, [Segment("abc")], 3)
    for name in Strip.__slots__:
        assert hasattr(ours, name), name
        if name not in CACHES:
            assert getattr(ours, name) == getattr(theirs, name), name
    assert len(CACHES) == 7
    for name in CACHES:
        assert getattr(ours, name).maxsize == getattr(theirs, name)._maxsize, name
        assert not getattr(ours, name)


def test_bounded_dicts_forget_in_fifo_caches_order() -> None:
    rng = random.Random(3)
    for size, bounded in ((4, strip_caches.BoundedDict()), (16, strip_caches.BoundedDict16())):
        fifo: FIFOCache[int, int] = FIFOCache(size)
        for step in range(3_000):
            key = rng.randint(0, 40)
            if rng.random() < 0.5:
                fifo[key] = step
                bounded[key] = step
            assert bounded.get(key) == fifo.get(key)
            assert len(bounded) == len(fifo) <= size
        assert list(bounded) == list(fifo.keys())


def test_strips_answer_every_operation_as_textuals_do() -> None:
    rng = random.Random(11)
    for _ in range(1_500):
        segments = random_segments(rng)
        theirs = made_by(strip_caches.TEXTUAL_INIT, segments)
        ours = made_by(strip_caches.strip_init, segments)
        length = theirs.cell_length
        for _ in range(3):  # repeated: the second answer comes from the caches
            start, end = sorted((rng.randint(0, length + 2), rng.randint(0, length + 2)))
            style = rng.choice(STYLES)
            width = rng.randint(0, length + 4)
            cuts = sorted({rng.randint(0, length) for _ in range(rng.randint(0, 3))} | {length})
            for operation in (
                lambda strip, start=start, end=end: [strip.crop(start, end)],
                lambda strip, start=start, end=end, style=style: [strip.crop_extend(start, end, style)],
                lambda strip, style=style: [strip.apply_style(style or Style())],
                lambda strip, width=width, style=style: [strip.adjust_cell_length(width, style)],
                lambda strip, cuts=cuts: strip.divide(cuts),
                lambda strip, start=start, end=end: [strip.apply_offsets(start, end)],
                lambda strip, length=length: [
                    strip.simplify(),
                    strip.discard_meta(),
                    strip.extend_cell_length(length + 2),
                ],
            ):
                assert list(map(shape, operation(ours))) == list(map(shape, operation(theirs))), segments
            if all(segment.style is not None for segment in segments):  # a filter takes styled segments only
                filtered = [strip.apply_filter(Monochrome(), Color(0, 0, 0)) for strip in (ours, theirs)]
                assert shape(filtered[0]) == shape(filtered[1]), segments
        assert ours.render(CONSOLE) == theirs.render(CONSOLE)
