"""An endpoint update rolling out, as the app shows it: the row and the detail follow it live, the app
says how it ended wherever the user is, and editing waits for it.

The workspace rolls configurations out over ``ROLLOUT_S`` (as Databricks does) from the moment the
demo endpoints are in; changes come from outside the app, as from the CLI in another terminal.
"""

from __future__ import annotations

import copy
import re
from typing import Any, cast

from rich.text import Text
from textual.widgets import DataTable, Static

from tests.helpers.app import shown_text, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_REF
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.endpoint_detail import EndpointDetailScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.endpoints_rows import COLUMNS
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.simulator.endpoints import endpoint_body
from tui.workspace.local.workspace import LocalWorkspace

ROLLOUT_S = 4.0  # long enough that a loaded machine still sees the "updating" state
NAME = "gpt-4o-mini"
WAIT_S = 20.0


def roll_out_slowly(app: SwitchboardApp) -> LocalWorkspace:
    workspace = cast(LocalWorkspace, app.workspace)
    workspace.endpoints.rollout_seconds = ROLLOUT_S
    return workspace


def new_config(base: str, secret: str = DEMO_REF) -> EndpointCoreConfigInput:
    body = endpoint_body(base, "openai", "chat", model="gpt-4o@tps=200", entity=NAME, secret=secret)
    return parse_user_input(EndpointCoreConfigInput, body["config"], "config")


def state_of(table: DataTable[Text], name: str) -> str:
    return str(table.get_row(name)[COLUMNS.index("State")])


def notes(app: SwitchboardApp) -> list[tuple[str, str]]:
    return [(n.message, n.severity) for n in app._notifications]


async def open_list(app: SwitchboardApp, pilot: Any) -> DataTable[Text]:
    await pilot.press("f3")
    assert isinstance(app.screen, EndpointsScreen)
    table = app.screen.query_one("#endpoints", DataTable)
    await wait_until(pilot, lambda: table.row_count > 0)
    return table


async def test_the_list_follows_an_update_to_its_end_and_says_so(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        assert state_of(table, NAME) == "Ready"
        await roll_out_slowly(app).update_config(NAME, new_config(simulator.base_url))
        await pilot.press("r")
        await wait_until(pilot, lambda: state_of(table, NAME) == "Ready · updating")

        await wait_until(pilot, lambda: state_of(table, NAME) == "Ready", WAIT_S)  # no key pressed meanwhile
        await wait_until(
            pilot, lambda: (f"Endpoint {NAME} is ready: config version 2 serves", "information") in notes(app)
        )


async def test_editing_waits_for_the_update_and_a_copy_may_be_made_meanwhile(
    make_app: AppFactory, simulator: Any
) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await roll_out_slowly(app).update_config(NAME, new_config(simulator.base_url))
        await pilot.press("r")
        await wait_until(pilot, lambda: state_of(table, NAME) == "Ready · updating")
        table.move_cursor(row=table.get_row_index(NAME))
        await pilot.press("e")
        await wait_until(pilot, lambda: any(severity == "warning" for _, severity in notes(app)))
        assert isinstance(app.screen, EndpointsScreen)  # no editor
        warning = next(message for message, severity in notes(app) if severity == "warning")
        assert warning.startswith(f"Endpoint {NAME} is being updated (config version 2 is rolling out)")
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointEditorScreen))


async def test_a_failed_update_is_said_with_its_reason_and_the_old_config_keeps_serving(
    make_app: AppFactory, simulator: Any
) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        workspace = roll_out_slowly(app)
        await workspace.put_secret("demo", "next_key", b"sk-next")
        await workspace.update_config(NAME, new_config(simulator.base_url, "{{secrets/demo/next_key}}"))
        await workspace.delete_secret("demo", "next_key")  # before the new config is in
        await pilot.press("r")

        await wait_until(pilot, lambda: state_of(table, NAME) == "Ready · update failed", WAIT_S)
        failure = next(message for message, severity in notes(app) if severity == "error")
        assert failure.startswith(f"Endpoint {NAME}: the update failed: ")
        assert "next_key" in failure and failure.endswith("(the previous configuration still serves)")
        assert (await workspace.get_endpoint(NAME)).config.config_version == 1  # type: ignore[union-attr]


async def test_a_new_endpoint_shows_what_it_will_serve_and_the_detail_follows_it(
    make_app: AppFactory, simulator: Any
) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        workspace = roll_out_slowly(app)
        body = copy.deepcopy(endpoint_body(simulator.base_url, "anthropic", "chat", name="fresh", secret=DEMO_REF))
        await workspace.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        await pilot.press("r")
        await wait_until(pilot, lambda: "fresh" in {key.value for key in table.rows})
        row = dict(zip(COLUMNS, (str(c) for c in table.get_row("fresh")), strict=True))
        assert row["State"] == "Not ready · updating"
        assert row["Served (provider:model)"] == "anthropic:claude-3-5-haiku-20241022"

        table.move_cursor(row=table.get_row_index("fresh"))
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointDetailScreen))
        overview = app.screen.query_one("#detail-overview", Static)
        await wait_until(pilot, lambda: re.search(r"Rolling out +version 1 since", shown_text(overview)) is not None)
        assert "Not ready · updating" in shown_text(overview)
        await wait_until(pilot, lambda: "Rolling out" not in shown_text(overview), WAIT_S)
        assert re.search(r"State +Ready\s.*Config version +1\s", shown_text(overview), re.S)
        await wait_until(
            pilot, lambda: ("Endpoint fresh is ready: config version 1 serves", "information") in notes(app)
        )


async def test_a_save_refused_because_an_update_began_meanwhile_shows_the_servers_message(
    make_app: AppFactory, simulator: Any
) -> None:
    from tests.app.test_editor import fill, open_editor
    from tui.widgets.confirm import ConfirmDialog

    async with make_app() as (app, pilot):
        results = await open_editor(app, pilot, NAME)
        await roll_out_slowly(app).update_config(NAME, new_config(simulator.base_url))  # from another terminal
        await fill(pilot, app, "entities.0.model.name", "gpt-4o")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        refused = f"Not saved: Endpoint '{NAME}' is being updated (config version 2 is rolling out); "
        await wait_until(pilot, lambda: any(message.startswith(refused) for message, _ in notes(app)))
        assert results == [] and isinstance(app.screen, EndpointEditorScreen)  # the edit is still there to retry
