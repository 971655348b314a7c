"""While an answer streams, a following view scrolls in jumps of a sixth of its height (as vim's scrolljump),
so most new lines repaint only themselves; at rest the last line is at the bottom again."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.app import App, ComposeResult

from tests.helpers.app import wait_until
from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view.scrolling import SCROLL_JUMP, follow_window


class OneView(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamView()


def long_answer(app: OneView) -> StreamView:
    """The app's view showing 80 short paragraphs, rendered."""
    view = app.query_one(StreamView)
    for n in range(80):
        view.append(f"Line {n} of a long answer.\n\n")
    view.render_now()
    return view


def test_the_window_keeps_the_end_in_view_and_jumps_only_when_it_must() -> None:
    height, jump = 30, 30 // SCROLL_JUMP
    assert follow_window(10, height, 0, streaming=True) == (0, height), "a short answer needs no scrolling"
    top, virtual = follow_window(31, height, 0, streaming=True)
    assert (top, virtual) == (1 + jump, 31 + jump), "past the bottom: jump ahead, blank lines below the end"
    for rows in range(31, 31 + jump + 1):
        assert follow_window(rows, height, top, streaming=True) == (top, virtual), "filling the blank lines"
    top, _ = follow_window(32 + jump, height, top, streaming=True)
    assert top == 2 + 2 * jump
    assert follow_window(200, height, 5, streaming=False) == (170, 200), "at rest: the end at the bottom"
    for rows in range(height + 1, 300):  # whatever the length and the view's top: the end in view, few blanks
        for previous in (0, rows // 2, rows - height, rows):
            top, virtual = follow_window(rows, height, previous, streaming=True)
            assert top < rows <= top + height <= rows + jump
            assert virtual == top + height


async def test_a_streaming_view_scrolls_in_jumps_and_ends_at_the_bottom() -> None:
    app = OneView()
    async with app.run_test(size=(60, 26)) as pilot:
        view = app.query_one(StreamView)
        await pilot.pause()
        height = view.scrollable_content_region.height
        tops = []
        for n in range(120):
            view.append(f"Line {n} of a long answer.\n\n")
            view.render_now()
            tops.append(view.scroll_offset.y)
            last = len(view.lines) - 1
            assert tops[-1] <= last < tops[-1] + height, "the newest line is always on screen"
        scrolls = sum(1 for a, b in pairwise(tops) if a != b)
        lines = len(view.lines)
        assert lines > 3 * height
        assert scrolls <= (lines - height) // (height // SCROLL_JUMP) + 1, "one scroll per jump, not per line"
        assert view.virtual_size.height > lines, "blank lines below the end, filled without a scroll"
        view.finish()
        view.render_now()
        await wait_until(pilot, lambda: view.virtual_size.height == len(view.lines))  # at rest no blank lines are kept
        assert view.scroll_offset.y == view.max_scroll_y == len(view.lines) - height


async def test_scrolling_up_while_streaming_stops_following_without_blank_lines() -> None:
    app = OneView()
    async with app.run_test(size=(60, 26)) as pilot:
        view = long_answer(app)
        await pilot.pause()
        view.scroll_to(y=5, animate=False)
        await wait_until(pilot, lambda: not view.follow)
        view.append("More text.\n\n")
        view.render_now()
        await pilot.pause()
        assert view.scroll_offset.y == 5, "reading stays where the reader is"
        assert view.virtual_size.height == len(view.lines)
        view.scroll_end(animate=False)
        await wait_until(pilot, lambda: view.follow)  # back at the end, it follows again


async def test_lines_that_change_off_screen_ask_for_no_repaint(monkeypatch: pytest.MonkeyPatch) -> None:
    app = OneView()
    async with app.run_test(size=(60, 26)) as pilot:
        view = long_answer(app)
        view.scroll_to(y=0, animate=False)
        await pilot.pause()
        repainted: list[tuple[int, int]] = []
        original = StreamView.refresh_lines

        def noting(self: StreamView, y_start: int, line_count: int = 1) -> None:
            repainted.append((y_start, line_count))
            original(self, y_start, line_count)

        monkeypatch.setattr(StreamView, "refresh_lines", noting)
        view.append("More text at the end, far below the screen.")
        view.render_now()
        assert repainted == [], "nothing on screen changed"
        view.scroll_end(animate=False)
        await pilot.pause()
        view.append(" And a little more.")
        view.render_now()
        height = view.scrollable_content_region.height
        assert repainted and all(
            view.scroll_offset.y <= y and y + count <= view.scroll_offset.y + height for y, count in repainted
        ), "only lines on screen"
        assert " ".join(strip.text.strip() for strip in view.lines[-3:]).endswith("And a little more.")
