"""The app's workspace switcher: the header names the active workspace, the command palette offers
every other one, and switching rebuilds the screen on the new workspace (a profile that cannot be
opened leaves the old one in place). The profile points at ``switchboard serve``'s app on 127.0.0.1,
run in the test's own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from textual.content import Content
from textual.widgets import DataTable

from tests.helpers.app import wait_until
from tests.helpers.demo_app import SIZE, quick_settings
from tui.app.app import SwitchboardApp
from tui.app.launch import build_app
from tui.server.app import create_app
from tui.workspace.factory import open_workspace


@pytest.fixture
async def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Path]:
    """A databrickscfg whose ``prod`` is a served workspace holding the scope ``remote-scope``."""
    served = open_workspace(tmp_path / "served.db", user="tester")
    token = (await served.tokens.create("tester", comment="switch")).token_value
    await served.create_scope("remote-scope")
    server = uvicorn.Server(
        uvicorn.Config(create_app(served), host="127.0.0.1", port=0, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    cfg = tmp_path / "databrickscfg"
    cfg.write_text(
        f"[prod]\nhost = {url}\ntoken = {token}\n[broken]\nhost = https://x.example.com\n"
        f"[[b]old]\nhost = http://[::1]:9\ntoken = {token}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(cfg))
    monkeypatch.delenv("DATABRICKS_CONFIG_PROFILE", raising=False)
    monkeypatch.delenv("DATABRICKS_HOST", raising=False)
    yield cfg
    server.should_exit = True
    await task
    await served.aclose()


async def _local_app(tmp_path: Path) -> SwitchboardApp:
    local_path = tmp_path / "local.db"
    ws = open_workspace(local_path, user="tester")
    await ws.create_scope("local-scope")
    return build_app(ws, quick_settings(), demo=False, local_path=str(local_path))


def _titles(app: SwitchboardApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


def _run(app: SwitchboardApp, title: str) -> Any:
    command = next(c for c in app.get_system_commands(app.screen) if c.title == title)
    return command.callback()


def _scopes(app: SwitchboardApp) -> list[str]:
    table = app.screen.query_one("#scopes", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_switching_to_a_profile_and_back(tmp_path: Path, config: Path) -> None:
    app = await _local_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("secrets")
        await wait_until(pilot, lambda: _scopes(app) == ["local-scope"])
        assert str(tmp_path / "local.db") in app.sub_title
        titles = _titles(app)
        prod = next(t for t in titles if t.startswith("Switch to workspace: profile prod (http://127.0.0.1:"))
        assert "Switch to workspace: local" not in titles  # the active one is not offered
        assert "Switch to workspace: profile broken (?)" in titles
        shown = [Content.from_markup(t).plain for t in titles]  # the palette reads titles as markup
        assert "Switch to workspace: profile [b]old (http://[::1]:9)" in shown

        await _run(app, prod)
        await wait_until(pilot, lambda: _scopes(app) == ["remote-scope"])
        assert app.sub_title.startswith("profile prod (http://127.0.0.1:") and app.current_mode == "secrets"
        assert " · tester@" in app.sub_title  # the token's user, asked of the server while switching
        assert not any(t.startswith("Switch to workspace: profile prod") for t in _titles(app))

        await _run(app, "Switch to workspace: local")
        await wait_until(pilot, lambda: _scopes(app) == ["local-scope"])
        assert app.profile is None and str(tmp_path / "local.db") in app.sub_title


async def test_a_profile_that_cannot_be_opened_keeps_the_old_workspace(tmp_path: Path, config: Path) -> None:
    app = await _local_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        before = app.workspace
        await _run(app, "Switch to workspace: profile broken (?)")
        refused = "Workspace not switched: Profile 'broken'"
        await wait_until(
            pilot, lambda: any(refused in n.message and "has no token" in n.message for n in app._notifications)
        )
        assert app.workspace is before and app.profile is None
        assert await before.list_scopes()  # still open


async def test_the_demo_offers_no_switch(tmp_path: Path, config: Path) -> None:
    ws = open_workspace(tmp_path / "demo.db", user="tester")
    app = build_app(ws, quick_settings(), demo=True)
    async with app.run_test(size=SIZE):
        assert not [t for t in _titles(app) if t.startswith("Switch to workspace")]
