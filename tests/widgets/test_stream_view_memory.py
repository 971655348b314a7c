"""A long answer keeps rendered lines only near the screen; the others are rendered again, the same, when
scrolled to, selected or re-flowed."""

from __future__ import annotations

import pytest

from tests.helpers.app import focused
from tests.widgets.test_stream_view import (
    DOC,
    ViewApp,
    markdown_sources,
    rendered,
    rich_plain_render,
    settle,
    stream_in_pieces,
    tokens,
)
from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view.blocks import plan_final, source_span
from tui.widgets.stream_view.render import renderer
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
        await focused(pilot, view)
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


async def test_the_final_render_reuses_every_streamed_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finished blocks keep no copy of their text, so the final pass matches them by place: a loose list
    (whose final extent takes in the blank line after it) must still be found, not rendered again."""
    sources = markdown_sources(monkeypatch)
    text = "\n".join(DOC.replace("Release notes", f"Release notes, part {n}") for n in range(3))
    app = ViewApp()
    async with app.run_test(size=(70, 30)):
        view = app.query_one(StreamView)
        stream_in_pieces(view, text)
        streamed = len(sources)
        view.finish()
        view.render_now()
        assert len(sources) - streamed <= 1, sources[streamed:]  # only the last block, which was the tail
        assert rendered(view) == rich_plain_render(text, view.scrollable_content_region.width)


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        ("```python\nx = 1\n\n\ny = 2  \n```\n", None),  # the raw lines give the code back
        ("```\nunclosed\n", "unclosed"),  # kept: no closing fence line to drop
        ("  ```\n  dedented\n    by markdown-it\n  ```\n", "dedented\n  by markdown-it"),  # kept: differs
    ],
)
def test_a_final_block_keeps_its_own_source_only_when_the_raw_lines_do_not_give_it(
    markdown: str, code: str | None
) -> None:
    [spec] = plan_final(markdown, renderer().SPLITTER)
    first, last = source_span(markdown, spec.kind, spec.start, spec.end)
    assert spec.kind == "fence" and spec.source == code
    if code is None:
        assert markdown[first:last] == renderer().SPLITTER.parse(markdown)[0].content.rstrip()
