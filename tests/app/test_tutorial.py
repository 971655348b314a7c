"""The Databricks external-models tutorial, done entirely in the app by keyboard (and a click), from an empty
workspace: store the OpenAI key (F4), create the OpenAI completions endpoint with the secret picker (F3), give it
a legacy limit of 20 calls per user per minute (F5), create the Anthropic claude-2 endpoint with its key stored
on the spot (ctrl+n), test both (t), then compare them side by side in the playground.

Each step asserts what the user sees; the end checks what the workspace stores, and that no key ever showed.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Select

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
    compare_in_playground,
    create_scope,
    cursor_key,
    new_endpoint,
    notified,
    on_screen,
    opened,
    paste,
    pick_secret,
    probe,
    put_secret,
    row_cells,
    save_endpoint,
    tab_to,
    type_key_and_value,
)
from tui.app.demo import DEMO_KEY
from tui.app.manage.secret_dialogs import PutSecretDialog
from tui.domain.gateway import RateLimit
from tui.simulator import Simulator

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
        note = str(dialog.query_one("#secret-scope .field-message").content)
        assert note == f"There is no scope '{ANTHROPIC_SCOPE}' yet: saving creates it."
        await pilot.press("enter")
        await type_key_and_value(pilot, dialog, ANTHROPIC_KEY, DEMO_KEY)
        assert app.focused.value == ANTHROPIC_REF
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
        await compare_in_playground(pilot, OPENAI_ENDPOINT, ANTHROPIC_ENDPOINT, PROMPT)
        await wait_until(pilot, lambda: finished(app))
        for name in (OPENAI_ENDPOINT, ANTHROPIC_ENDPOINT):
            assert pane(app, name).run.state == "done" and pane(app, name).run.text
        summary = shown_text(app.screen.query_one("#summary"))
        assert "Comparison · completions · 2 panes" in summary
        assert OPENAI_ENDPOINT in summary and ANTHROPIC_ENDPOINT in summary
        assert DEMO_KEY not in on_screen(app)

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
