"""The playground's inputs: shared and per-pane parameters, system prompt, completions, and what a
pane says when its endpoint cannot be called (wrong key, missing secret); mouse focus."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Input

from tests.helpers.app import finished, focused, pane, panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.playground.pane_params import PaneParamsScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint


def chat_bodies(simulator: Any) -> dict[str, dict[str, Any]]:
    """The last chat request each model got, by model name (the part before '@')."""
    bodies = {}
    for request in simulator.requests:
        if request.body and "messages" in request.body:
            bodies[str(request.body.get("model", "")).split("@")[0]] = request.body
    return bodies


async def test_shared_parameters_system_prompt_and_one_pane_override(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["gpt-4o-mini", "claude-haiku"])
        app.screen.query_one("#param-temperature", Input).value = "0.3"
        app.screen.query_one("#param-max_tokens", Input).value = "40"
        app.screen.query_one("#param-system", Input).value = "Answer briefly."
        await focused(pilot, pane(app, "gpt-4o-mini").view)
        await pilot.press("f7")
        await wait_until(
            pilot, lambda: isinstance(app.screen, PaneParamsScreen) and bool(app.screen.query("#param-top_p"))
        )
        dialog = app.screen
        dialog.query_one("#param-max_tokens", Input).value = "12"
        await focused(pilot, dialog.query_one("#param-max_tokens", Input))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, PaneParamsScreen))
        assert "max_tokens=12" in str(pane(app, "gpt-4o-mini").query_one(".pane-title").render())
        await focused(pilot, pane(app, "claude-haiku").view)
        await pilot.press("f7")
        await wait_until(
            pilot, lambda: isinstance(app.screen, PaneParamsScreen) and bool(app.screen.query("#param-top_p"))
        )
        app.screen.query_one("#param-top_p", Input).value = "7"
        await pilot.click("#params-apply")
        assert any("top_p must be between 0 and 1" in n.message for n in app._notifications)
        await pilot.press("escape")  # nothing changes
        assert pane(app, "claude-haiku").overrides == {}
        simulator.clear()
        await send(app, pilot, "hello")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        gpt = chat_bodies(simulator)["gpt-4o-mini"]
        assert gpt["temperature"] == 0.3 and gpt["max_tokens"] == 12
        assert gpt["messages"][0] == {"role": "system", "content": "Answer briefly."}
        claude = next(r.body for r in simulator.requests if r.path.endswith("/messages"))
        assert claude["max_tokens"] == 40 and claude["system"] == "Answer briefly."
        assert pane(app, "gpt-4o-mini").run.finish_reason == "length"


async def test_a_bad_parameter_is_named_and_nothing_is_sent(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        app.screen.query_one("#param-temperature", Input).value = "hot"
        simulator.clear()
        await send(app, pilot, "hello")
        refused = "temperature must be a number, not 'hot'"
        await wait_until(pilot, lambda: any(refused in n.message for n in app._notifications))
        await pilot.pause(0.3)
        assert simulator.requests == [] and all(p.run is None for p in panes(app))
        assert "hello" in app.screen.query_one("#prompt").text, "the prompt is kept to fix and resend"


async def test_completions_panes_answer_a_single_prompt(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["instruct", "instruct-fast"])
        await send(app, pilot, "Once upon a time")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        for p in panes(app):
            assert p.state == "done" and p.view.text.strip() and p.conversation == []
        prompts = [r.body["prompt"] for r in simulator.requests if r.body and "prompt" in r.body]
        assert prompts == ["Once upon a time", "Once upon a time"]


async def test_wrong_key_and_missing_secret_are_explained_in_their_panes(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        ws = app.workspace
        await ws.put_secret("demo", "wrong_key", b"not-the-key")
        await ws.put_secret("demo", "gone", b"sim-key")  # deleted below, after the endpoint refers to it
        for name, key in (("wrong-key", "{{secrets/demo/wrong_key}}"), ("no-secret", "{{secrets/demo/gone}}")):
            body = {
                "name": name,
                "config": {
                    "served_entities": [
                        {
                            "name": name,
                            "external_model": {
                                "name": "gpt-4o-mini",
                                "provider": "openai",
                                "task": "llm/v1/chat",
                                "openai_config": {"openai_api_key": key, "openai_api_base": f"{simulator.base_url}/v1"},
                            },
                        }
                    ]
                },
            }
            await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        await ws.delete_secret("demo", "gone")
        app.screen.load_endpoints(preselect=False)
        await wait_until(pilot, lambda: "no-secret" in app.screen.choices)
        await app.screen.use_endpoints(["wrong-key", "no-secret", "gpt-4o-mini"])
        await send(app, pilot, "hello")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        wrong = str(pane(app, "wrong-key").query_one(".pane-error").render())
        missing = str(pane(app, "no-secret").query_one(".pane-error").render())
        assert pane(app, "wrong-key").state == "error" and "401" in wrong, wrong
        assert "not-the-key" not in wrong, "a key never shows"
        assert "kept above" not in wrong, "no answer text arrived, so none is said to be kept"
        assert pane(app, "no-secret").state == "error" and "'gone' does not exist" in missing, missing
        assert pane(app, "gpt-4o-mini").state == "done"


async def test_clicking_a_pane_focuses_it_for_its_keys(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.screen.use_endpoints(["llama-slow", "gpt-4o-mini"])
        await send(app, pilot)
        await wait_until(pilot, lambda: pane(app, "llama-slow").busy)
        await pilot.click(pane(app, "llama-slow").view)
        assert pane(app, "llama-slow").view.has_focus
        await pilot.press("escape")
        await wait_until(pilot, lambda: pane(app, "llama-slow").state == "cancelled")
        assert pane(app, "gpt-4o-mini").state in ("waiting", "streaming", "done")
        assert not app.screen.query(Button)  # no stray dialog left behind


async def test_export_goes_to_the_configured_folder_or_says_why_not(make_app: AppFactory, tmp_path: Any) -> None:
    target = tmp_path / "exports"
    target.mkdir()
    async with make_app(playground={"export_dir": str(target)}) as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "keep this one")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        await pilot.press("f6")
        assert sorted(p.suffix for p in target.glob("switchboard-*")) == [".json", ".md"]
        app.settings.playground.export_dir = str(tmp_path / "missing")
        await pilot.press("f6")
        assert any(n.message.startswith("Export failed: No such file or directory") for n in app._notifications)
        assert not (tmp_path / "missing").exists()
