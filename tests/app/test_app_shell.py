"""The app shell: places, help, palette, themes, keymap, launch errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers.app import focused, wait_until
from tests.helpers.demo_app import AppFactory
from tests.simulator.test_process import failing_python
from tui.app.demo import FOLDER_PREFIX
from tui.app.help import HelpScreen
from tui.app.keys import key_rows
from tui.app.launch import launch_app
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.json_view import JsonViewScreen
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.app.manage.secrets import SecretsScreen
from tui.settings import load_settings


async def test_function_keys_switch_places(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f3")
        assert isinstance(app.screen, EndpointsScreen)
        await wait_until(pilot, lambda: app.screen.query_one("DataTable").row_count == 9)
        await pilot.press("f4")
        assert isinstance(app.screen, SecretsScreen)
        await wait_until(pilot, lambda: app.screen.query_one("#keys").row_count == 1)
        await pilot.press("f5")
        assert isinstance(app.screen, RateLimitsScreen)
        await wait_until(pilot, lambda: app.screen.query_one("#limits").row_count == 9)
        await pilot.press("f2")
        assert app.current_mode == "playground"


async def test_endpoint_json_view_never_shows_keys(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.screen.query_one("DataTable").row_count == 9)
        await focused(pilot, app.screen.query_one("DataTable"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, JsonViewScreen))
        text = app.screen.query_one("#json-text").text
        assert '"served_entities"' in text and "{{secrets/demo/sim_key}}" in text and 'sim-key"' not in text


async def test_help_lists_every_binding_id(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        groups = key_rows({"cancel-all": "ctrl+x"})
        ids = {row[2]: row[0] for _, rows in groups for row in rows}
        for binding_id in (
            "send",
            "cancel-pane",
            "cancel-all",
            "pick-endpoints",
            "copy-code",
            "history",
            "export",
            "go-secrets",
        ):
            assert binding_id in ids
        assert ids["cancel-all"] == "ctrl+x" and ids["copy-code"] == "c, ctrl+b"
        assert ids["grow-pane"] == "+, ="  # as people type them, not "plus, equals_sign"
        assert len(app.screen.query(".help-table")) == len(groups)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_remapped_key_works_and_old_key_does_not(make_app: AppFactory) -> None:
    async with make_app(keymap={"go-endpoints": "ctrl+e"}) as (app, pilot):
        await pilot.press("f3")
        assert not isinstance(app.screen, EndpointsScreen)
        await pilot.press("ctrl+e")
        assert isinstance(app.screen, EndpointsScreen)


async def test_unknown_keymap_id_is_reported(make_app: AppFactory) -> None:
    async with make_app(keymap={"no-such-binding": "ctrl+e"}) as (app, _pilot):
        messages = [n.message for n in app._notifications]
        assert any("no binding has the id 'no-such-binding'" in m for m in messages)


async def test_theme_switch_is_remembered(make_app: AppFactory) -> None:
    async with make_app(demo=False) as (app, pilot):
        assert app.theme == "switchboard-dark"
        app.theme = "high-contrast"
        await wait_until(pilot, lambda: load_settings().settings.theme == "high-contrast")
    assert load_settings().settings.theme == "high-contrast"


async def test_palette_offers_the_screen_actions(make_app: AppFactory) -> None:
    async with make_app() as (app, _pilot):
        from tui.app.commands import SwitchboardCommands

        provider = SwitchboardCommands(app.screen)
        titles = [title for title, _, _ in provider._commands()]
        assert "Cancel all" in titles and "Endpoints" in titles and "Export" in titles
        assert "Cursor up" not in titles, "the prompt's editing keys are not actions"


def test_launch_with_an_unusable_workspace_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert launch_app(workspace=str(blocker / "sub" / "w.db")) == 1
    assert capsys.readouterr().err.startswith("Error: Cannot create the workspace")


def test_a_demo_whose_simulator_cannot_start_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(sys, "executable", failing_python(tmp_path))
    assert launch_app(workspace=None, demo=True) == 1
    assert capsys.readouterr().err == "Error: The simulator stopped at start (exit code 3): no python here\n"
    assert list(tmp_path.glob(f"{FOLDER_PREFIX}*")) == []  # the demo folder went


async def test_a_theme_that_is_not_installed_falls_back_to_the_default(make_app: AppFactory) -> None:
    async with make_app(theme="no-such-theme") as (app, _pilot):
        assert app.theme == "switchboard-dark"
        assert any(
            "Theme 'no-such-theme' is not installed; using switchboard-dark" in n.message for n in app._notifications
        )


def test_what_a_failed_simulator_said_is_shown_with_control_characters_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = tmp_path / "hostile-python"
    hostile.write_text("#!/bin/sh\nprintf 'boom \\033[2J\\033]0;owned\\007' >&2\nexit 3\n")
    hostile.chmod(0o755)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(hostile))
    assert launch_app(workspace=None, demo=True) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: The simulator stopped at start (exit code 3): boom ")
    assert "\x1b" not in err and "\x07" not in err
