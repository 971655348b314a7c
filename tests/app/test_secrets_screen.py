"""F4, the secrets screen: create and delete scopes, put, replace and delete secrets, by keyboard and mouse.

Every name is checked with the domain's own rules as it is typed; the workspace's refusals are shown in the
dialog; confirmations name what goes and which endpoints stop working; a secret's value never reaches the
screen unless its typist asks to see it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events
from textual.widgets import Button, Checkbox, DataTable, Input

from tests.helpers.app import focused, screen_text, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.manage.secret_dialogs import CreateScopeDialog, PutSecretDialog
from tui.app.manage.secrets import SecretsScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.names import SECRET_VALUE_MAX_BYTES, scope_name_problem, secret_key_problem
from tui.domain.secret_refs import SecretRef
from tui.domain.text import printable
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.widgets.confirm import ConfirmDialog
from tui.workspace.protocol import Workspace

VALUE = "sk-test-Zq8vX2-never-on-screen"
DEMO_ENDPOINTS = 9
"""The demo endpoints, every one reading its key from demo/sim_key."""


def confirm_lines(app: Any) -> list[str]:
    """The lines of the confirmation on screen, whole (the dialog wraps them to its width)."""
    return [str(line.content) for line in app.screen.query(".confirm-line")]


def table(app: Any, name: str) -> DataTable[Any]:
    return app.screen.query_one(f"#{name}", DataTable)


def row_keys(app: Any, name: str) -> list[str]:
    return [str(key.value) for key in table(app, name).rows]


def cursor_key(app: Any, name: str) -> str:
    t = table(app, name)
    return str(t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value)


def cells(app: Any, name: str, key: str) -> list[str]:
    return [str(cell) for cell in table(app, name).get_row(key)]


async def open_secrets(app: Any, pilot: Any, scopes: int = 1) -> None:
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, SecretsScreen) and table(app, "scopes").row_count == scopes)


async def type_into(pilot: Any, field: str, text: str) -> None:
    """Focus the input of the dialog field ``field`` and type ``text`` key by key."""
    await focused(pilot, pilot.app.screen.query_one(f"#{field} Input", Input))
    await pilot.press(*text)


async def fill(pilot: Any, field: str, text: str) -> None:
    """Focus the input of the dialog field ``field`` and put ``text`` in at once (quicker than typing)."""
    box = pilot.app.screen.query_one(f"#{field} Input", Input)
    box.focus()
    box.insert_text_at_cursor(text)
    await pilot.pause()


def field_input(app: Any, field: str) -> Input:
    return app.screen.query_one(f"#{field} Input", Input)


def field_message(app: Any, field: str) -> str:
    return str(app.screen.query_one(f"#{field} .field-message").render())


def ok_disabled(app: Any) -> bool:
    return app.screen.query_one("#dialog-ok", Button).disabled


def dialog_error(app: Any) -> str:
    return str(app.screen.query_one("#dialog-error").render())


async def dialog_closed(pilot: Any, kind: type) -> None:
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, kind))


async def secret_keys(ws: Workspace, scope: str) -> dict[str, int | None]:
    return {s.key: s.last_updated_timestamp for s in await ws.list_secrets(scope)}


async def team_endpoint(ws: Workspace, simulator: Simulator) -> None:
    """Scope ``team`` with key ``openai`` (the simulator's key) and an endpoint ``team-chat`` reading it."""
    await ws.create_scope("team")
    await ws.put_secret("team", "openai", SIM_KEY.encode())
    body = endpoint_body(simulator.base_url, "openai", "chat", name="team-chat", secret="{{secrets/team/openai}}")
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


# -- scopes


async def test_create_scope_selects_it_and_counts_secrets(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        assert cells(app, "scopes", "demo")[:2] == ["demo", "1"]
        await pilot.press("n")
        assert isinstance(app.screen, CreateScopeDialog)
        assert ok_disabled(app) and field_message(app, "scope-name") == ""  # no error before anything is typed
        await type_into(pilot, "scope-name", "openai")
        assert not ok_disabled(app)
        await pilot.press("enter")
        await dialog_closed(pilot, CreateScopeDialog)
        await wait_until(pilot, lambda: table(app, "scopes").row_count == 2)
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo", "openai"]
        assert cells(app, "scopes", "openai")[:2] == ["openai", "0"]
        await wait_until(pilot, lambda: cursor_key(app, "scopes") == "openai")
        assert table(app, "scopes").has_focus
        assert "No keys in 'openai' yet: press a to put one." in screen_text(app)
        await pilot.press("tab", "d")  # no key to delete: the scope is not offered instead
        assert (
            isinstance(app.screen, SecretsScreen) and "holds no key to delete" in list(app._notifications)[-1].message
        )


@pytest.mark.parametrize("name", ["my scope", "-team", "a/b", "x" * 129, "a\ud800", "esc\x1b[2J"])
async def test_an_invalid_scope_name_shows_the_domain_message_and_saves_nothing(
    make_app: AppFactory, name: str
) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, CreateScopeDialog) and app.screen.is_mounted)
        field_input(app, "scope-name").focus()
        field_input(app, "scope-name").insert_text_at_cursor(name)
        expected = scope_name_problem(name)
        assert expected
        shown = printable(expected)  # ESC shown as ␛
        await wait_until(pilot, lambda: field_message(app, "scope-name") == shown and ok_disabled(app))
        await pilot.press("enter")  # refused: the dialog stays, nothing is created
        await pilot.click("#dialog-ok")
        await pilot.pause(0.1)
        assert isinstance(app.screen, CreateScopeDialog)
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo"]


async def test_a_cleared_scope_name_says_it_must_not_be_empty(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await pilot.press("n")
        await type_into(pilot, "scope-name", "x")
        await pilot.press("backspace")
        assert field_message(app, "scope-name") == "" and ok_disabled(app)
        await type_into(pilot, "scope-name", "a b")
        assert field_message(app, "scope-name") == scope_name_problem("a b")


async def test_a_duplicate_scope_shows_the_workspace_error_and_keeps_the_name(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await pilot.press("n")
        await type_into(pilot, "scope-name", "DEMO")
        await pilot.press("enter")
        await wait_until(pilot, lambda: dialog_error(app) != "")
        assert dialog_error(app) == "Scope DEMO already exists! (as 'demo'; scope names ignore case)"
        assert isinstance(app.screen, CreateScopeDialog) and field_input(app, "scope-name").value == "DEMO"
        await pilot.press("backspace")  # editing clears the error
        assert dialog_error(app) == ""
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo"]


async def test_delete_scope_names_its_secrets_and_the_endpoints_that_stop_working(
    make_app: AppFactory, simulator: Simulator
) -> None:
    async with make_app() as (app, pilot):
        await team_endpoint(app.workspace, simulator)
        await open_secrets(app, pilot, scopes=2)
        await focused(pilot, table(app, "scopes"))
        await pilot.press("down")
        assert cursor_key(app, "scopes") == "team"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = screen_text(app)
        assert "Delete secret scope 'team'?" in text
        assert "Its 1 secret will be deleted with it: openai." in text
        assert "Endpoints that will stop working (1): team-chat" in text
        await pilot.press("escape")
        await dialog_closed(pilot, ConfirmDialog)
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo", "team"]
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: table(app, "scopes").row_count == 1)
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo"]


async def test_delete_with_nothing_listed_is_disabled(make_app: AppFactory) -> None:
    async with make_app(populate_workspace=False) as (app, pilot):
        await open_secrets(app, pilot, scopes=0)
        assert app.screen.check_action("delete", ()) is None
        await pilot.press("d")
        assert isinstance(app.screen, SecretsScreen)


# -- secrets


async def test_put_secret_masked_revealed_on_request_and_never_shown_after(
    make_app: AppFactory, simulator: Simulator
) -> None:
    async with make_app() as (app, pilot):
        await team_endpoint(app.workspace, simulator)
        await app.workspace.delete_secret("team", "openai")
        await open_secrets(app, pilot, scopes=2)
        await focused(pilot, table(app, "scopes"))
        await pilot.press("down", "a")
        assert isinstance(app.screen, PutSecretDialog)
        assert field_input(app, "secret-scope").value == "team" and field_input(app, "secret-scope").disabled
        assert field_input(app, "secret-key").has_focus
        await pilot.press(*"openai", "tab")
        assert field_input(app, "secret-value").has_focus and field_input(app, "secret-value").password
        await pilot.press(*VALUE)
        assert "•" * len(VALUE) in screen_text(app) and VALUE not in screen_text(app)
        await pilot.press("ctrl+r")
        assert app.screen.query_one("#secret-reveal", Checkbox).value
        assert VALUE in screen_text(app)
        await pilot.click("#secret-reveal")  # the mouse hides it again
        assert field_input(app, "secret-value").password and VALUE not in screen_text(app)
        await pilot.click("#dialog-ok")
        await dialog_closed(pilot, PutSecretDialog)
        await wait_until(pilot, lambda: row_keys(app, "keys") == ["openai"])
        assert cursor_key(app, "scopes") == "team" and table(app, "keys").has_focus
        assert cells(app, "scopes", "team")[:2] == ["team", "1"]
        assert VALUE not in screen_text(app)
        notices = [n.message for n in app._notifications]  # (toasts are not drawn under Pilot)
        assert any("{{secrets/team/openai}}" in notice for notice in notices)  # how to refer to it
        assert not any(VALUE in notice for notice in notices)


async def test_a_pasted_value_is_stored_and_answers_the_provider(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        await team_endpoint(app.workspace, simulator)
        await app.workspace.put_secret("team", "openai", b"wrong-key")
        await open_secrets(app, pilot, scopes=2)
        await focused(pilot, table(app, "scopes"))
        await pilot.press("down", "tab", "enter")  # Enter on a key: replace its value
        assert isinstance(app.screen, PutSecretDialog)
        assert field_input(app, "secret-key").value == "openai" and field_input(app, "secret-value").has_focus
        field_input(app, "secret-value").post_message(events.Paste(SIM_KEY + "\n"))
        await wait_until(pilot, lambda: field_input(app, "secret-value").value == SIM_KEY)
        await pilot.pause()
        assert SIM_KEY not in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await dialog_closed(pilot, PutSecretDialog)
        answer = await app.workspace.query("team-chat", {"messages": [{"role": "user", "content": "hi"}]})
        assert answer["choices"]


async def test_replacing_a_secret_is_confirmed_naming_its_endpoints(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        before = await secret_keys(app.workspace, "demo")
        await pilot.press("a")
        await type_into(pilot, "secret-key", "sim_key")
        await fill(pilot, "secret-value", VALUE)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = screen_text(app)
        assert "Replace the value of 'sim_key' in scope 'demo'?" in text
        assert any(
            line.startswith(f"Endpoints that will use the new value ({DEMO_ENDPOINTS}): azure-gpt-4o, claude-haiku")
            for line in confirm_lines(app)
        )
        await pilot.press("n")  # back in the dialog, with everything typed
        await wait_until(pilot, lambda: isinstance(app.screen, PutSecretDialog))
        assert field_input(app, "secret-key").value == "sim_key" and field_input(app, "secret-value").value == VALUE
        assert await secret_keys(app.workspace, "demo") == before
        await asyncio.sleep(0.01)  # a later millisecond for last_updated
        await pilot.click("#dialog-ok")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-ok")
        await dialog_closed(pilot, PutSecretDialog)
        after = await secret_keys(app.workspace, "demo")
        assert after.keys() == before.keys() and (after["sim_key"] or 0) > (before["sim_key"] or 0)


@pytest.mark.parametrize("key", ["open ai", "-key", "team@key", "k" * 129, "k\ud800", ""])
async def test_an_invalid_key_shows_the_domain_message_and_saves_nothing(make_app: AppFactory, key: str) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await pilot.press("a")
        field_input(app, "secret-key").insert_text_at_cursor(key)
        await fill(pilot, "secret-value", VALUE)
        expected = secret_key_problem(key) if key else ""  # an empty field is not called wrong before it is typed in
        assert secret_key_problem(key) and field_message(app, "secret-key") == expected and ok_disabled(app)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, PutSecretDialog)
        assert list(await secret_keys(app.workspace, "demo")) == ["sim_key"]


async def test_an_empty_value_is_refused(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await pilot.press("a")
        await type_into(pilot, "secret-key", "k")
        assert ok_disabled(app)
        await type_into(pilot, "secret-value", "x")
        await pilot.press("backspace")
        assert field_message(app, "secret-value") == "" and ok_disabled(app)


async def test_delete_secret_names_the_endpoints_that_stop_working(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        await team_endpoint(app.workspace, simulator)
        await app.workspace.put_secret("team", "spare", b"x")
        await open_secrets(app, pilot, scopes=2)
        await focused(pilot, table(app, "scopes"))
        await pilot.press("down", "tab")
        assert table(app, "keys").has_focus and cursor_key(app, "keys") == "openai"
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = screen_text(app)
        assert "Delete secret 'openai' from scope 'team'?" in text
        assert "Endpoints that will stop working (1): team-chat" in text
        await pilot.press("n")
        await dialog_closed(pilot, ConfirmDialog)
        assert list(await secret_keys(app.workspace, "team")) == ["openai", "spare"]
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: row_keys(app, "keys") == ["spare"])
        assert list(await secret_keys(app.workspace, "team")) == ["spare"]
        assert cells(app, "scopes", "team")[:2] == ["team", "1"]
        await pilot.press("down", "d")  # a key nothing uses
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "No endpoint refers to it." in screen_text(app)


# -- the dialog on its own (as the endpoint editor uses it), cancelling, the empty state


async def test_put_secret_dialog_creates_a_new_scope_and_returns_the_reference(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results: list[SecretRef | None] = []
        app.push_screen(PutSecretDialog(), results.append)
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        assert field_input(app, "secret-scope").has_focus
        await pilot.press(*"de")
        await wait_until(pilot, lambda: field_input(app, "secret-scope")._suggestion == "demo")  # from a worker
        await pilot.press("right")  # takes the existing scope it suggests
        await wait_until(pilot, lambda: field_input(app, "secret-scope").value == "demo")
        await wait_until(pilot, lambda: field_message(app, "secret-scope") == "")
        field_input(app, "secret-scope").clear()
        await pilot.press(*"anthropic")
        new_scope = "There is no scope 'anthropic' yet: saving creates it."
        await wait_until(pilot, lambda: field_message(app, "secret-scope") == new_scope)
        await pilot.press("enter")  # not ready yet: on to the key
        assert field_input(app, "secret-key").has_focus
        await pilot.press(*"api_key", "tab")
        await fill(pilot, "secret-value", VALUE)
        await pilot.press("enter")
        await wait_until(pilot, lambda: results != [])
        assert results == [SecretRef("anthropic", "api_key")]
        assert list(await secret_keys(app.workspace, "anthropic")) == ["api_key"]


async def test_put_secret_dialog_uses_the_scope_as_stored(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results: list[SecretRef | None] = []
        app.push_screen(PutSecretDialog(key="extra"), results.append)
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        assert field_input(app, "secret-key").disabled
        await pilot.press(*"DEMO", "tab")
        await fill(pilot, "secret-value", VALUE)
        await pilot.press("enter")
        await wait_until(pilot, lambda: results != [])
        assert results == [SecretRef("demo", "extra")]
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo"]


async def test_a_refused_value_keeps_the_dialog_and_leaves_no_new_scope(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results: list[SecretRef | None] = []
        app.push_screen(PutSecretDialog("fresh", "big"), results.append)
        await pilot.pause()
        await wait_until(pilot, lambda: field_message(app, "secret-scope") != "")
        assert field_message(app, "secret-scope") == "There is no scope 'fresh' yet: saving creates it."
        field_input(app, "secret-value").value = "x" * (SECRET_VALUE_MAX_BYTES + 1)
        await pilot.click("#dialog-ok")
        await wait_until(pilot, lambda: dialog_error(app) != "")
        assert dialog_error(app).startswith("Secret value is 131,073 bytes; the limit is 131,072 bytes")
        assert isinstance(app.screen, PutSecretDialog) and results == []
        assert [s.name for s in await app.workspace.list_scopes()] == ["demo"]


async def test_a_given_invalid_key_is_named_and_cannot_be_saved(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        app.push_screen(PutSecretDialog("demo", "bad key"))
        await wait_until(pilot, lambda: isinstance(app.focused, Input))
        field_input(app, "secret-value").value = VALUE
        problem = secret_key_problem("bad key")
        await wait_until(pilot, lambda: field_message(app, "secret-key") == problem and ok_disabled(app))


async def test_escape_cancels_every_dialog_without_change(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        await team_endpoint(app.workspace, simulator)
        await open_secrets(app, pilot, scopes=2)
        before = {s.name: await secret_keys(app.workspace, s.name) for s in await app.workspace.list_scopes()}
        await pilot.press("n")
        await type_into(pilot, "scope-name", "later")
        await pilot.press("escape")
        await dialog_closed(pilot, CreateScopeDialog)
        await pilot.press("a")
        await type_into(pilot, "secret-key", "later")
        await fill(pilot, "secret-value", VALUE)
        await pilot.press("escape")
        await dialog_closed(pilot, PutSecretDialog)
        await focused(pilot, table(app, "keys"))
        await pilot.press("enter")  # replace sim_key's value ...
        await fill(pilot, "secret-value", VALUE)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")  # ... not confirmed
        await wait_until(pilot, lambda: isinstance(app.screen, PutSecretDialog))
        await pilot.click("#dialog-cancel")
        await dialog_closed(pilot, PutSecretDialog)
        for key in ("d", "delete"):  # the key, then the scope
            await pilot.press(key)
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("escape")
            await dialog_closed(pilot, ConfirmDialog)
            table(app, "scopes").focus()
        after = {s.name: await secret_keys(app.workspace, s.name) for s in await app.workspace.list_scopes()}
        assert after == before and isinstance(app.screen, SecretsScreen)


async def test_tab_moves_between_the_tables(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_secrets(app, pilot)
        await focused(pilot, table(app, "scopes"))
        await pilot.press("tab")
        assert table(app, "keys").has_focus
        await pilot.press("tab")
        assert table(app, "scopes").has_focus
        await pilot.press("enter")  # Enter on a scope goes to its keys
        assert table(app, "keys").has_focus


async def test_empty_state_says_how_to_start_in_the_app(make_app: AppFactory) -> None:
    async with make_app(populate_workspace=False) as (app, pilot):
        await open_secrets(app, pilot, scopes=0)
        text = screen_text(app)
        assert "No secret scopes yet." in text and "Press n to create a scope" in text
        await pilot.click("#empty-new-scope")
        assert isinstance(app.screen, CreateScopeDialog)
        await pilot.press(*"first", "enter")
        await dialog_closed(pilot, CreateScopeDialog)
        await wait_until(pilot, lambda: table(app, "scopes").row_count == 1)
        assert app.screen.query_one("#secrets-body").display and not app.screen.query_one("#secrets-empty").display
