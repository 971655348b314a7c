"""Regenerate ``screenshots/*.svg`` from the real app in demo mode.

Run from the repository root:  python -m tui.app.screenshots [folder]
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from tui.app.app import SwitchboardApp
from tui.app.demo import demo_environment, populate
from tui.app.launch import build_app
from tui.settings import Settings
from tui.workspace.factory import open_workspace

SIZE = (160, 45)


async def _wait_idle(pilot: Pilot[None], app: SwitchboardApp, seconds: float = 20.0) -> None:
    """Until no pane is busy (bounded)."""
    from tui.app.playground.pane import Pane

    for _ in range(int(seconds * 10)):
        if not any(p.busy for p in app.screen.query(Pane)):
            break
        await pilot.pause(0.1)
    await pilot.pause(0.3)


async def _shoot(folder: Path, name: str, steps: Callable[[Pilot[None], SwitchboardApp], Awaitable[None]]) -> Path:
    with demo_environment() as (path, sim):
        ws = open_workspace(path, user="demo")
        await populate(ws, sim.base_url)
        app = build_app(ws, Settings(hostname="devbox"), demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            await steps(pilot, app)
            target = folder / f"{name}.svg"
            target.write_text(app.export_screenshot(title=f"Switchboard — {name}"), encoding="utf-8")
    return target


async def _idle(pilot: Pilot[None], app: SwitchboardApp) -> None:
    return None


async def _send(pilot: Pilot[None], app: SwitchboardApp, text: str = "Explain rate limits for LLM endpoints") -> None:
    from tui.widgets.prompt import PromptInput

    app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")


async def _streaming(pilot: Pilot[None], app: SwitchboardApp) -> None:
    await _send(pilot, app)
    await pilot.pause(1.2)


async def _done(pilot: Pilot[None], app: SwitchboardApp) -> None:
    await _send(pilot, app)
    await _wait_idle(pilot, app)


async def _error(pilot: Pilot[None], app: SwitchboardApp) -> None:
    from tui.app.playground.screen import PlaygroundScreen

    screen = app.screen
    assert isinstance(screen, PlaygroundScreen)
    await screen.use_endpoints(["gpt-4o-mini", "flaky-gpt", "llama-slow"])
    await _send(pilot, app)
    await _wait_idle(pilot, app)


async def _place(key: str) -> Callable[[Pilot[None], SwitchboardApp], Awaitable[None]]:
    async def go(pilot: Pilot[None], app: SwitchboardApp) -> None:
        await pilot.press(key)
        await pilot.pause(0.8)

    return go


async def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shots = {
        "playground-idle": _idle,
        "playground-streaming": _streaming,
        "playground-done": _done,
        "playground-error": _error,
        "endpoints": await _place("f3"),
        "secrets": await _place("f4"),
        "rate-limits": await _place("f5"),
        "help": await _place("f1"),
    }
    for name, steps in shots.items():
        print(await _shoot(folder, name, steps))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots")))
