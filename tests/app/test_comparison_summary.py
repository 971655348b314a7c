"""The end-of-run comparison table renders as rich renders it, once per width however often Textual asks."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.table import Table

from tui.app.playground.comparison import RenderedOnce


def test_it_renders_what_the_renderable_renders_and_renders_it_once_per_width(monkeypatch: pytest.MonkeyPatch) -> None:
    table = Table("endpoint", "TTFT")
    table.add_row("bench-0", "12.5 ms ★")
    renders: list[int] = []
    original = Table.__rich_console__

    def counted(self: Table, console: Console, options: object) -> object:
        renders.append(options.max_width)  # type: ignore[attr-defined]
        return original(self, console, options)  # type: ignore[arg-type]

    monkeypatch.setattr(Table, "__rich_console__", counted)
    console = Console(width=40, force_terminal=True, color_system="truecolor")
    once = RenderedOnce(table)
    for width, height in ((40, None), (40, 5), (30, None), (40, 3), (30, 5)):  # Textual measures, then paints
        options = console.options.update(width=width, height=height)
        expected = list(console.render(table, options))
        renders.pop()  # the reference render above
        assert list(console.render(once, options)) == expected
    assert renders == [40, 30]
    for width in (20, 21, 22, 23, 40):  # a resize drag: the oldest widths are dropped, 40 is rendered again
        list(console.render(once, console.options.update(width=width)))
    assert renders == [40, 30, 20, 21, 22, 23, 40]
    assert console.measure(once).maximum == console.measure(table).maximum
