"""Painting a frame from only the widgets and rows that changed (`tui.widgets.dirty_renders`) leaves the terminal
showing what a full render shows: every update the app writes while answers stream is fed to a terminal
emulator (pyte), whose screen is compared cell by cell with a full render of the screen after each one."""

from __future__ import annotations

import io
from typing import Any

import pyte
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.geometry import Region

from tests.helpers.app import panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.widgets import dirty_renders

FOUR_CHAT = ["gpt-4o-mini", "claude-haiku", "azure-gpt-4o", "flaky-gpt"]
"""Four panes side by side: a line changed in one pane is far from a line changed in another."""

Cells = list[list[tuple[Any, ...]]]


class Terminal:
    """A terminal emulator of the app's size, fed what the app would write to a real one."""

    def __init__(self, columns: int, lines: int) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.Stream(self.screen)

    def feed(self, text: str) -> None:
        self.stream.feed(text)

    def cells(self) -> Cells:
        buffer = self.screen.buffer
        return [
            [
                (char.data, char.fg, char.bg, char.bold, char.italics, char.underscore, char.reverse)
                for char in (buffer[y][x] for x in range(self.screen.columns))
            ]
            for y in range(self.screen.lines)
        ]


def whole_screen(app: Any, console: Console) -> str:
    """What a terminal is sent to draw the whole screen as it is now."""
    compositor = app.screen._compositor
    strips = compositor.render_strips()
    return LayoutUpdate([[strip] for strip in strips], compositor.size.region).render_segments(console)


def full_render(app: Any, console: Console) -> Cells:
    """The whole screen rendered now, as a terminal shows it."""
    terminal = Terminal(*app.screen._compositor.size)
    terminal.feed(whole_screen(app, console))
    return terminal.cells()


def pending(app: Any) -> list[Region]:
    """The screen regions of the widgets waiting for a repaint."""
    regions = []
    for widget, (region, clip) in app.screen._compositor.visible_widgets.items():
        regions += [changed.translate(region.offset).intersection(clip) for changed in widget._repaint_regions]
    return regions


async def test_every_partial_update_leaves_the_terminal_as_a_full_render(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        assert Compositor._get_renders is dirty_renders.get_renders  # the app put it in place
        await app.screen.use_endpoints(FOUR_CHAT)
        await pilot.pause()
        console = Console(color_system="truecolor", force_terminal=True, file=io.StringIO(), width=app.size.width)
        terminal = Terminal(*app.size)
        terminal.feed(whole_screen(app, console))
        partial = 0
        wrong: list[str] = []
        write = app._display

        def display(screen: Any, update: Any) -> None:
            nonlocal partial
            write(screen, update)
            if update is None or screen is not app.screen:
                return
            terminal.feed(update.render_segments(console))
            if isinstance(update, ChopsUpdate):
                partial += 1
                if app.screen._layout_required:  # a layout waits: the next frame repaints what it moves
                    return
                got, want = terminal.cells(), full_render(app, console)
                waiting = pending(app)  # changed since this frame was made: the next one paints them
                cells = [
                    (x, y)
                    for y in range(len(want))
                    for x in range(len(want[y]))
                    if got[y][x] != want[y][x] and not any(region.contains(x, y) for region in waiting)
                ]
                if cells:
                    under = sorted({type(app.screen.get_widget_at(x, y)[0]).__name__ for x, y in cells})
                    wrong.append(f"frame {partial}: {len(cells)} cells wrong, under {under}")

        app._display = display
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: all(p.run is not None and not p.busy for p in panes(app)), seconds=30)
        first = panes(app)[0]
        first.view.scroll_home(animate=False)  # and the reader scrolls one pane back up
        await wait_until(pilot, lambda: not pending(app) and terminal.cells() == full_render(app, console))
        assert partial > 5, "the answers streamed in partial updates"
        assert wrong == []


async def test_a_repainted_view_is_not_rendered_again_for_the_widgets_behind_or_beside_it(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(FOUR_CHAT)
        await pilot.pause()
        await wait_until(pilot, lambda: not pending(app))
        first = panes(app)[0]
        rendered: list[tuple[str, int]] = []

        def recording(widget: Any) -> Any:
            def render_lines(crop: Region) -> Any:
                rendered.append((type(widget).__name__, crop.height))
                return type(widget).render_lines(widget, crop)

            return render_lines

        others = panes(app)[1:]  # beside it: their clip (the row of panes) overlaps the view, their region not
        for widget in [first, first.parent, app.screen, *others, first.view]:
            widget.render_lines = recording(widget)  # type: ignore[method-assign]
        first.view.refresh()
        await wait_until(pilot, lambda: any(name == "StreamView" for name, _ in rendered))
        assert ("StreamView", first.view.size.height) in rendered  # the view painted its region whole
        assert [name for name, _ in rendered if name != "StreamView"] == []  # nothing behind or beside it rendered

        rendered.clear()
        first.refresh()  # the pane's own region (its border) changed: it is in front there and renders
        await wait_until(pilot, lambda: any(name == type(first).__name__ for name, _ in rendered))
        assert type(app.screen).__name__ not in [name for name, _ in rendered]  # the pane covers its region
