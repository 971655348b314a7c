"""A pane's status bar paints its plain lines itself, cell for cell as Textual's styling paints them, and leaves
everything it cannot paint that way (a line that wraps, a tab, a selection, more styling) to Textual."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Offset, Region
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tui.app.playground.status_bar import StatusBar

CSS = ".pane-status { height: 3; padding: 0 1; color: $text-muted; }"  # as a pane styles it, at its tallest

TEXTS = [
    "",
    "· ready",
    "streaming · 12.3 tok/s\nTTFT 120 ms · 400 tok",
    "done · 80.1 tok/s\nTTFT 95 ms\n",  # a blank line kept for a status that was longer (see Pane._show_status)
    "✓ done · 日本語 · 🙂\nwide · ＡＢ",
    "error · 429 · retry in 2 s\n\n",
]


class BarApp(App[None]):
    CSS = CSS

    def compose(self) -> ComposeResult:
        yield StatusBar("", classes="pane-status")


def cells(strips: list[Strip]) -> list[list[tuple[str, str, object]]]:
    """Each row as its characters with their styles and metadata (the text offsets a mouse selection reads),
    however the segments are split."""
    return [
        [(char, str(segment.style), segment.style and segment.style.meta) for segment in strip for char in segment.text]
        for strip in strips
    ]


def crops(bar: StatusBar) -> list[Region]:
    width, height = bar.outer_size
    return [Region(0, 0, width, height), Region(0, 1, width, 2), Region(3, 0, width - 5, height), Region(0, 2, 4, 1)]


def painted_like_textual(bar: StatusBar) -> None:
    for crop in crops(bar):
        ours = bar.render_lines(crop)
        assert cells(ours) == cells(Widget.render_lines(bar, crop)), crop
        assert [strip.cell_length for strip in ours] == [crop.width] * crop.height


@pytest.mark.parametrize("width", [24, 40])
async def test_the_bar_paints_what_textual_s_styling_paints(width: int, painting_theme: str) -> None:
    app = BarApp()
    async with app.run_test(size=(width, 6)) as pilot:
        app.theme = painting_theme
        bar = app.query_one(StatusBar)
        for text in TEXTS:
            bar.update(text, layout=False)
            await pilot.pause()
            painted_like_textual(bar)


async def test_a_plain_status_is_painted_without_textual_s_styling() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 6)) as pilot:
        bar = app.query_one(StatusBar)
        bar.update("streaming · 12.3 tok/s\nTTFT 120 ms", layout=False)
        await pilot.pause()

        def refuse(*_: object) -> list[Strip]:
            raise AssertionError("Textual's styling painted a plain status")

        bar._styles_cache.render_widget = refuse  # type: ignore[method-assign]
        lines = bar.render_lines(Region(0, 0, *bar.outer_size))
        assert [strip.text.rstrip() for strip in lines] == [" streaming · 12.3 tok/s", " TTFT 120 ms", ""]


@pytest.mark.parametrize(
    "case",
    ["a line that wraps", "a tab", "a selection", "a tint", "centred text", "a rich renderable"],
)
async def test_what_the_bar_cannot_paint_plainly_textual_paints(case: str) -> None:
    app = BarApp()
    async with app.run_test(size=(30, 6)) as pilot:
        bar = app.query_one(StatusBar)
        text = "streaming · 12.3 tok/s\nTTFT 120 ms"
        if case == "a line that wraps":
            text = "streaming · 12.3 tok/s · TTFT 120 ms · 400 tok"
        elif case == "a tab":
            text = "streaming\t12.3 tok/s"
        elif case == "a tint":
            bar.styles.tint = "red 30%"
        elif case == "centred text":
            bar.styles.text_align = "center"
        bar.update(text, layout=False)
        if case == "a rich renderable":
            bar.update(Text("styled", style="bold red"), layout=False)
        if case == "a selection":
            app.screen.selections = {bar: Selection(Offset(0, 0), Offset(5, 0))}
        await pilot.pause()
        for crop in crops(bar):
            assert cells(bar.render_lines(crop)) == cells(Widget.render_lines(bar, crop)), crop


async def test_a_removed_bar_still_in_the_compositor_s_map_is_painted_as_textual_paints_it() -> None:
    """A partial update can paint a widget removed since the last layout (a history entry reopened replaces the
    panes): it has no screen any more, and the bar must not ask it for a text selection."""
    app = BarApp()
    async with app.run_test(size=(30, 6)) as pilot:
        bar = app.query_one(StatusBar)
        bar.update("streaming · 12.3 tok/s", layout=False)
        await pilot.pause()
        crop = Region(0, 0, *bar.outer_size)
        await bar.remove()
        assert cells(bar.render_lines(crop)) == cells(Widget.render_lines(bar, crop))
