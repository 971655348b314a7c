"""The "Test endpoint" dialog, the "Copy as" dialog and a playground pane's "Copy as…" (x), driven by Pilot."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList, Static, TextArea

from tests.helpers.app import focused, panes, send, wait_until
from tests.helpers.demo_app import AppFactory
from tests.security.hostile import hostile_server
from tui.app.demo import DEMO_REF
from tui.app.manage.probe_dialog import ProbeDialog
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.manage.copy_as import FORMATS
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body
from tui.widgets.copy_as import CopyAsDialog


async def add_endpoint(app: Any, base: str, name: str, model: str = "gpt-4o-mini") -> Any:
    body = endpoint_body(base, "openai", "chat", model=model, name=name, secret=DEMO_REF)
    return await app.workspace.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


def shown(dialog: ProbeDialog, selector: str) -> str:
    """The text the dialog shows at ``selector``, markup as it was read ("" until it is composed)."""
    found = dialog.query(selector)
    return str(found.first(Static).render()).strip() if found else ""


def status_of(dialog: ProbeDialog) -> str:
    return shown(dialog, "#probe-status")


def message_of(dialog: ProbeDialog) -> str:
    return shown(dialog, "#probe-message")


def footer_keys(app: Any) -> set[str]:
    return {b.binding.id for b in app.screen.active_bindings.values() if b.enabled and b.binding.id}


async def test_probe_dialog_tests_on_opening_and_again_with_r(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        endpoint = await app.workspace.get_endpoint("gpt-4o-mini")
        simulator.clear()
        dialog = ProbeDialog(endpoint)
        app.push_screen(dialog)
        await wait_until(pilot, lambda: "OK · 200" in status_of(dialog))
        assert status_of(dialog).startswith("✓ OK · 200 · ")
        assert dialog.query_one("#probe-box").has_class("-ok")
        assert not dialog.query_one("#probe-running").display
        assert "answered" in message_of(dialog)
        assert shown(dialog, "#probe-subject").startswith("openai · gpt-4o-mini@")
        assert footer_keys(app) >= {"probe-close", "probe-again"} and "probe-cancel" not in footer_keys(app)
        assert len(simulator.requests) == 1
        assert simulator.requests[0].body is not None and simulator.requests[0].body["max_tokens"] == 1
        await pilot.press("r")
        await wait_until(pilot, lambda: len(simulator.requests) == 2 and not dialog.running)
        assert status_of(dialog).startswith("✓ OK · 200")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not dialog)


async def test_probe_dialog_shows_a_refused_key_in_red(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        endpoint = await add_endpoint(app, simulator.base_url, "refused", "gpt-4o-mini@fault=401")
        dialog = ProbeDialog(endpoint)
        app.push_screen(dialog)
        await wait_until(pilot, lambda: status_of(dialog).startswith("✗"))
        assert "PERMISSION_DENIED · 401" in status_of(dialog)
        assert dialog.query_one("#probe-box").has_class("-error")
        assert "401" in message_of(dialog)


async def test_escape_cancels_a_running_test_then_closes(make_app: AppFactory, simulator: Simulator) -> None:
    async with make_app() as (app, pilot):
        endpoint = await add_endpoint(app, simulator.base_url, "stalls", "gpt-4o-mini@fault=slow_headers,stall_s=5")
        dialog = ProbeDialog(endpoint)
        app.push_screen(dialog)
        await wait_until(pilot, lambda: dialog.running and bool(simulator.requests))
        assert dialog.query_one("#probe-running").display
        assert "probe-cancel" in footer_keys(app) and "probe-again" not in footer_keys(app)
        await pilot.press("r")  # waits for the running test: nothing new starts
        await pilot.press("escape")
        await wait_until(pilot, lambda: not dialog.running)
        assert app.screen is dialog, "the first Esc only cancels"
        assert "Cancelled" in status_of(dialog) and dialog.query_one("#probe-box").has_class("-cancelled")
        await pilot.pause(0.2)
        assert "Cancelled" in status_of(dialog), "a cancelled test shows no late result"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not dialog)


async def test_a_providers_markup_and_escapes_are_shown_as_text(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        with hostile_server() as server:
            endpoint = await add_endpoint(app, server.base("escape400"), "hostile")
            dialog = ProbeDialog(endpoint)
            app.push_screen(dialog)
            await wait_until(pilot, lambda: status_of(dialog).startswith("✗"), seconds=10)
        message = message_of(dialog)
        assert "[bold red]not bold[/]" in message and "␛" in message


async def test_probe_of_an_endpoint_deleted_meanwhile_says_so(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        endpoint = await app.workspace.get_endpoint("instruct")
        await app.workspace.delete_endpoint("instruct")
        dialog = ProbeDialog(endpoint)
        app.push_screen(dialog)
        await wait_until(pilot, lambda: status_of(dialog).startswith("✗"))
        assert "RESOURCE_DOES_NOT_EXIST" in status_of(dialog)


# -- the copy-as dialog --------------------------------------------------------------------------------


def preview(app: Any) -> str:
    found = app.screen.query("#copy-as-preview")
    return str(found.first(TextArea).text) if found else ""


async def test_copy_as_dialog_previews_and_copies_the_chosen_form(make_app: AppFactory, copied: list[str]) -> None:
    snippets = {"Plain": "echo hi\n", "[b]Markup[/b] label": "[b]not bold[/b] \x1b[2J\n"}
    async with make_app() as (app, pilot):
        dialog = CopyAsDialog("Copy [i]x[/i] as", snippets, languages={"Plain": "bash", "nope": "klingon"})
        app.push_screen(dialog)
        await wait_until(pilot, lambda: app.screen is dialog and preview(app) == "echo hi\n")
        assert str(dialog.query_one("#copy-as-title", Static).render()) == "Copy [i]x[/i] as"
        await pilot.press("c")
        assert copied == ["echo hi\n"]
        await pilot.press("down")
        assert preview(app) == "[b]not bold[/b] ␛[2J\n", "shown literally, the escape made visible"
        await pilot.press("enter")
        assert copied[-1] == snippets["[b]Markup[/b] label"]
        await focused(pilot, dialog.query_one("#copy-as-preview", TextArea))
        await pilot.press("enter")
        assert len(copied) == 3, "Enter copies from the preview too"
        assert preview(app) == "[b]not bold[/b] ␛[2J\n", "the preview is read-only"
        assert "copy-as-copy" in footer_keys(app) and "copy-as-close" in footer_keys(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not dialog)


async def test_copy_as_dialog_with_nothing_to_copy_says_so(make_app: AppFactory, copied: list[str]) -> None:
    async with make_app() as (app, pilot):
        dialog = CopyAsDialog("Copy as", {})
        app.push_screen(dialog)
        await wait_until(pilot, lambda: app.screen is dialog)
        await pilot.press("c")
        assert not copied
        assert any("Nothing to copy" in str(n.message) for n in app._notifications)


# -- a pane's "Copy as…" ----------------------------------------------------------------------------------


async def test_pane_x_copies_its_last_request_as_code(make_app: AppFactory, copied: list[str]) -> None:
    async with make_app() as (app, pilot):
        app.screen.open_endpoints(["llama-slow"])  # slow (12 tokens a second): time to press x meanwhile
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["llama-slow"])
        first = panes(app)[0]
        await focused(pilot, first.view)
        await pilot.press("x")
        await wait_until(pilot, lambda: any("send a prompt first" in str(n.message) for n in app._notifications))
        assert not isinstance(app.screen, CopyAsDialog), "no request yet"
        await send(app, pilot, "Compare 'these' $(endpoints)")
        await wait_until(pilot, lambda: first.busy)
        await focused(pilot, first.view)
        await pilot.press("x")  # while the answer streams: the request it is answering
        await wait_until(pilot, lambda: isinstance(app.screen, CopyAsDialog))
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert FORMATS["curl"] in labels and FORMATS["mlflow"] in labels and FORMATS["create"] not in labels
        assert "Compare '\"'\"'these'\"'\"' $(endpoints)" in preview(app), "the prompt, quoted for the shell"
        await pilot.press("enter")
        assert copied and copied[-1].startswith("# ") and "curl -sS" in copied[-1]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CopyAsDialog))
        await pilot.press("ctrl+k")
        await wait_until(pilot, lambda: not first.busy)
        await focused(pilot, first.view)
        await pilot.press("x")  # over (here cancelled): the request of its last run
        await wait_until(pilot, lambda: isinstance(app.screen, CopyAsDialog))
        await pilot.press("down", "down", "down")
        assert "client.predict(" in preview(app) and "'content': \"Compare 'these' $(endpoints)\"" in preview(app)


async def test_pane_x_for_an_endpoint_gone_meanwhile_is_an_error_note(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "hello")
        first = panes(app)[0]
        await wait_until(pilot, lambda: first.busy)
        await pilot.press("ctrl+k")
        await wait_until(pilot, lambda: not first.busy)
        await app.workspace.delete_endpoint(first.endpoint)
        await focused(pilot, first.view)
        await pilot.press("x")
        await wait_until(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        assert not isinstance(app.screen, CopyAsDialog)
