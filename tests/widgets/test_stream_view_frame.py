"""A plainly styled StreamView paints its lines itself (`stream_view.frame`): the same segments Textual's styling
paints, padding and the app's colour filter included; any other styling is left to Textual."""

from __future__ import annotations

from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tests.widgets.test_stream_view import DOC, settle
from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view.frame import Frame


class PaddedApp(App[None]):
    CSS = """
    #padded { padding: 1 1 1 2; background: $panel; }
    #bordered { border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        yield StreamView(id="padded")
        yield StreamView(id="bordered")


def looks(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    """Text and style of every segment (the offsets text selection reads aside)."""
    return [
        [(s.text, s.style.clear_meta_and_links() if s.style else None) for s in Segment.simplify(strip)]
        for strip in strips
    ]


def textual_painting(view: StreamView, crop: Region) -> list[Strip]:
    """The lines as Textual's styling paints them: the view's own content lines, without the frame (its line
    cache holds framed lines: emptied around this)."""
    view._line_cache.clear()
    view._painting = True  # as while Textual paints (no selection offsets)
    try:
        return Widget.render_lines(view, crop)
    finally:
        view._painting = False
        view._line_cache.clear()


async def test_a_padded_view_paints_what_textual_s_styling_paints() -> None:
    app = PaddedApp()
    async with app.run_test(size=(50, 40)) as pilot:
        view = app.query_one("#padded", StreamView)
        view.set_text(DOC)
        await settle(pilot, view)
        assert isinstance(Frame.of(view), Frame)
        whole = Region(0, 0, *view.region.size)
        for scroll in (0, 5):
            view.scroll_to(y=scroll, animate=False)
            await pilot.pause()
            ours = view.render_lines(whole)
            assert looks(ours) == looks(textual_painting(view, whole))
            assert any(strip.text.strip() for strip in ours)
            part = Region(3, 2, 20, 6)
            assert looks(view.render_lines(part)) == looks(textual_painting(view, part))


async def test_a_border_is_left_to_textual() -> None:
    app = PaddedApp()
    async with app.run_test(size=(50, 40)) as pilot:
        view = app.query_one("#bordered", StreamView)
        view.set_text("# Title\n\nSome text.\n")
        await settle(pilot, view)
        assert Frame.of(view) is None
        lines = view.render_lines(Region(0, 0, *view.region.size))
        assert lines[0].text.startswith("╭")
