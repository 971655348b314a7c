"""F5, rate limits and AI gateway: add, change and remove limits, switch gateway settings, watch this minute's use.

Driven through the app under Pilot; what is stored is read back through the Workspace protocol.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from tests.helpers.app import focused, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.demo import DEMO_REF
from tui.app.manage.gateway_dialog import GatewayDialog, control_id
from tui.app.manage.limit_dialogs import LimitDialog
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import SwitchboardError
from tui.domain.gateway import AiGatewayConfig, AiGatewayRateLimit, RateLimit
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body
from tui.widgets.confirm import ConfirmDialog

CHAT = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5}
LIMITED = "gpt-4o-mini"
"""The demo endpoint with a legacy limit of 20 calls a minute per user."""
FREE = "claude-haiku"
"""A demo endpoint with no limit."""


async def open_limits(app: Any, pilot: Any, endpoint: str = LIMITED) -> RateLimitsScreen:
    """F5, with ``endpoint`` selected in the list."""
    await pilot.press("f5")
    await wait_until(
        pilot, lambda: isinstance(app.screen, RateLimitsScreen) and app.screen.query_one("#limits").row_count
    )
    screen: RateLimitsScreen = app.screen
    table = screen.query_one("#limits", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(endpoint))
    await wait_until(pilot, lambda: str(screen.query_one("#detail-title", Static).content) == endpoint)
    return screen


def cells(screen: Any, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def open_dialog(app: Any, pilot: Any, key: str, kind: type) -> Any:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind))
    await pilot.pause()
    return app.screen


async def fill(dialog: Any, pilot: Any, **values: str) -> None:
    """Set the limit dialog's fields: kind and key are chosen, numbers and the principal typed."""
    for field in ("kind", "key"):
        if field in values:
            dialog.query_one(f"#limit-{field}", Select).value = values.pop(field)
            await pilot.pause()
    for field, text in values.items():
        box = dialog.query_one(f"#limit-{field}", Input)
        box.value = ""
        box.focus()
        if text:
            await pilot.press(*text)


def error_at(dialog: Any, field: str) -> str:
    """The error shown at ``field`` ('' for the dialog's own line), or '' when it shows none."""
    line = next(w for w in dialog.query(".field-error").results(Static) if w.name == field)
    return str(line.content) if line.display else ""


async def legacy(app: Any, name: str) -> list[RateLimit]:
    return (await app.workspace.get_endpoint(name)).rate_limits or []


async def gateway(app: Any, name: str) -> AiGatewayConfig | None:
    return (await app.workspace.get_endpoint(name)).ai_gateway


async def test_a_legacy_limit_of_20_calls_per_user_is_added_and_stored(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot, FREE)
        assert screen.query_one("#legacy-empty").display
        dialog = await open_dialog(app, pilot, "a", LimitDialog)
        await fill(dialog, pilot, kind="legacy", key="user", calls="20")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        assert await legacy(app, FREE) == [RateLimit(calls=20, key="user", renewal_period="minute")]
        await wait_until(pilot, lambda: cells(screen, "legacy-limits") != [])
        assert cells(screen, "legacy-limits")[0][:2] == ["20", "each user"]
        assert "0/20" in cells(screen, "legacy-limits")[0][2]


async def test_an_ai_gateway_limit_on_tokens_for_a_group(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "a", LimitDialog)
        assert dialog.query_one("#limit-kind", Select).value == "gateway"
        await fill(dialog, pilot, key="user_group", tokens="5000", principal="data-team")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen)
        stored = await gateway(app, FREE)
        assert stored is not None
        assert stored.rate_limits == [AiGatewayRateLimit(tokens=5000, key="user_group", principal="data-team")]
        await wait_until(pilot, lambda: cells(screen, "gateway-limits") != [])
        # the current user is in no group this workspace knows: the limit counts others
        assert cells(screen, "gateway-limits")[0] == ["-", "5,000", "group data-team", "counts others", "counts others"]


BAD_INPUTS = [
    ({"kind": "legacy", "calls": "0"}, "calls", "must be 1 or more"),
    ({"kind": "legacy", "calls": "-5"}, "calls", "must be 1 or more"),
    ({"kind": "legacy", "calls": "twenty"}, "calls", "must be a whole number"),
    ({"kind": "legacy", "calls": ""}, "calls", "is required"),
    ({"kind": "gateway", "calls": "", "tokens": "0"}, "tokens", "must be 1 or more"),
    ({"kind": "gateway", "calls": "", "tokens": "1e3"}, "tokens", "must be a whole number"),
    ({"kind": "gateway", "calls": "", "tokens": ""}, "calls", "give 'calls', 'tokens' or both"),
    ({"kind": "gateway", "key": "user_group", "calls": "5"}, "principal", "needs a 'principal'"),
    (
        {"kind": "gateway", "key": "service_principal", "calls": "5", "principal": "   "},
        "principal",
        "needs a 'principal'",
    ),
]


async def test_each_bad_input_is_shown_at_its_field_and_nothing_is_stored(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot, FREE)
        for values, field, words in BAD_INPUTS:  # one app for all: each case in a fresh dialog
            dialog = await open_dialog(app, pilot, "a", LimitDialog)
            await fill(dialog, pilot, **values)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda d=dialog, f=field, w=words: w in error_at(d, f))
            await wait_until(pilot, lambda d=dialog, f=field: d.focused is not None and d.focused.name == f)
            assert app.screen is dialog, values
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen)
        assert await legacy(app, FREE) == []
        assert await gateway(app, FREE) is None


async def test_an_error_goes_once_the_field_is_fixed(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "a", LimitDialog)
        await fill(dialog, pilot, calls="0")
        await pilot.press("enter")
        assert error_at(dialog, "calls")
        await fill(dialog, pilot, calls="7")
        assert error_at(dialog, "calls") == ""


async def test_only_known_keys_are_offered_and_legacy_limits_only_user_or_endpoint(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "a", LimitDialog)

        def offered() -> list[str]:
            return [str(value) for _, value in dialog.query_one("#limit-key", Select)._options]

        assert offered() == ["user", "endpoint", "user_group", "service_principal"]
        await fill(dialog, pilot, kind="legacy")
        assert offered() == ["user", "endpoint"]
        assert not dialog.query_one("#limit-tokens-row").display
        assert not dialog.query_one("#limit-principal-row").display


async def test_a_limit_is_changed_in_place(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.workspace.put_ai_gateway(LIMITED, AiGatewayConfig(rate_limits=[AiGatewayRateLimit(tokens=77)]))
        screen = await open_limits(app, pilot)
        await wait_until(pilot, lambda: cells(screen, "gateway-limits") != [])
        screen.query_one("#gateway-limits").focus()
        dialog = await open_dialog(app, pilot, "e", LimitDialog)
        assert dialog.query_one("#limit-tokens", Input).value == "77"  # e edits the limit of the focused table
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        screen.query_one("#legacy-limits").focus()
        dialog = await open_dialog(app, pilot, "e", LimitDialog)
        assert dialog.query_one("#limit-calls", Input).value == "20"
        assert dialog.query_one("#limit-kind", Select).disabled
        await fill(dialog, pilot, calls="30")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        assert await legacy(app, LIMITED) == [RateLimit(calls=30, key="user", renewal_period="minute")]


async def test_a_limit_is_removed_only_once_confirmed(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot)
        screen.query_one("#legacy-limits").focus()
        confirm = await open_dialog(app, pilot, "d", ConfirmDialog)
        assert "20 calls/minute per user" in " ".join(str(s.content) for s in confirm.query(Static))
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert await legacy(app, LIMITED) != []
        await open_dialog(app, pilot, "d", ConfirmDialog)
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.query_one("#legacy-empty").display)
        assert await legacy(app, LIMITED) == []


async def test_a_gateway_limit_is_removed_and_the_other_settings_kept(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        stored = parse_stored(
            AiGatewayConfig,
            {"rate_limits": [{"calls": 3, "key": "endpoint"}], "usage_tracking_config": {"enabled": True}},
        )
        await app.workspace.put_ai_gateway(FREE, stored)
        screen = await open_limits(app, pilot, FREE)
        await wait_until(pilot, lambda: cells(screen, "gateway-limits") != [])
        await pilot.click("#limit-delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-ok")
        await wait_until(pilot, lambda: screen.query_one("#gateway-empty").display)
        after = await gateway(app, FREE)
        assert after is not None and after.rate_limits is None
        assert after.usage_tracking_config is not None and after.usage_tracking_config.enabled


async def test_usage_tracking_and_a_guardrail_are_switched_on_and_stored(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.workspace.put_ai_gateway(FREE, AiGatewayConfig(rate_limits=[AiGatewayRateLimit(calls=9)]))
        screen = await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "g", GatewayDialog)
        assert app.screen.focused is dialog.query_one(f"#{control_id('usage_tracking_config.enabled')}", Checkbox)
        await pilot.press("space")
        dialog.query_one(f"#{control_id('guardrails.input.pii.behavior')}", Select).value = "BLOCK"
        dialog.query_one(f"#{control_id('guardrails.input.safety')}", Checkbox).value = True
        keywords = dialog.query_one(f"#{control_id('guardrails.output.invalid_keywords')}", Input)
        await focused(pilot, keywords)
        await pilot.press(*"secret, password")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen)
        stored = await gateway(app, FREE)
        assert stored is not None
        assert stored.to_json() == {
            "rate_limits": [{"calls": 9, "renewal_period": "minute"}],
            "usage_tracking_config": {"enabled": True},
            "guardrails": {
                "input": {"safety": True, "pii": {"behavior": "BLOCK"}},
                "output": {"invalid_keywords": ["secret", "password"]},
            },
        }
        await wait_until(pilot, lambda: "Usage tracking: on" in str(screen.query_one("#gateway-settings").content))
        shown = str(screen.query_one("#gateway-settings", Static).content)
        assert "Guardrails on input: safety filter; PII BLOCK" in shown
        assert "Guardrails on output: refuses secret, password" in shown


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("guardrails.input.invalid_keywords", "fine, bad\x1b[2J", "control character"),
        ("inference_table_config.schema_name", "logs", "needs 'catalog_name'"),
    ],
)
async def test_bad_gateway_settings_are_shown_at_their_field_and_nothing_is_stored(
    make_app: AppFactory, field: str, text: str, words: str
) -> None:
    async with make_app() as (app, pilot):
        await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "g", GatewayDialog)
        dialog.query_one(f"#{control_id('inference_table_config.enabled')}", Checkbox).value = "inference" in field
        dialog.query_one(f"#{control_id(field)}", Input).value = text
        await pilot.press("ctrl+s")
        where = "inference_table_config.catalog_name" if "inference" in field else field
        await wait_until(pilot, lambda: words in error_at(dialog, where))
        assert app.screen is dialog
        assert await gateway(app, FREE) is None


@pytest.mark.parametrize("key", ["a", "e", "g"])
async def test_esc_closes_a_dialog_and_changes_nothing(make_app: AppFactory, key: str) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot)
        before = (await app.workspace.get_endpoint(LIMITED)).model_dump()
        screen.query_one("#legacy-limits").focus()
        dialog = await open_dialog(app, pilot, key, GatewayDialog if key == "g" else LimitDialog)
        if key == "g":
            await pilot.press("space")  # usage tracking on, then thrown away
        else:
            await fill(dialog, pilot, calls="99")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.1)
        assert (await app.workspace.get_endpoint(LIMITED)).model_dump() == before


async def test_a_workspace_error_is_shown_in_the_dialog_which_stays_open(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_limits(app, pilot, FREE)
        dialog = await open_dialog(app, pilot, "a", LimitDialog)
        await app.workspace.delete_endpoint(FREE)  # gone meanwhile, e.g. from the command line
        await fill(dialog, pilot, calls="5")
        await pilot.press("enter")
        await wait_until(pilot, lambda: error_at(dialog, "") != "")
        assert FREE in error_at(dialog, "")
        assert app.screen is dialog
        assert dialog.query_one("#limit-calls", Input).value == "5"


async def test_a_limit_changed_elsewhere_meanwhile_is_not_overwritten(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot)
        screen.query_one("#legacy-limits").focus()
        dialog = await open_dialog(app, pilot, "e", LimitDialog)
        await app.workspace.put_rate_limits(LIMITED, [RateLimit(calls=50, key="endpoint")])
        await fill(dialog, pilot, calls="30")
        await pilot.press("enter")
        await wait_until(pilot, lambda: error_at(dialog, "") != "")
        assert "changed elsewhere" in error_at(dialog, "")
        assert await legacy(app, LIMITED) == [RateLimit(calls=50, key="endpoint", renewal_period="minute")]


async def test_the_meter_moves_live_after_a_query(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot)
        await wait_until(pilot, lambda: cells(screen, "legacy-limits") != [])
        assert cells(screen, "legacy-limits")[0][2].endswith(" 0/20")
        await app.workspace.query(LIMITED, CHAT)
        await wait_until(pilot, lambda: cells(screen, "legacy-limits")[0][2].endswith(" 1/20"), seconds=5)
        assert cells(screen, "limits")[[row[0] for row in cells(screen, "limits")].index(LIMITED)][2].endswith(
            " 1/20 calls"
        )


async def test_a_full_meter_when_the_limit_refuses_calls(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.workspace.put_rate_limits(FREE, [RateLimit(calls=1, key="user")])
        screen = await open_limits(app, pilot, FREE)
        await app.workspace.query(FREE, CHAT)
        with pytest.raises(SwitchboardError) as refused:
            await app.workspace.query(FREE, CHAT)
        assert refused.value.error_code == "REQUEST_LIMIT_EXCEEDED"
        await pilot.press("r")
        await wait_until(pilot, lambda: cells(screen, "legacy-limits")[0][2] == "████████████ 1/1")


@pytest.mark.parametrize("fault", [401, 500])
async def test_a_call_the_provider_refuses_still_counts_and_the_screen_stays_up(
    make_app: AppFactory, simulator: Simulator, fault: int
) -> None:
    async with make_app() as (app, pilot):
        model = f"gpt-4o@fault={fault}"
        body = endpoint_body(simulator.base_url, "openai", "chat", model=model, name="broken", secret=DEMO_REF)
        body["rate_limits"] = [{"calls": 5, "key": "user", "renewal_period": "minute"}]
        await app.workspace.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        screen = await open_limits(app, pilot, "broken")
        with pytest.raises(SwitchboardError):
            await app.workspace.query("broken", CHAT)
        await pilot.press("r")
        await wait_until(pilot, lambda: cells(screen, "legacy-limits")[0][2].endswith(" 1/5"))
        assert app.screen is screen


async def test_no_endpoints_says_what_to_do(make_app: AppFactory) -> None:
    async with make_app(populate_workspace=False) as (app, pilot):
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, RateLimitsScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.query_one("#limits-empty").display)
        assert "press a" in str(screen.query_one("#limits-empty", Static).content)
        assert not screen.query_one("#limits-body").display
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen


async def test_the_buttons_work_with_the_mouse(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot, FREE)
        await pilot.click("#limit-add")
        await wait_until(pilot, lambda: isinstance(app.screen, LimitDialog))
        await pilot.click("#form-cancel")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.click("#limit-gateway")
        await wait_until(pilot, lambda: isinstance(app.screen, GatewayDialog))
        assert app.screen.query_one("#form-save", Button)


async def test_a_principal_that_looks_like_markup_is_shown_as_typed(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        limit = AiGatewayRateLimit(calls=2, key="user_group", principal="[b]team[/b]")
        await app.workspace.put_ai_gateway(FREE, AiGatewayConfig(rate_limits=[limit]))
        screen = await open_limits(app, pilot, FREE)
        await wait_until(pilot, lambda: cells(screen, "gateway-limits") != [])
        assert cells(screen, "gateway-limits")[0][2] == "group [b]team[/b]"


async def test_a_new_limit_starts_at_its_kind_and_a_changed_one_at_its_calls(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_limits(app, pilot)
        dialog = await open_dialog(app, pilot, "a", LimitDialog)
        assert dialog.focused is dialog.query_one("#limit-kind", Select)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        screen.query_one("#legacy-limits").focus()
        dialog = await open_dialog(app, pilot, "e", LimitDialog)
        assert dialog.focused is dialog.query_one("#limit-calls", Input)
