"""A long answer keeps rendered lines only near the screen; the others are rendered again, the same, when
scrolled to, selected or re-flowed."""

from __future__ import annotations

from tests.widgets.test_stream_view import DOC, ViewApp, rendered, rich_plain_render, settle, tokens
from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view.widget import NEAR_SCREENS

LONG = "\n".join(DOC.replace("Release notes", f"Release notes, part {n}") for n in range(80))
"""About 2,000 display lines at 59 columns: many screens of headings, lists, code and quotes."""


def held_bound(view: StreamView) -> int:
    """The screens near the visible one, plus slack for the blocks that straddle the window's edges."""
    return (2 * NEAR_SCREENS + 1) * view.size.height + 60


async def streamed_long_answer(pilot, view: StreamView) -> None:
    for index, piece in enumerate(tokens(LONG)):
        view.append(piece)
        if index % 200 == 0:
            await pilot.pause(0.02)
    view.finish()
    await settle(pilot, view, timeout=20)


async def test_a_long_answer_holds_only_the_lines_near_the_screen() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        await streamed_long_answer(pilot, view)
        total = view.virtual_size.height
        assert total > 10 * held_bound(view), "the answer spans many screens"
        assert view.scroll_offset.y == view.max_scroll_y, "still following the end"
        assert 0 < view.held_lines <= held_bound(view)


async def test_lines_rendered_again_are_the_lines_of_the_whole_answer() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        await streamed_long_answer(pilot, view)
        view.focus()
        await pilot.press("home")
        await settle(pilot, view)
        assert view.render_line(0).text.strip() == "Release notes, part 0"
        assert view.held_lines <= held_bound(view), "the end, now far away, was let go"
        assert rendered(view) == rich_plain_render(LONG, view.scrollable_content_region.width)
        text, _ = view.get_selection(view.text_selection or _everything())
        assert text.splitlines()[-1].strip() == "Final paragraph with a trailing thought."
        await settle(pilot, view)
        assert view.held_lines <= held_bound(view), "selecting everything holds it only for the copy"


async def test_a_resize_reflows_lines_that_were_not_held() -> None:
    app = ViewApp()
    async with app.run_test(size=(90, 20)) as pilot:
        view = app.query_one(StreamView)
        await streamed_long_answer(pilot, view)
        await pilot.resize_terminal(50, 20)
        await settle(pilot, view, timeout=20)
        assert rendered(view) == rich_plain_render(LONG, view.scrollable_content_region.width)
        assert view.virtual_size.height == len(rendered(view))
        await settle(pilot, view)
        assert view.held_lines <= held_bound(view)


def _everything():
    from textual.selection import Selection

    return Selection(None, None)
