"""StreamView: streamed text is kept exactly, renders as markdown, re-flows, follows the bottom, copies."""

from __future__ import annotations

import random
from time import perf_counter

import pytest
from rich.console import Console
from rich.markdown import Markdown
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.selection import Selection
from textual.widget import Widget

from tests.helpers.app import wait_until
from tui import gc_policy
from tui.widgets.markdown_render import RenderContext
from tui.widgets.render_ticker import RenderTicker
from tui.widgets.stream_view import StreamView
from tui.widgets.stream_view import widget as widget_module

DOC = """# Release notes

Switchboard **routes** each request to a provider and measures `latency` while the gateway keeps a
budget of tokens per minute.

## What changed

- retries wait for the slowest limit
- streams can be cancelled
- the café in Zürich is naïve

1. open the playground
2. pick two endpoints

```python
def route(request, budget=3):
    for item in request.items:
        total += item.cost
    return total
```

> quoted text stays quoted

Final paragraph with a trailing thought.
"""


class ViewApp(App[None]):
    def __init__(self, panes: int = 1) -> None:
        super().__init__()
        self.panes = panes

    def compose(self) -> ComposeResult:
        with Horizontal():
            for index in range(self.panes):
                yield StreamView(id=f"view{index}")


def rendered(view: StreamView) -> list[str]:
    return [strip.text.rstrip() for strip in view.lines]


def words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


def tokens(text: str, seed: int = 7) -> list[str]:
    """Cut `text` into pieces of 1-8 characters (deterministic)."""
    rng = random.Random(seed)
    pieces, at = [], 0
    while at < len(text):
        step = rng.randint(1, 8)
        pieces.append(text[at : at + step])
        at += step
    return pieces


async def settle(pilot, *views: StreamView, timeout: float = 5.0) -> None:
    deadline = perf_counter() + timeout
    while not all(view.settled for view in views):
        assert perf_counter() < deadline, "the views did not finish rendering"
        await pilot.pause(0.02)
    await pilot.pause()


def rich_plain_render(text: str, width: int) -> list[str]:
    console = Console(width=width, color_system=None, force_terminal=False)
    lines = console.render_lines(Markdown(text, hyperlinks=False), console.options.update_width(width), pad=True)
    return ["".join(segment.text for segment in line).rstrip() for line in lines]


async def test_streamed_text_is_kept_exactly_and_renders_like_the_whole_text() -> None:
    app = ViewApp(panes=2)
    async with app.run_test(size=(120, 60)) as pilot:
        streamed, whole = app.query(StreamView)
        received = ""
        for index, piece in enumerate(tokens(DOC)):
            streamed.append(piece)
            received += piece
            assert streamed.text == received
            if index % 25 == 0:
                await pilot.pause(0.04)  # let the ticker render part-way
        assert not streamed.finished
        streamed.finish()
        whole.set_text(DOC)
        await settle(pilot, streamed, whole)
        assert streamed.text == DOC == whole.text
        assert streamed.finished and whole.finished
        assert rendered(streamed) == rendered(whole)
        assert rendered(streamed) == rich_plain_render(DOC, streamed.scrollable_content_region.width)


async def test_headings_lists_and_code_render_without_markdown_markers() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 60)) as pilot:
        view = app.query_one(StreamView)
        view.set_text(DOC)
        await settle(pilot, view)
        lines = rendered(view)
        text = "\n".join(lines)
        for expected in ("Release notes", "What changed", "routes", "latency", "Zürich", "quoted text stays quoted"):
            assert expected in text
        assert any(line.startswith(" • retries wait") for line in lines)
        assert any(line.startswith(" 1 open the playground") for line in lines)
        assert any(line.strip() == "def route(request, budget=3):" for line in lines)
        assert any(line.strip() == "return total" for line in lines)
        assert "```" not in text and "**" not in text and "`latency`" not in text
        assert not any(line.lstrip().startswith("#") for line in lines)
        assert not any(line.lstrip().startswith(("- ", "> ")) for line in lines)
        # Code is highlighted on the fence background taken from the theme (component class).
        fence_bg = view.get_component_rich_style("stream-view--fence").bgcolor
        code_line = next(strip for strip in view.lines if strip.text.strip().startswith("def route"))
        assert all(segment.style is not None and segment.style.bgcolor == fence_bg for segment in code_line)
        assert len({segment.style.color for segment in code_line}) > 1  # more than one colour: highlighted


async def test_an_open_fence_stays_the_tail_and_only_new_code_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    code_lines = [f"value_{n} = compute({n}, 'x')  # step {n}" for n in range(40)]
    code = "\n".join(code_lines)
    pieces = tokens(code + "\n", seed=3)
    assert len(pieces) >= 200
    rendered_sizes: list[int] = []
    original = RenderContext.code_lines

    def spy(self: RenderContext, source: str, lexer: str):  # type: ignore[no-untyped-def]
        rendered_sizes.append(source.count("\n") + 1)
        return original(self, source, lexer)

    monkeypatch.setattr(RenderContext, "code_lines", spy)
    app = ViewApp()
    async with app.run_test(size=(100, 80)) as pilot:
        view = app.query_one(StreamView)
        view.append("Intro paragraph.\n\n```python\n")
        for index, piece in enumerate(pieces[:200]):
            view.append(piece)
            if index % 10 == 9:
                view.render_now()
                text = "\n".join(rendered(view))
                assert "```" not in text and "Intro paragraph." in text
        view.render_now()
        lines = rendered(view)
        done = "".join(pieces[:200]).count("\n")
        assert [line.strip() for line in lines if line.strip().startswith("value_")][:done] == code_lines[:done]
        # Each render covered only the code that arrived since the previous one, never the whole fence.
        assert rendered_sizes and max(rendered_sizes) <= 8
        for piece in pieces[200:]:
            view.append(piece)
        view.append("```\n\nAfter the code.\n")
        view.render_now()
        lines = rendered(view)
        assert lines[-1] == "After the code."
        assert [line.strip() for line in lines if line.strip().startswith("value_")] == code_lines
        assert not any("```" in line for line in lines)
        assert view.code_blocks() == [code]
        # Once closed, the fence is re-highlighted as a whole (exactly), and finish() matches a fresh render.
        view.finish()
        await settle(pilot, view)
        assert rendered(view) == rich_plain_render(view.text, view.scrollable_content_region.width)


def stream_in_pieces(view: StreamView, text: str) -> None:
    """Append `text` as a stream does, rendering every 5 pieces and at the end."""
    for index, piece in enumerate(tokens(text)):
        view.append(piece)
        if index % 5 == 4:
            view.render_now()
    view.render_now()


def markdown_sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources every view renders with markdown from now on, in order (a spy on RenderContext)."""
    sources: list[str] = []
    original = RenderContext.markdown

    def spy(self: RenderContext, source: str):  # type: ignore[no-untyped-def]
        sources.append(source)
        return original(self, source)

    monkeypatch.setattr(RenderContext, "markdown", spy)
    return sources


async def test_finished_blocks_are_rendered_once_and_only_the_tail_again(monkeypatch: pytest.MonkeyPatch) -> None:
    paragraphs = [f"Paragraph {n}: " + " ".join(f"w{n}_{k}" for k in range(30)) for n in range(30)]
    text = "\n\n".join(paragraphs) + "\n"
    sources = markdown_sources(monkeypatch)
    app = ViewApp()
    async with app.run_test(size=(80, 30)):
        view = app.query_one(StreamView)
        stream_in_pieces(view, text)
        longest = max(len(paragraph) for paragraph in paragraphs)
        assert max(len(source) for source in sources) <= longest + 10  # never more than one block at once
        finished = [source for source in sources if source in paragraphs]
        assert sorted(set(finished)) == sorted(paragraphs[:-1]) and len(finished) == len(set(finished))
        assert words(rendered(view)) == text.split()


async def test_resize_reflows_every_block_without_losing_text() -> None:
    paragraph = " ".join(f"word{n}" for n in range(120))
    text = f"## Heading\n\n{paragraph}\n\n- {paragraph[:200]}\n\n```\n{paragraph[:150]}\n```\n"
    app = ViewApp()
    async with app.run_test(size=(90, 40)) as pilot:
        view = app.query_one(StreamView)
        view.set_text(text)
        await settle(pilot, view)
        wide = rendered(view)
        assert max(len(line) for line in wide) > 60
        await pilot.resize_terminal(40, 40)
        await settle(pilot, view)
        narrow = rendered(view)
        assert view.scrollable_content_region.width == 39
        assert len(narrow) > len(wide) + 10
        assert max(len(line) for line in narrow) <= 39
        assert words(narrow) == words(wide)
        assert view.virtual_size.height == len(narrow)
        await pilot.resize_terminal(90, 40)
        await settle(pilot, view)
        assert rendered(view) == wide


async def test_the_view_follows_new_text_until_the_user_scrolls_up() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        view.focus()
        for n in range(40):
            view.append(f"Paragraph number {n} of the answer.\n\n")
        await settle(pilot, view)
        assert view.follow and view.max_scroll_y > 0
        assert view.scroll_offset.y == view.max_scroll_y
        assert rendered(view)[-1] == "Paragraph number 39 of the answer."

        await pilot.press("home")  # the user scrolls up
        assert view.scroll_offset.y == 0 and not view.follow
        before = view.max_scroll_y
        for n in range(40, 50):
            view.append(f"Paragraph number {n} of the answer.\n\n")
        await settle(pilot, view)
        assert view.max_scroll_y > before
        assert view.scroll_offset.y == 0 and not view.follow  # not dragged down

        await pilot.press("end")  # back at the bottom: following again
        assert view.follow and view.scroll_offset.y == view.max_scroll_y
        for n in range(50, 60):
            view.append(f"Paragraph number {n} of the answer.\n\n")
        await settle(pilot, view)
        assert view.scroll_offset.y == view.max_scroll_y
        assert rendered(view)[-1] == "Paragraph number 59 of the answer."


async def test_code_blocks_returns_each_fence_body() -> None:
    app = ViewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(StreamView)
        for piece in tokens(
            "Text\n\n```python\nprint('a')\n\nprint('b')\n```\n\n- item\n\n  ```sh\n  ls -l\n  ```\n\n~~~\nraw ``` text\n~~~\n"
        ):
            view.append(piece)
        assert view.code_blocks() == ["print('a')\n\nprint('b')", "ls -l", "raw ``` text"]
        view.append("\n```js\nlet open = 1;\n")  # still streaming: the open fence counts too
        assert view.code_blocks()[-1] == "let open = 1;"
        view.finish()
        await settle(pilot, view)
        assert "let open = 1;" in "\n".join(rendered(view))


async def test_clear_and_set_text() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        view.append("# Partial answer\n\nsome text")
        await settle(pilot, view)
        assert "Partial answer" in "\n".join(rendered(view))
        view.clear()
        assert view.text == "" and view.lines == [] and view.virtual_size.height == 0
        await settle(pilot, view)
        assert view.lines == []

        view.set_text("Reopened **answer** from history.\n")
        await settle(pilot, view)
        assert view.finished and view.text == "Reopened **answer** from history.\n"
        assert rendered(view) == ["Reopened answer from history."]

        view.append("And a continuation.\n")  # more text after finish() reopens the stream
        assert not view.finished
        view.finish()
        await settle(pilot, view)
        assert view.text == "Reopened **answer** from history.\nAnd a continuation.\n"
        assert rendered(view) == ["Reopened answer from history. And a continuation."]


async def test_loose_lists_and_later_reference_links_are_right_after_finish() -> None:
    text = (
        "1. first step\n\n2. second step\n\n3. third step\n\n"
        "Read [the guide][guide] before you start.\n\n"
        "[guide]: https://example.com/guide\n"
    )
    app = ViewApp()
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(StreamView)
        for piece in tokens(text):
            view.append(piece)
        await settle(pilot, view)
        streaming = rendered(view)
        assert any("[the guide][guide]" in line for line in streaming)  # the definition came later
        view.finish()
        await settle(pilot, view)
        lines = rendered(view)
        assert lines == rich_plain_render(text, view.scrollable_content_region.width)
        start = lines.index(" 1 first step")
        assert lines[start : start + 3] == [" 1 first step", " 2 second step", " 3 third step"]  # one list
        assert "Read the guide (https://example.com/guide) before you start." in lines
        assert not any("[guide]" in line for line in lines)


async def test_append_only_buffers() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        await pilot.pause()
        for piece in tokens("Hello **world**, this is buffered.\n\nSecond block."):
            view.append(piece)
        assert view.lines == [] and not view.settled  # nothing rendered inside append()
        await settle(pilot, view)
        assert rendered(view) == ["Hello world, this is buffered.", "", "Second block."]


async def test_growing_the_scroll_range_does_not_relayout_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    layouts = 0
    original = Screen._refresh_layout

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal layouts
        layouts += 1
        return original(self, *args, **kwargs)

    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        heights = set()
        for n in range(30):
            view.append(f"line {n} of a growing answer\n\n")
            view.render_now()
            heights.add(view.virtual_size.height)
            await pilot.pause()
        assert len(heights) >= 5 and view.max_scroll_y > 30  # grows in jumps while streaming (follow_window)
        assert view.scroll_offset.y == view.max_scroll_y
        assert view.vertical_scrollbar.window_virtual_size == view.virtual_size.height
        assert layouts <= 2  # one update per render would mean a full-screen layout per token


async def test_text_selection_returns_the_rendered_text() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        view.set_text("# Title\n\nFirst **bold** line.\n\nSecond line.\n")
        await settle(pilot, view)
        text, ending = view.get_selection(Selection(None, None))
        assert [line.strip() for line in text.splitlines()] == [line.strip() for line in rendered(view)]
        assert ending == "\n"
        view.text_select_all()
        await wait_until(pilot, lambda: "First bold line." in (app.screen.get_selected_text() or ""))
        selected = app.screen.get_selected_text()
        assert selected is not None and "First bold line." in selected and "**" not in selected
        # Lines carry the offsets Textual's selection uses, and selected lines are highlighted.
        selection_bg = app.screen.get_component_rich_style("screen--selection").bgcolor
        strip = view.render_line(rendered(view).index("First bold line."))
        assert strip.text.startswith("First bold line.")
        assert any(segment.style.bgcolor == selection_bg for segment in strip if segment.text.strip())
        assert all("offset" in segment.style.meta for segment in strip)


async def test_dragging_the_mouse_selects_the_text_under_it() -> None:
    # Painted lines carry no offsets; the line Textual reads under the mouse must (see render_line).
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        view.set_text("alpha **beta** gamma\n\nsecond line here\n")
        await settle(pilot, view)
        assert rendered(view)[:3] == ["alpha beta gamma", "", "second line here"]
        painted = view.render_lines(view.size.region)[0]
        assert not any(segment.style and "offset" in segment.style.meta for segment in painted)
        await pilot.mouse_down(view, offset=(6, 0))
        await pilot.hover(view, offset=(3, 1))
        await pilot.hover(view, offset=(5, 2))
        await pilot.mouse_up(view, offset=(5, 2))
        await wait_until(pilot, lambda: app.screen.get_selected_text() is not None)
        assert app.screen.get_selected_text() == "beta gamma\n\nsecond"


async def test_gc_policy_freezes_once_the_last_stream_has_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(gc_policy.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc_policy.gc, "collect", lambda *args: calls.append("collect") or 0)
    thresholds: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc_policy.gc, "set_threshold", lambda *args: thresholds.append(args))
    gc_policy.install_gc_policy()
    try:
        assert thresholds[-1] == gc_policy.GC_THRESHOLDS and calls == ["collect", "freeze"]
        calls.clear()
        app = ViewApp(panes=2)
        async with app.run_test(size=(80, 20)) as pilot:
            first, second = app.query(StreamView)
            first.append("one answer")
            second.append("another answer")
            await settle(pilot, first, second)
            assert RenderTicker.for_app(app).streaming == 2
            first.finish()
            await settle(pilot, first)
            assert calls == []  # the other pane still streams
            second.finish()
            await settle(pilot, second)
            assert calls == [], "not on the frame that shows the finished answers"
            for _ in range(40):  # bounded: IDLE_COLLECT_DELAY is 0.5 s
                if calls:
                    break
                await pilot.pause(0.05)
            assert calls == ["collect", "freeze"]
    finally:
        gc_policy.uninstall_gc_policy()
    assert thresholds[-1] == (700, 10, 10) and not gc_policy.gc_policy_installed()


async def test_a_theme_change_re_renders_with_the_new_theme_colours() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 30)) as pilot:
        app.theme = "textual-dark"
        view = app.query_one(StreamView)
        view.set_text("## Title\n\n```python\nx = 1\n```\n")
        await settle(pilot, view)
        before = rendered(view)
        dark_bg = view.get_component_rich_style("stream-view--fence").bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        await settle(pilot, view)
        light_bg = view.get_component_rich_style("stream-view--fence").bgcolor
        assert light_bg != dark_bg
        code_line = next(strip for strip in view.lines if strip.text.strip() == "x = 1")
        assert {segment.style.bgcolor for segment in code_line} == {light_bg}
        assert rendered(view) == before


async def test_the_lines_below_the_text_are_one_blank_strip_in_the_view_s_colours() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 30)) as pilot:
        app.theme = "textual-dark"
        view = app.query_one(StreamView)
        view.set_text("one line")
        await settle(pilot, view)
        below = [view.render_line(y) for y in range(2, 6)]
        assert all(strip is below[0] for strip in below)  # shared: Textual's per-strip caches hit
        assert below[0].text == " " * view.size.width
        dark = {segment.style.bgcolor for segment in below[0]}
        assert dark == {view.rich_style.bgcolor}
        app.theme = "textual-light"
        await pilot.pause()
        await settle(pilot, view)
        light = view.render_line(5)
        assert light is not below[0]
        assert {segment.style.bgcolor for segment in light} == {view.rich_style.bgcolor} != dark


async def test_resize_keeps_the_reader_s_place_when_not_following() -> None:
    text = "\n\n".join(f"Paragraph {n}: " + " ".join(f"word{k}" for k in range(25)) for n in range(30)) + "\n"
    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(StreamView)
        view.set_text(text)
        await settle(pilot, view)
        target = rendered(view).index(next(line for line in rendered(view) if line.startswith("Paragraph 12:")))
        view.scroll_to(y=target, animate=False)
        await wait_until(pilot, lambda: not view.follow)
        await pilot.resize_terminal(45, 20)
        await settle(pilot, view)
        assert rendered(view)[view.scroll_offset.y].startswith("Paragraph 12:")
        assert not view.follow


async def test_a_following_view_made_shorter_still_shows_the_end() -> None:
    """A summary or error box appearing below the view shrinks it: the last line stays in sight."""
    text = "\n\n".join(f"Paragraph {n}: " + " ".join(f"word{k}" for k in range(25)) for n in range(30)) + "\n"
    app = ViewApp()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(StreamView)
        view.set_text(text)
        await settle(pilot, view)
        assert view.follow and view.scroll_offset.y == view.max_scroll_y
        before = view.max_scroll_y
        await pilot.resize_terminal(80, 15)
        await settle(pilot, view)
        await wait_until(pilot, lambda: view.max_scroll_y > before and view.scroll_offset.y == view.max_scroll_y)
        assert view.follow


async def test_an_empty_view_is_laid_out_and_painted_without_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The renderer is imported in a thread after the first paint: an empty view (a new pane) must not wait for
    it on the event loop."""
    asked: list[int] = []
    real = widget_module.render_context

    def counting(view: Widget, width: int) -> object:
        asked.append(width)
        return real(view, width)

    monkeypatch.setattr(widget_module, "render_context", counting)
    app = ViewApp(panes=2)
    async with app.run_test(size=(60, 20)) as pilot:
        views = list(app.query(StreamView))
        await settle(pilot, *views)
        await pilot.resize_terminal(50, 18)
        await settle(pilot, *views)
        assert asked == []
        assert [line.text.strip() for line in views[0].render_lines(views[0].region.reset_offset)] == [""] * 18

        views[0].append("First words.")
        await settle(pilot, *views)
        assert asked and rendered(views[0]) == ["First words."]


async def test_a_view_is_receiving_from_its_first_text_until_it_is_finished() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(StreamView)
        assert not view.receiving  # nothing yet
        view.append("first words")
        assert view.receiving
        view.finish()
        assert not view.receiving  # all of it is in; its rendering may still be under way
        await settle(pilot, view)
        assert not view.receiving
        view.append(" and more")  # appended after it finished: it streams again
        assert view.receiving
        view.clear()
        assert not view.receiving
