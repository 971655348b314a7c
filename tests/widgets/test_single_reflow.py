"""`tui.widgets.single_reflow`: a full layout no longer asks for a second one, and the screen ends exactly as
Textual's two layouts leave it: scrollbars that must appear appear, auto-sized and docked widgets take their
places, after content grows, widgets show and hide, and the terminal is resized. (That a widget whose virtual size
changed is still repainted in the frame after the layout is checked by `test_dirty_renders.py`, which follows the
terminal through every update: without it, a finished pane's last lines stayed stale.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from tests.helpers.app import finished, panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.widgets import single_reflow


class LayoutApp(App[None]):
    CSS = """
    #side { width: 20; }
    #log { height: 1fr; }
    #note { dock: bottom; height: auto; display: none; }
    .row { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield VerticalScroll(Static("side", classes="row"), id="side")
            with Vertical():
                yield VerticalScroll(id="log")
                yield Static("a note that wraps " * 6, id="note")


@contextmanager
def size_updated(method: Callable[..., bool]) -> Iterator[list[int]]:
    """Run with ``method`` as `Widget._size_updated`; yields a list that counts the screen's layouts."""
    layouts: list[int] = []
    textual_refresh_layout = Screen._refresh_layout

    def counting(self: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(1)
        textual_refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

    saved = Widget._size_updated
    Widget._size_updated = method  # type: ignore[method-assign]
    Screen._refresh_layout = counting  # type: ignore[method-assign]
    try:
        yield layouts
    finally:
        Widget._size_updated = saved  # type: ignore[method-assign]
        Screen._refresh_layout = textual_refresh_layout  # type: ignore[method-assign]


async def steps(app: LayoutApp, pilot: Pilot[None]) -> list[str]:
    """The screen as text after each of a series of changes that lay the screen out."""
    shots = []

    async def shot() -> None:
        await pilot.pause()
        await pilot.pause()
        shots.append(app.export_screenshot())

    log = app.query_one("#log", VerticalScroll)
    side = app.query_one("#side", VerticalScroll)
    await shot()
    for index in range(12):  # the log overflows: its scrollbar appears
        await log.mount(Static(f"line {index} " * (index % 4 + 1), classes="row"))
    await shot()
    await side.mount_all([Static(f"side {index}", classes="row") for index in range(30)])
    await shot()
    app.query_one("#note").display = True  # a docked, auto-high widget appears (as the comparison does)
    await shot()
    await pilot.resize_terminal(60, 15)
    await shot()
    app.query_one("#note").display = False
    await log.query(".row").last().remove()
    await pilot.resize_terminal(90, 30)
    await shot()
    return shots


async def run(method: Callable[..., bool]) -> tuple[list[str], int]:
    with size_updated(method) as layouts:
        app = LayoutApp()
        async with app.run_test(size=(80, 20)) as pilot:
            shots = await steps(app, pilot)
    return shots, len(layouts)


async def test_the_screen_ends_as_textual_leaves_it_with_fewer_layouts() -> None:
    theirs, their_layouts = await run(single_reflow.TEXTUAL_SIZE_UPDATED)
    ours, our_layouts = await run(single_reflow.size_updated)
    assert len(ours) == len(theirs) == 6
    for index, (mine, textual) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == textual, f"step {index}"
    assert our_layouts < their_layouts


@pytest.mark.parametrize("fixed", [False, True], ids=["textual", "single_reflow"])
async def test_the_comparison_appears_in_one_layout(make_app: AppFactory, fixed: bool) -> None:
    method = single_reflow.size_updated if fixed else single_reflow.TEXTUAL_SIZE_UPDATED
    async with make_app() as (app, pilot):
        Widget._size_updated = method  # type: ignore[method-assign]  # the app installed the fix at mount
        try:
            await wait_until(pilot, lambda: len(panes(app)) == 2)
            await send(app, pilot, "Explain rate limits")
            await wait_until(pilot, lambda: finished(app), seconds=20)
            await pilot.pause(0.2)
            with size_updated(method) as layouts:
                app.screen.query_one("#summary").display = False
                await pilot.pause(0.2)
                app.screen.query_one("#summary").display = True
                await pilot.pause(0.2)
        finally:
            single_reflow.install()
    assert len(layouts) == (2 if fixed else 4)
