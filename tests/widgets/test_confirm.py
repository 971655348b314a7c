"""ConfirmDialog: yes only when meant; names shown as typed, never as markup."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Label, Static

from tests.helpers.app import wait_until
from tui.widgets.confirm import ConfirmDialog


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Label("host")

    def ask(self, title: str = "Delete scope 'a'?", lines: tuple[str, ...] = ("2 secrets go",)) -> None:
        self.push_screen(ConfirmDialog(title, lines), self.answers.append)


@pytest.mark.parametrize(("keys", "answer"), [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False)])
async def test_keys_answer(keys: list[str], answer: bool) -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask()
        await pilot.pause()
        await pilot.press(*keys)
        await wait_until(pilot, lambda: app.answers != [])
        assert app.answers == [answer]  # Enter presses the focused Cancel: a stray key deletes nothing


async def test_the_mouse_confirms_with_the_button() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask()
        await pilot.pause()
        await pilot.click("#confirm-ok")
        await wait_until(pilot, lambda: app.answers != [])
        assert app.answers == [True]


async def test_names_are_literal_and_controls_visible() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.ask("Delete '[red]x[/red]'?", ("endpoint \x1b[2J uses it",))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.is_mounted)
        title = str(app.screen.query_one("#confirm-title", Label).render())
        line = str(app.screen.query_one(".confirm-line", Static).render())
        assert "[red]x[/red]" in title
        assert "\x1b" not in line and "␛[2J" in line


async def test_a_long_line_wraps_and_nothing_is_cut() -> None:
    names = ", ".join(f"endpoint-{i}" for i in range(30))
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        app.ask("Delete scope 'a'?", (f"Used by: {names}",))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen.is_mounted)
        line = app.screen.query_one(".confirm-line", Static)
        await wait_until(pilot, lambda: line.size.height > 1)
        assert line.size.width <= 72
