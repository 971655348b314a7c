"""The endpoint editor under Pilot: create, edit (what will change, then saved), refusal while invalid, leaving
with unsaved changes, the provider section re-built, secrets picked or flagged, entities and traffic, JSON view."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, Static, TextArea

from tests.helpers.app import focused, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.demo import DEMO_REF
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.editor_fields import Keyed
from tui.app.manage.editor_secret import SecretPicker, SecretRow
from tui.app.manage.json_editor import JsonEditor
from tui.app.manage.secret_dialogs import PutSecretDialog
from tui.widgets.confirm import ConfirmDialog


async def open_editor(app: Any, pilot: Any, endpoint: str | None = None, *, duplicate: bool = False) -> list[Any]:
    """Pushes the editor (on an endpoint of the workspace, by name); the list gets what it dismisses with."""
    stored = await app.workspace.get_endpoint(endpoint) if endpoint else None
    results: list[Any] = []
    app.push_screen(EndpointEditorScreen(stored, duplicate=duplicate), results.append)
    await wait_until(pilot, lambda: isinstance(app.screen, EndpointEditorScreen) and bool(app.screen.query(Keyed)))
    await pilot.pause(0.1)
    return results


def target(app: Any, key: str) -> Keyed:
    return next(t for t in app.screen.query(Keyed) if t.key == key)


def problems(app: Any, key: str) -> str:
    return str(target(app, key).query_one(".field-problems", Static).content)


async def fill(pilot: Any, app: Any, key: str, text: str) -> None:
    target(app, key).query_one(Input).value = text
    await pilot.pause(0.05)


async def choose(pilot: Any, app: Any, key: str, value: str) -> None:
    target(app, key).query_one(Select).value = value
    await pilot.pause(0.05)


def keys_shown(app: Any) -> set[str]:
    return {t.key for t in app.screen.query(Keyed)}


def dialog_text(app: Any) -> str:
    return "\n".join(str(s.content) for s in app.screen.query(".confirm-line").results(Static))


async def test_create_an_endpoint_through_the_form(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results = await open_editor(app, pilot)
        assert app.focused is target(app, "name").query_one(Input)
        await pilot.press(*"my-chat")  # typed, as a person would
        await fill(pilot, app, "entities.0.model.name", "gpt-4o-mini")
        await fill(pilot, app, "entities.0.config.openai_api_key", DEMO_REF)
        await fill(pilot, app, "entities.0.config.openai_api_base", "http://127.0.0.1:9/v1")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        shown = dialog_text(app)
        assert "name: my-chat" in shown and "external_model.name: gpt-4o-mini" in shown
        await pilot.press("y")
        await wait_until(pilot, lambda: results == ["my-chat"])
        stored = await app.workspace.get_endpoint("my-chat")
        model = stored.config.served_entities[0].external_model  # type: ignore[union-attr]
        assert model is not None and model.openai_config is not None
        assert model.openai_config.openai_api_key == DEMO_REF


async def test_edit_shows_what_changes_and_saves_keeping_rate_limits(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results = await open_editor(app, pilot, "gpt-4o-mini")
        assert target(app, "name").query_one(Input).disabled  # an existing endpoint keeps its name
        old = target(app, "entities.0.model.name").query_one(Input).value
        await fill(pilot, app, "entities.0.model.name", "gpt-4o")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"served_entities[0].external_model.name: {old} -> gpt-4o" in dialog_text(app)
        assert "sim_key" in dialog_text(app) or "openai_api_key" not in dialog_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: results == ["gpt-4o-mini"])
        stored = await app.workspace.get_endpoint("gpt-4o-mini")
        assert stored.config.served_entities[0].external_model.name == "gpt-4o"  # type: ignore[union-attr]
        assert [r.calls for r in stored.rate_limits or []] == [20]


async def test_saving_is_refused_with_the_reasons_while_invalid(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot)
        assert problems(app, "name") == ""  # nothing shown before a field is touched or a save is tried
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Endpoint name must not be empty" in problems(app, "name"))
        assert isinstance(app.screen, EndpointEditorScreen)  # no confirm: nothing to confirm
        assert "is required" in problems(app, "entities.0.model.name")
        assert "openai_api_key" in problems(app, "entities.0.config.openai_api_key")
        assert "saving is refused" in str(app.screen.query_one("#editor-status", Static).content)
        assert app.focused is target(app, "name").query_one(Input)
        await fill(pilot, app, "name", "bad name")
        await wait_until(pilot, lambda: "only letters, digits" in problems(app, "name"))  # as typed
        names = [e.name for e in await app.workspace.list_endpoints()]
        assert "bad name" not in names


async def test_esc_with_unsaved_changes_asks_and_without_leaves(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results = await open_editor(app, pilot, "claude-haiku")
        await pilot.press("escape")
        await wait_until(pilot, lambda: results == [None])
        results = await open_editor(app, pilot, "claude-haiku")
        await fill(pilot, app, "entities.0.model.name", "claude-3-opus")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointEditorScreen))
        assert results == []
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: results == [None])
        stored = await app.workspace.get_endpoint("claude-haiku")
        assert "opus" not in stored.config.served_entities[0].external_model.name  # type: ignore[union-attr]


async def test_the_provider_section_follows_the_provider_and_api_type(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot)
        assert "entities.0.config.openai_api_key" in keys_shown(app)
        await choose(pilot, app, "entities.0.config.openai_api_type", "azuread")
        await wait_until(pilot, lambda: "entities.0.config.microsoft_entra_client_secret" in keys_shown(app))
        assert "entities.0.config.openai_api_key" not in keys_shown(app)
        await choose(pilot, app, "entities.0.model.provider", "custom")
        await wait_until(pilot, lambda: "entities.0.config.custom_provider_url" in keys_shown(app))
        shown = keys_shown(app)
        assert "entities.0.config.bearer_token_auth.token" in shown
        assert not any("openai" in k for k in shown)


async def test_a_reference_to_a_missing_secret_is_flagged_and_a_picked_one_is_used(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot)
        key = "entities.0.config.openai_api_key"
        await fill(pilot, app, key, "{{secrets/demo/no_such_key}}")
        await wait_until(pilot, lambda: "no secret {{secrets/demo/no_such_key}}" in problems(app, key))
        await focused(pilot, target(app, key).query_one(Input))
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, SecretPicker))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointEditorScreen))
        await wait_until(pilot, lambda: target(app, key).query_one(Input).value == DEMO_REF)
        await wait_until(pilot, lambda: problems(app, key) == "")


async def test_plaintext_is_marked_discouraged_and_never_shown_in_the_changes(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot, "gpt-4o-mini")
        key = "entities.0.config.openai_api_key"
        row = target(app, key)
        assert isinstance(row, SecretRow)
        row.query_one(".secret-mode", Select).value = "plaintext"
        await wait_until(pilot, lambda: row.has_class("-plaintext"))
        assert row.query_one(Input).password
        await fill(pilot, app, key, "sk-typed-in-the-clear")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "openai_api_key_plaintext: (none) -> (a plaintext key, not shown)" in dialog_text(app)
        assert "sk-typed-in-the-clear" not in dialog_text(app)


async def test_entities_with_traffic_that_must_add_up(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot, "gpt-4o-mini")
        assert "entities.0.traffic" not in keys_shown(app)  # one entity: no split to give
        await pilot.press("f7")
        await wait_until(pilot, lambda: "entities.1.traffic" in keys_shown(app))
        assert target(app, "entities.0.traffic").query_one(Input).value == "50"
        await fill(pilot, app, "entities.1.model.name", "gpt-4o")
        await fill(pilot, app, "entities.1.entity.name", "second")
        await fill(pilot, app, "entities.1.config.openai_api_key", DEMO_REF)
        await fill(pilot, app, "entities.1.traffic", "40")
        await wait_until(pilot, lambda: "add up to 100, they add up to 90" in problems(app, "traffic"))
        await fill(pilot, app, "entities.1.traffic", "50")
        await wait_until(pilot, lambda: problems(app, "traffic") == "")
        await focused(pilot, target(app, "entities.1.model.name").query_one(Input))
        await pilot.press("f8")
        await wait_until(pilot, lambda: "entities.1.model.name" not in keys_shown(app))


async def test_the_json_view_edits_the_same_endpoint(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot, "instruct")
        await fill(pilot, app, "entities.0.model.name", "babbage-002")
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea))  # the JSON view, loaded and focused
        editor = app.screen.query_one(JsonEditor)
        assert '"babbage-002"' in editor.text
        area = editor.query_one(TextArea)
        assert app.focused is area
        area.load_text(editor.text.replace("babbage-002", "davinci-002"))
        await pilot.press("f6")
        await wait_until(pilot, lambda: target(app, "entities.0.model.name").query_one(Input).value == "davinci-002")


async def test_the_status_line_follows_the_json_view(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot, "instruct")
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.focused, TextArea))  # the JSON view, loaded and focused
        editor = app.screen.query_one(JsonEditor)
        status = app.screen.query_one("#editor-status", Static)
        area = editor.query_one(TextArea)
        area.insert("}")  # at the start: the text is no JSON object now
        await wait_until(pilot, lambda: "in the JSON" in str(status.content))
        assert str(status.content).startswith("✗ 1 problem in the JSON")
        area.load_text(json_text_with_model(editor.text, "davinci-002"))
        await wait_until(pilot, lambda: str(status.content).startswith("✓ Ready"))


def json_text_with_model(text: str, model: str) -> str:
    """The endpoint's JSON from ``text`` (from its first brace on), valid again, with another model."""
    import json

    start = text.index("{")
    data = json.loads(text[start:])
    data["config"]["served_entities"][0]["external_model"]["name"] = model
    return json.dumps(data, indent=2)


async def test_a_save_the_workspace_refuses_is_shown_under_the_field(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        results = await open_editor(app, pilot, "gpt-4o-mini", duplicate=True)
        await fill(pilot, app, "name", "claude-haiku")  # taken
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: "already exists" in problems(app, "name"))
        assert results == [] and isinstance(app.screen, EndpointEditorScreen)


async def test_a_secret_created_on_the_spot_is_used_by_the_field(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot)
        key = "entities.0.config.openai_api_key"
        await focused(pilot, target(app, key).query_one(Input))
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, PutSecretDialog))
        for field, text in (("#secret-scope", "team"), ("#secret-key", "openai"), ("#secret-value", "sk-new")):
            app.screen.query_one(field).query_one(Input).value = text
        await pilot.pause(0.1)
        await pilot.click("#dialog-ok")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointEditorScreen))
        await wait_until(pilot, lambda: target(app, key).query_one(Input).value == "{{secrets/team/openai}}")
        await wait_until(pilot, lambda: problems(app, key) == "")  # the workspace has it now
        assert [s.key for s in await app.workspace.list_secrets("team")] == ["openai"]
