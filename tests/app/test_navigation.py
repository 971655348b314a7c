"""Features ask the app shell to navigate by message: F3's "open in playground" lands on the playground."""

from __future__ import annotations

from tests.helpers.app import group_done, panes, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.messages import OpenInPlayground
from tui.app.playground.screen import PlaygroundScreen


async def test_open_in_playground_switches_and_shows_those_endpoints(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.current_mode == "endpoints")
        app.screen.post_message(OpenInPlayground(["instruct", "instruct-fast"]))
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["instruct", "instruct-fast"])
        await group_done(pilot, "playground-endpoints")
        assert app.current_mode == "playground"


async def test_an_endpoint_created_since_the_playground_loaded_can_be_opened(make_app: AppFactory) -> None:
    from tui.domain.base import parse_user_input
    from tui.domain.endpoints import CreateServingEndpoint
    from tui.simulator.endpoints import endpoint_body

    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: bool(panes(app)))
        await pilot.press("f3")
        ws = app.workspace
        body = endpoint_body(
            "http://127.0.0.1:9", "openai", "chat", name="made-later", secret="{{secrets/demo/sim_key}}"
        )
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        app.screen.post_message(OpenInPlayground(["made-later"]))
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["made-later"])
        await group_done(pilot, "playground-endpoints")


async def test_unknown_names_leave_an_empty_playground_that_says_what_to_do(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await pilot.press("f3")
        app.screen.post_message(OpenInPlayground(["no-such-endpoint"]))
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen) and not panes(app))
        await wait_until(pilot, lambda: app.screen.query_one("#panes-empty").display)
        await pilot.pause(0.3)
        assert not panes(app)
