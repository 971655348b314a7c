"""Driving the app under Pilot: wait for a condition, find the panes, send a prompt, read what is shown."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from tui.app.playground.pane import Pane
from tui.widgets.prompt import PromptInput


async def wait_until(pilot: Any, condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Pause until ``condition()`` holds (bounded; fails the test when it never does)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def focused(pilot: Any, widget: Any, seconds: float = 10.0) -> None:
    """Focus ``widget`` and wait until it has the focus (bounded). Textual applies a focus later, so a key pressed
    right after a bare ``focus()`` may reach the widget focused before; and a screen just pushed may focus its
    own first field after ours, so the focus is asked for again until it holds."""
    for _ in range(int(seconds / 0.05)):
        if widget.has_focus:
            return
        widget.focus()
        await pilot.pause(0.05)
    raise AssertionError(f"{widget!r} did not take the focus in time")


async def group_done(pilot: Any, group: str) -> None:
    """Until no worker of ``group`` runs (bounded): work a test started, done before the app is taken down."""
    await wait_until(pilot, lambda: not any(w.group == group and w.is_running for w in pilot.app.workers))


def all_mounted(app: Any) -> bool:
    """Every widget of every screen in the stack has finished mounting (its children composed and mounted)."""
    return all(w.is_mounted for screen in app.screen_stack for w in screen.walk_children(with_self=True))


def panes(app: Any) -> list[Pane]:
    return list(app.screen.query(Pane))


def pane(app: Any, name: str) -> Pane:
    return next(p for p in panes(app) if p.endpoint == name)


async def send(app: Any, pilot: Any, text: str = "Compare these endpoints") -> None:
    prompt = app.screen.query_one(PromptInput)
    prompt.focus()
    prompt.insert(text)
    await pilot.press("enter")


def shown_text(widget: Any) -> str:
    """The text a widget shows, as the terminal would at its width."""
    console = Console(width=widget.size.width or 160, file=io.StringIO(), record=True)
    content = widget.content
    if isinstance(content, str):  # read as markup only where the widget reads it so
        console.print(content, markup=widget._render_markup)
    else:
        console.print(content)
    return console.export_text()


def screen_text(app: Any) -> str:
    """Every character the terminal shows now: each screen of the stack as rendered (dialogs and toasts too)."""
    return "\n".join(strip.text for screen in app.screen_stack for strip in screen._compositor.render_strips())


def idle(app: Any) -> bool:
    return all(not p.busy for p in panes(app))


def finished(app: Any) -> bool:
    """Every pane is over and the screen has handled it (summary shown, comparison complete)."""
    return idle(app) and all(p.run for p in panes(app)) and app.screen.query_one("#summary").display
