"""Regenerate ``screenshots/*.svg`` from the real app in demo mode.

Run from the repository root:  python -m tui.app.screenshots [folder [name ...]]
(every picture of :data:`SHOTS` into ``screenshots/`` by default, or only the ones named).

Every picture starts from a fresh demo workspace. The management pictures avoid what shows the simulator's
address (its port differs from run to run), so a regenerated picture changes only when its screen did.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea

from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_REF, demo_environment, populate
from tui.app.help import HelpScreen
from tui.app.launch import build_app
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.editor_fields import Keyed
from tui.app.manage.endpoint_detail import EndpointDetailScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.probe_dialog import ProbeDialog
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.app.manage.secret_dialogs import PutSecretDialog
from tui.app.manage.secrets import SecretsScreen
from tui.app.playground.pane import Pane
from tui.app.playground.screen import PlaygroundScreen
from tui.settings import Settings
from tui.widgets.copy_as import CopyAsDialog
from tui.widgets.prompt import PromptInput
from tui.workspace.factory import open_workspace

SIZE = (160, 45)
Steps = Callable[[Pilot[None], SwitchboardApp], Awaitable[None]]
USED = "gpt-4o-mini"
"""The demo endpoint the management pictures show (the playground's first pane, with a rate limit)."""


async def _until(pilot: Pilot[None], condition: Callable[[], object], seconds: float = 20.0) -> None:
    """Until ``condition()`` holds (bounded: a picture is taken anyway, showing how far it got)."""
    for _ in range(int(seconds * 10)):
        if condition():
            break
        await pilot.pause(0.1)
    await pilot.pause(0.5)


async def _wait_idle(pilot: Pilot[None], app: SwitchboardApp, seconds: float = 20.0) -> None:
    """Until no pane is busy (bounded)."""
    await _until(pilot, lambda: not any(p.busy for p in app.screen.query(Pane)), seconds)


async def _shoot(folder: Path, name: str, steps: Steps) -> Path:
    with demo_environment() as (path, sim):
        ws = open_workspace(path, user="demo")
        await populate(ws, sim.base_url)
        sim.wait_ready()
        app = build_app(ws, Settings(hostname="devbox"), demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            await steps(pilot, app)
            for editor in (*app.screen.query(Input), *app.screen.query(TextArea)):
                editor.cursor_blink = False  # the cursor shows, wherever the blink was
            await pilot.pause(0.2)
            target = folder / f"{name}.svg"
            target.write_text(app.export_screenshot(title=f"Switchboard — {name}"), encoding="utf-8")
    return target


# ---- the playground


async def _idle(pilot: Pilot[None], app: SwitchboardApp) -> None:
    return None


async def _send(pilot: Pilot[None], app: SwitchboardApp, text: str = "Explain rate limits for LLM endpoints") -> None:
    app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")


async def _streaming(pilot: Pilot[None], app: SwitchboardApp) -> None:
    await _send(pilot, app)
    await pilot.pause(1.2)


async def _done(pilot: Pilot[None], app: SwitchboardApp) -> None:
    await _send(pilot, app)
    await _wait_idle(pilot, app)


async def _compare(pilot: Pilot[None], app: SwitchboardApp, endpoints: list[str]) -> None:
    """A comparison of ``endpoints``, to its end."""
    screen = app.screen
    assert isinstance(screen, PlaygroundScreen)
    await screen.use_endpoints(endpoints)
    await _send(pilot, app)
    await _wait_idle(pilot, app)


async def _error(pilot: Pilot[None], app: SwitchboardApp) -> None:
    await _compare(pilot, app, [USED, "flaky-gpt", "llama-slow"])


# ---- the management screens


async def _go(
    pilot: Pilot[None],
    app: SwitchboardApp,
    key: str,
    shown: type[Screen[Any]],
    ready: Callable[[], object] | None = None,
) -> None:
    """Press ``key``; wait for the ``shown`` screen, then until it is ``ready``."""
    await pilot.press(key)
    await _until(pilot, lambda: isinstance(app.screen, shown))
    if ready is not None:
        await _until(pilot, ready)


def _place(key: str, shown: type[Screen[Any]]) -> Steps:
    """The screen ``key`` opens, as it first shows."""

    async def go(pilot: Pilot[None], app: SwitchboardApp) -> None:
        await _go(pilot, app, key, shown)

    return go


async def _select(pilot: Pilot[None], app: SwitchboardApp, table_id: str, row: str) -> None:
    """Put the cursor of the shown screen's table ``table_id`` on ``row`` once it is listed."""
    table = app.screen.query_one(f"#{table_id}", DataTable)
    await _until(pilot, lambda: any(key.value == row for key in table.rows))
    table.move_cursor(row=table.get_row_index(row), animate=False)
    await pilot.pause(0.3)


def _on_endpoint(key: str, shown: type[Screen[Any]], ready: Callable[[Screen[Any]], object]) -> Steps:
    """F3, the cursor on the demo endpoint :data:`USED`, then ``key``: the ``shown`` screen once ``ready``."""

    async def go(pilot: Pilot[None], app: SwitchboardApp) -> None:
        await _go(pilot, app, "f3", EndpointsScreen)
        await _select(pilot, app, "endpoints", USED)
        await _go(pilot, app, key, shown, lambda: ready(app.screen))

    return go


def _tested(screen: Screen[Any]) -> bool:
    return bool(str(screen.query_one("#probe-status", Static).content))


def _snippet_shown(screen: Screen[Any]) -> bool:
    return bool(screen.query_one("#copy-as-preview", TextArea).text)


async def _copy_as(pilot: Pilot[None], app: SwitchboardApp) -> None:
    """Copy as, on the Python snippet through Databricks (the ones straight to the provider name the simulator)."""
    await _on_endpoint("y", CopyAsDialog, _snippet_shown)(pilot, app)
    await pilot.press("down", "down")
    await pilot.pause(0.3)


async def _editor(pilot: Pilot[None], app: SwitchboardApp) -> None:
    """A new endpoint, filled in up to its key: the provider's fields and the form's verdict."""
    await _go(pilot, app, "f3", EndpointsScreen)
    await _go(pilot, app, "n", EndpointEditorScreen, lambda: app.screen.query(Keyed))
    fields = {target.key: target for target in app.screen.query(Keyed)}
    await pilot.press(*"team-chat")  # the name has the focus
    for key, value in (("entities.0.model.name", "gpt-4o-mini"), ("entities.0.config.openai_api_key", DEMO_REF)):
        field = fields[key].query_one(Input)
        field.value = value
        field.focus()
        await pilot.pause(0.2)


async def _detail(pilot: Pilot[None], app: SwitchboardApp) -> None:
    """An endpoint's detail after a comparison in the playground used it."""
    await _compare(pilot, app, [USED, "claude-haiku"])

    def used(screen: Screen[Any]) -> bool:
        return isinstance(screen, EndpointDetailScreen) and screen.series is not None and screen.series.total_calls > 0

    await _on_endpoint("v", EndpointDetailScreen, used)(pilot, app)


async def _limits(pilot: Pilot[None], app: SwitchboardApp) -> None:
    """F5 on the endpoint with a limit, after a comparison used some of it."""
    await _compare(pilot, app, [USED, "claude-haiku"])
    await _go(pilot, app, "f5", RateLimitsScreen)
    await _select(pilot, app, "limits", USED)


async def _put_secret(pilot: Pilot[None], app: SwitchboardApp) -> None:
    """F4 and the dialog that stores a key (typed hidden) in the selected scope."""
    await _go(pilot, app, "f4", SecretsScreen)
    await _select(pilot, app, "scopes", "demo")
    await _go(pilot, app, "a", PutSecretDialog)
    await pilot.press(*"openai_api_key", "tab", *"sk-typed-hidden")


SHOTS: dict[str, Steps] = {
    "playground-idle": _idle,
    "playground-streaming": _streaming,
    "playground-done": _done,
    "playground-error": _error,
    "endpoints": _place("f3", EndpointsScreen),
    "endpoint-editor": _editor,
    "endpoint-detail": _detail,
    "endpoint-test": _on_endpoint("t", ProbeDialog, _tested),
    "copy-as": _copy_as,
    "secrets": _place("f4", SecretsScreen),
    "secrets-put": _put_secret,
    "rate-limits": _limits,
    "help": _place("f1", HelpScreen),
}


async def main(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names or SHOTS:
        print(await _shoot(folder, name, SHOTS[name]))


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(Path(args[0]) if args else Path("screenshots"), args[1:]))
