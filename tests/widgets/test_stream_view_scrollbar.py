"""The stream view's scrollbar draws exactly what Textual's own renderer draws, from strips shared between
repaints (so a following view's per-frame scrollbar repaint allocates nothing new), and paints them itself as
Textual's styling paints them."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view.scrollbar import PaintedScrollBar, SharedStripScrollBar

ANSWER = "\n\n".join(f"Paragraph {n} of a long answer." for n in range(300))


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamView(ANSWER)


def drawn(bar: ScrollBar, renderer: type) -> list[Strip]:
    bar.renderer = renderer
    bar.refresh()
    return [bar.render_line(y) for y in range(bar.size.height)]


async def shown(app: BarApp, pilot: Pilot[None], text: str | None = None) -> tuple[StreamView, ScrollBar]:
    """The app's view, rendered and on screen (showing ``text`` when given), and its vertical scrollbar."""
    view = app.query_one(StreamView)
    if text is not None:
        view.set_text(text)
    view.render_now()
    await pilot.pause()
    return view, view.vertical_scrollbar


def segments(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


@pytest.mark.parametrize("state", ["plain", "hover", "grabbed"])
async def test_the_bar_looks_as_textuals_own_at_every_position(state: str) -> None:
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        view, bar = await shown(app, pilot)
        assert bar.renderer is SharedStripScrollBar, "the view installs the shared-strip renderer"
        if state == "hover":
            bar.mouse_over = True
        elif state == "grabbed":
            bar.grabbed = bar.region.offset
        positions = sorted({0, 1, 7, 100, view.max_scroll_y // 2, view.max_scroll_y - 1, view.max_scroll_y})
        for y in positions:
            view.scroll_to(y=y, animate=False, force=True, immediate=True)
            ours = drawn(bar, SharedStripScrollBar)
            assert segments(ours) == segments(drawn(bar, ScrollBarRender)), f"scrolled to {y}"
            assert len(ours) == bar.size.height
        # a thumb and a track above and below it: more than one kind of line, each drawn once
        assert len({id(strip) for strip in ours}) <= 5 < len(ours)


async def test_a_short_answer_draws_a_bare_track_like_textual() -> None:
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        _, bar = await shown(app, pilot, "One line.")
        assert segments(drawn(bar, SharedStripScrollBar)) == segments(drawn(bar, ScrollBarRender))


async def test_repaints_reuse_the_same_strips() -> None:
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        view, bar = await shown(app, pilot)
        view.scroll_to(y=40, animate=False, force=True, immediate=True)
        first = drawn(bar, SharedStripScrollBar)
        view.scroll_to(y=41, animate=False, force=True, immediate=True)
        second = drawn(bar, SharedStripScrollBar)
        assert all(a is b for a, b in zip(first, second, strict=True) if a.text == b.text)
        assert sum(a is b for a, b in zip(first, second, strict=True)) >= bar.size.height - 3


@pytest.mark.parametrize("state", ["plain", "hover", "grabbed"])
async def test_the_bar_paints_what_textual_s_styling_paints(state: str, painting_theme: str) -> None:
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        app.theme = painting_theme
        view, bar = await shown(app, pilot)
        assert isinstance(bar, PaintedScrollBar)
        if state == "hover":
            bar.mouse_over = True
        elif state == "grabbed":
            bar.grabbed = bar.region.offset
        width, height = bar.size
        crops = [Region(0, 0, width, height), Region(0, 3, width, 7), Region(0, height - 1, width, 1)]
        for y in (0, 13, view.max_scroll_y // 2, view.max_scroll_y):
            view.scroll_to(y=y, animate=False, force=True, immediate=True)
            for crop in crops:
                ours = bar.render_lines(crop)
                assert segments(ours) == segments(Widget.render_lines(bar, crop)), (y, crop)
                assert [strip.cell_length for strip in ours] == [width] * crop.height


async def test_a_bar_styled_with_more_than_padding_is_painted_by_textual() -> None:
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        _, bar = await shown(app, pilot)
        bar.styles.tint = "red 30%"
        whole = Region(0, 0, *bar.size)
        assert segments(bar.render_lines(whole)) == segments(Widget.render_lines(bar, whole))


def test_a_horizontal_bar_is_refused() -> None:
    with pytest.raises(ValueError, match="vertical"):
        SharedStripScrollBar(vertical=False)


async def test_a_view_and_its_bar_removed_still_paint_until_the_next_layout() -> None:
    """A partial update can paint widgets removed since the last layout (reopening a history entry replaces the
    panes): they have no screen then (the view must not ask for its text selection), and the bar no parent
    (Textual's `render` would fail on it): the bar paints blank, the view its lines."""
    app = BarApp()
    async with app.run_test(size=(50, 23)) as pilot:
        view, bar = await shown(app, pilot)
        bar_crop, view_crop = Region(0, 0, *bar.size), Region(0, 0, *view.outer_size)
        shown_lines = [strip.text for strip in view.render_lines(view_crop)]
        view.refresh()  # its lines made again, not taken from its cache
        view._line_cache.clear()
        await view.remove()
        assert bar.parent is None
        lines = bar.render_lines(bar_crop)
        assert [(strip.text, strip.cell_length) for strip in lines] == [(" ", 1)] * bar_crop.height
        assert [strip.text for strip in view.render_lines(view_crop)] == shown_lines
