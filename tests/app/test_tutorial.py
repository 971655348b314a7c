"""The Databricks external-models tutorial, done entirely in the app by keyboard (and a click), from an empty
workspace: store the OpenAI key (F4), create the OpenAI completions endpoint with the secret picker (F3), give it
a legacy limit of 20 calls per user per minute (F5), create the Anthropic claude-2 endpoint with its key stored
on the spot (ctrl+n), test both (t), then compare them side by side in the playground.

Each step asserts what the user sees; the end checks what the workspace stores, and that no key ever showed.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select

from tests.helpers.app import finished, pane, shown_text, wait_until
from tests.helpers.demo_app import AppFactory
from tests.helpers.tutorial import (
    ANTHROPIC_ENDPOINT,
    ANTHROPIC_KEY,
    ANTHROPIC_REF,
    ANTHROPIC_SCOPE,
    COMPLETIONS,
    OPENAI_ENDPOINT,
    OPENAI_KEY,
    OPENAI_REF,
    OPENAI_SCOPE,
    add_legacy_limit,
    choose,
    closed,
    create_scope,
    cursor_key,
    field_of,
    new_endpoint,
    notified,
    open_in_playground,
    opened,
    pane_names,
    paste,
    pick_secret,
    probe,
    problems_at,
    put_secret,
    row_cells,
    save_endpoint,
    screen_text,
    stored_openai_endpoint,
    tab_to,
    tick_in_picker,
    type_key_and_value,
)
from tui.app.demo import DEMO_KEY
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.secret_dialogs import PutSecretDialog
from tui.app.manage.secrets import SecretsScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.gateway import RateLimit
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body
from tui.widgets.confirm import ConfirmDialog

PROMPT = "Tell me a joke"


def external_model(endpoint: Any) -> Any:
    return endpoint.config.served_entities[0].external_model


async def test_the_external_models_tutorial_by_keyboard(make_app: AppFactory, simulator: Simulator) -> None:
    base = simulator.base_url
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        ws = app.workspace
        assert await ws.list_endpoints() == [] and await ws.list_scopes() == []

        # 1. F4: the scope, then the OpenAI key in it (typed masked, never shown)
        await create_scope(pilot, OPENAI_SCOPE)
        await put_secret(pilot, OPENAI_KEY, DEMO_KEY)
        assert notified(app, f"endpoints refer to it as {OPENAI_REF}")
        assert row_cells(app, "scopes", OPENAI_SCOPE)[:2] == [OPENAI_SCOPE, "1"]

        # 2. F3, n: the OpenAI completions endpoint; its key picked (ctrl+o), its base at the simulator
        await new_endpoint(pilot, OPENAI_ENDPOINT, "gpt-3.5-turbo-instruct")
        await tab_to(pilot, "entities.0.model.task", Select)
        await choose(pilot, COMPLETIONS, "compl")
        await pick_secret(pilot, "entities.0.config.openai_api_key", OPENAI_REF)
        await tab_to(pilot, "entities.0.config.openai_api_base")
        await paste(pilot, f"{base}/v1")
        changes = await save_endpoint(pilot, OPENAI_ENDPOINT)
        assert f"name: {OPENAI_ENDPOINT}" in "\n".join(changes)
        assert row_cells(app, "endpoints", OPENAI_ENDPOINT)[0] == OPENAI_ENDPOINT

        # 3. F5: a legacy limit, 20 calls per user per minute
        await add_legacy_limit(pilot, OPENAI_ENDPOINT, 20)
        await wait_until(pilot, lambda: cursor_key(app, "legacy-limits") is not None)
        assert row_cells(app, "legacy-limits", "0")[:2] == ["20", "each user"]

        # 4. F3, n: the Anthropic claude-2 completions endpoint; its key stored on the spot (ctrl+n)
        await new_endpoint(pilot, ANTHROPIC_ENDPOINT, "claude-2")
        await tab_to(pilot, "entities.0.model.provider", Select)
        await choose(pilot, "anthropic", "anth")
        await tab_to(pilot, "entities.0.model.task", Select)
        await choose(pilot, COMPLETIONS, "compl")
        await tab_to(pilot, "entities.0.config.anthropic_api_key")
        await pilot.press("ctrl+n")
        dialog = await opened(pilot, PutSecretDialog)
        await pilot.press(*ANTHROPIC_SCOPE)
        note = dialog.query_one("#secret-scope .field-message")
        said = f"There is no scope '{ANTHROPIC_SCOPE}' yet: saving creates it."
        await wait_until(pilot, lambda: str(note.content) == said)
        await pilot.press("enter")
        await type_key_and_value(pilot, dialog, ANTHROPIC_KEY, DEMO_KEY)
        await wait_until(pilot, lambda: isinstance(app.focused, Input) and app.focused.value == ANTHROPIC_REF)
        await tab_to(pilot, "entities.0.config.anthropic_api_base")
        await paste(pilot, f"{base}/v1")
        await save_endpoint(pilot, ANTHROPIC_ENDPOINT)

        # 5. F3: test both (t on one, a click on Test for the other)
        simulator.clear()
        assert (await probe(pilot, OPENAI_ENDPOINT)).startswith("✓ OK · 200")
        assert (await probe(pilot, ANTHROPIC_ENDPOINT, click=True)).startswith("✓ OK · 200")
        assert simulator.requests[0].path == "/v1/completions"
        assert simulator.requests[0].headers["authorization"] == f"Bearer {DEMO_KEY}"
        assert simulator.requests[1].headers["x-api-key"] == DEMO_KEY

        # 6. the playground: both side by side, one prompt, the comparison table
        await open_in_playground(pilot, OPENAI_ENDPOINT)
        picker = await tick_in_picker(pilot, ANTHROPIC_ENDPOINT)
        await pilot.press("ctrl+o")
        await closed(pilot, picker)
        await wait_until(pilot, lambda: pane_names(app) == [OPENAI_ENDPOINT, ANTHROPIC_ENDPOINT])
        await pilot.press(*PROMPT, "enter")
        await wait_until(pilot, lambda: finished(app))
        for name in (OPENAI_ENDPOINT, ANTHROPIC_ENDPOINT):
            assert pane(app, name).run.state == "done" and pane(app, name).run.text
        summary = shown_text(app.screen.query_one("#summary"))
        assert "Comparison · completions · 2 panes" in summary
        assert OPENAI_ENDPOINT in summary and ANTHROPIC_ENDPOINT in summary
        assert DEMO_KEY not in screen_text(app)

        # what the workspace holds: both endpoints as the tutorial makes them, the limit, the secrets
        openai = external_model(await ws.get_endpoint(OPENAI_ENDPOINT))
        assert (openai.name, openai.provider, openai.task) == ("gpt-3.5-turbo-instruct", "openai", COMPLETIONS)
        assert openai.openai_config.openai_api_key == OPENAI_REF
        assert openai.openai_config.openai_api_base == f"{base}/v1"
        anthropic = external_model(await ws.get_endpoint(ANTHROPIC_ENDPOINT))
        assert (anthropic.name, anthropic.provider, anthropic.task) == ("claude-2", "anthropic", COMPLETIONS)
        assert anthropic.anthropic_config.anthropic_api_key == ANTHROPIC_REF
        assert anthropic.anthropic_config.anthropic_api_base == f"{base}/v1"
        stored = await ws.get_endpoint(OPENAI_ENDPOINT)
        assert stored.rate_limits == [RateLimit(calls=20, key="user", renewal_period="minute")]
        assert not (await ws.get_endpoint(ANTHROPIC_ENDPOINT)).rate_limits
        assert {s.name for s in await ws.list_scopes()} == {OPENAI_SCOPE, ANTHROPIC_SCOPE}
        assert [s.key for s in await ws.list_secrets(OPENAI_SCOPE)] == [OPENAI_KEY]
        assert [s.key for s in await ws.list_secrets(ANTHROPIC_SCOPE)] == [ANTHROPIC_KEY]


# ---- where the tutorial goes wrong: what the user is told, and that nothing is saved half-way


async def test_a_wrong_key_fails_its_test_until_the_right_one_is_put(
    make_app: AppFactory, simulator: Simulator
) -> None:
    wrong = "sk-typo-in-the-key"
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        await stored_openai_endpoint(app.workspace, simulator.base_url, wrong)
        await pilot.press("f3")
        await opened(pilot, EndpointsScreen)
        result = await probe(pilot, OPENAI_ENDPOINT)
        assert result.startswith("✗") and "401" in result.splitlines()[0]
        assert wrong not in screen_text(app)

        # F4: Enter on the scope goes to its keys, Enter on the key replaces its value, once confirmed
        await pilot.press("f4")
        await opened(pilot, SecretsScreen)
        await wait_until(pilot, lambda: cursor_key(app, "scopes") == OPENAI_SCOPE)
        await pilot.press("enter", "enter")
        dialog = await opened(pilot, PutSecretDialog)
        assert isinstance(app.focused, Input) and app.focused.password
        await pilot.press(*DEMO_KEY, "enter")
        confirm = await opened(pilot, ConfirmDialog)
        lines = "\n".join(str(line.content) for line in confirm.query(".confirm-line"))
        assert f"Endpoints that will use the new value (1): {OPENAI_ENDPOINT}" in lines
        await pilot.press("y")
        await closed(pilot, dialog)
        assert notified(app, f"Stored the secret; endpoints refer to it as {OPENAI_REF}")

        await pilot.press("f3")
        await opened(pilot, EndpointsScreen)
        assert (await probe(pilot, OPENAI_ENDPOINT)).startswith("✓ OK · 200")


async def test_a_key_reference_to_a_secret_not_stored_is_refused_until_it_is(
    make_app: AppFactory, simulator: Simulator
) -> None:
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        ws = app.workspace
        editor = await new_endpoint(pilot, ANTHROPIC_ENDPOINT, "claude-2")
        await tab_to(pilot, "entities.0.model.provider", Select)
        await choose(pilot, "anthropic", "anth")
        await tab_to(pilot, "entities.0.model.task", Select)
        await choose(pilot, COMPLETIONS, "compl")
        key_field = "entities.0.config.anthropic_api_key"
        await tab_to(pilot, key_field)
        await paste(pilot, ANTHROPIC_REF)  # as the tutorial writes it, before the secret is stored
        problem = f"there is no secret {ANTHROPIC_REF} in this workspace: pick one (ctrl+o) or create it (ctrl+n)"
        await wait_until(pilot, lambda: problem in problems_at(editor, key_field))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: notified(app, "Not saved: "))
        assert app.screen is editor and field_of(app.focused) == key_field
        assert await ws.list_endpoints() == []

        await pilot.press("ctrl+n")  # store it now, from where it is missing: scope and key come filled in
        dialog = await opened(pilot, PutSecretDialog)
        await pilot.press(*DEMO_KEY, "enter")
        await closed(pilot, dialog)
        await wait_until(pilot, lambda: isinstance(app.focused, Input) and app.focused.value == ANTHROPIC_REF)
        await wait_until(pilot, lambda: problems_at(editor, key_field) == "")
        await tab_to(pilot, "entities.0.config.anthropic_api_base")
        await paste(pilot, f"{simulator.base_url}/v1")
        await save_endpoint(pilot, ANTHROPIC_ENDPOINT)
        assert [e.name for e in await ws.list_endpoints()] == [ANTHROPIC_ENDPOINT]


async def test_a_provider_answering_500_is_told_by_the_test_and_the_playground(
    make_app: AppFactory, simulator: Simulator
) -> None:
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        await stored_openai_endpoint(
            app.workspace, simulator.base_url, DEMO_KEY, model="gpt-3.5-turbo-instruct@fault=500"
        )
        await pilot.press("f3")
        await opened(pilot, EndpointsScreen)
        result = await probe(pilot, OPENAI_ENDPOINT)
        assert result.startswith("✗") and "500" in result.splitlines()[0]

        await open_in_playground(pilot, OPENAI_ENDPOINT)
        await pilot.press(*PROMPT, "enter")
        await wait_until(pilot, lambda: finished(app))
        assert pane(app, OPENAI_ENDPOINT).run.state == "error"
        assert f"{OPENAI_ENDPOINT}: " in shown_text(app.screen.query_one("#summary"))  # the failure, in words


async def test_a_chat_endpoint_is_not_compared_with_a_completions_one(
    make_app: AppFactory, simulator: Simulator
) -> None:
    """The tutorial's Anthropic endpoint made for chat (claude-3 and later answer chat only) cannot share the
    playground with the OpenAI completions endpoint: the picker says why instead of opening the panes."""
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        ws = app.workspace
        await stored_openai_endpoint(ws, simulator.base_url, DEMO_KEY)
        body = endpoint_body(simulator.base_url, "anthropic", "chat", name="anthropic-chat-endpoint", secret=OPENAI_REF)
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        await pilot.press("f3")
        await opened(pilot, EndpointsScreen)
        await open_in_playground(pilot, OPENAI_ENDPOINT)
        picker = await tick_in_picker(pilot, "anthropic-chat-endpoint")
        refusal = "Pick endpoints of one task (chat, completions or embeddings) to compare them."
        assert str(picker.query_one("#picker-note").content) == refusal
        assert picker.query_one("#picker-use").disabled
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: notified(app, refusal))
        assert app.screen is picker
        await pilot.press("escape")
        await closed(pilot, picker)
        assert pane_names(app) == [OPENAI_ENDPOINT]


async def test_the_missing_secret_problem_goes_once_it_is_created_on_the_spot(make_app: AppFactory) -> None:
    async with make_app(populate_workspace=False, demo=False) as (app, pilot):
        await pilot.press("f3")
        await opened(pilot, EndpointsScreen)
        await pilot.press("n")
        editor = await opened(pilot, EndpointEditorScreen)
        key_field = "entities.0.config.openai_api_key"
        await tab_to(pilot, key_field)
        await paste(pilot, OPENAI_REF)
        await wait_until(pilot, lambda: "there is no secret" in problems_at(editor, key_field))
        await pilot.press("ctrl+n")
        dialog = await opened(pilot, PutSecretDialog)
        # the reference typed names the scope and the key: the dialog starts with them, at the value
        assert dialog.query_one("#secret-scope Input", Input).value == OPENAI_SCOPE
        assert dialog.query_one("#secret-key Input", Input).value == OPENAI_KEY
        value_box = app.focused
        assert isinstance(value_box, Input) and value_box.password
        await pilot.press(*DEMO_KEY, "enter")
        await closed(pilot, dialog)
        await wait_until(pilot, lambda: problems_at(editor, key_field) == "")
