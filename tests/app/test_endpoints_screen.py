"""F3, the endpoints hub, and the endpoint detail view: driven as a user would, on demo endpoints the
simulator serves."""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Button, DataTable, Input, Sparkline, Static

from tests.helpers.app import panes, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.app import SwitchboardApp
from tui.app.demo import DEMO_REF
from tui.app.manage.endpoint_detail import EndpointDetailScreen
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.endpoints_rows import COLUMNS, cells, limits, served, traffic
from tui.app.manage.json_view import JsonViewScreen
from tui.app.playground.screen import PlaygroundScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed
from tui.domain.errors import SwitchboardError
from tui.simulator.endpoints import endpoint_body
from tui.widgets.confirm import ConfirmDialog

DEMO_ENDPOINTS = 9
CHAT = {"messages": [{"role": "user", "content": "hello"}], "max_tokens": 20}


def split_body(base: str) -> dict[str, Any]:
    """An endpoint with two served entities, 80/20, a gateway limit and a description full of markup."""
    body = endpoint_body(base, "openai", "chat", name="ab-split", entity="a", secret=DEMO_REF)
    second = copy.deepcopy(body["config"]["served_entities"][0])
    second["name"] = "b"
    second["external_model"]["name"] = "gpt-4o"
    body["config"]["served_entities"].append(second)
    body["config"]["traffic_config"] = {
        "routes": [
            {"served_entity_name": "a", "traffic_percentage": 80},
            {"served_entity_name": "b", "traffic_percentage": 20},
        ]
    }
    body["ai_gateway"] = {"rate_limits": [{"calls": 5, "tokens": 900, "key": "endpoint", "renewal_period": "minute"}]}
    body["description"] = "[bold red]not markup[/] \x1b[31m"
    return body


async def add_endpoint(app: SwitchboardApp, body: dict[str, Any]) -> None:
    await app.workspace.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


async def open_list(app: SwitchboardApp, pilot: Any, count: int = DEMO_ENDPOINTS) -> DataTable[Text]:
    await pilot.press("f3")
    assert isinstance(app.screen, EndpointsScreen)
    table = app.screen.query_one("#endpoints", DataTable)
    await wait_until(pilot, lambda: table.row_count == count)
    return table


def listed(table: DataTable[Text]) -> list[str]:
    return [str(key.value) for key in table.rows]


def column(table: DataTable[Text], index: int) -> list[str]:
    return [str(cell) for cell in table.get_column_at(index)]


def header(table: DataTable[Text], index: int) -> str:
    return table.ordered_columns[index].label.plain


async def select(pilot: Any, table: DataTable[Text], name: str) -> None:
    table.focus()
    table.move_cursor(row=table.get_row_index(name))
    await pilot.pause()


def notes(app: SwitchboardApp) -> list[str]:
    return [n.message for n in app._notifications]


# -- the list


async def test_list_shows_state_task_served_traffic_limits(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await add_endpoint(app, split_body(simulator.base_url))
        table = await open_list(app, pilot, DEMO_ENDPOINTS + 1)
        row = dict(zip(COLUMNS, (str(c) for c in table.get_row("ab-split")), strict=True))
        assert row["State"] == "Ready" and row["Task"] == "llm/v1/chat"
        assert row["Served (provider:model)"] == "openai:gpt-4o-mini, openai:gpt-4o"
        assert row["Traffic"] == "a 80% · b 20%"
        assert row["Limits"] == "5 calls + 900 tokens/min per endpoint (gateway)"
        azure = dict(zip(COLUMNS, (str(c) for c in table.get_row("azure-gpt-4o")), strict=True))
        assert azure["Served (provider:model)"] == "Azure OpenAI:gpt-4o"  # simulator knobs left out of the name
        mini = dict(zip(COLUMNS, (str(c) for c in table.get_row("gpt-4o-mini")), strict=True))
        assert mini["Limits"] == "20 calls/min per user" and mini["Traffic"] == "100%"
        assert app.screen.query_one("#endpoints-count", Static).content == "10 endpoints"


async def test_filter_narrows_as_you_type_and_esc_clears(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#endpoints-filter", Input)
        await pilot.press(*"embed")
        assert sorted(listed(table)) == ["embed-large", "embed-small"]
        assert app.screen.query_one("#endpoints-count", Static).content == "2 of 9 match"
        await pilot.press("space", *"LARGE")  # every word must match, in any case
        assert listed(table) == ["embed-large"]
        await pilot.press("escape")
        assert len(listed(table)) == DEMO_ENDPOINTS and app.focused is table
        assert app.screen.query_one("#endpoints-filter", Input).value == ""


async def test_filter_reads_provider_as_shown_and_says_when_nothing_matches(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await pilot.press("slash", *"azure openai")
        assert listed(table) == ["azure-gpt-4o"]
        await pilot.press(*" zzz")
        assert listed(table) == []
        assert "none match" in str(app.screen.query_one("#endpoints-count", Static).content)
        assert app.screen.query_one("#do-delete", Button).disabled
        await pilot.press("enter")  # back to the table; keys there act on rows, and there is none
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        assert len(listed(table)) == DEMO_ENDPOINTS and not app.screen.query_one("#do-delete", Button).disabled


async def test_keys_typed_in_the_filter_are_text_not_actions(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await pilot.press("slash", *"dpjv")
        assert isinstance(app.screen, EndpointsScreen)
        assert app.screen.query_one("#endpoints-filter", Input).value == "dpjv" and listed(table) == []


def in_order(table: DataTable[Text], index: int, stamps: dict[str, int], descending: bool) -> bool:
    """Whether the rows are sorted by column ``index`` (the last update by its time, not the minute shown)."""
    if COLUMNS[index] == "Last updated":
        values: list[Any] = [stamps[name] for name in listed(table)]
    else:
        values = [text.casefold() for text in column(table, index)]
    return values == sorted(values, reverse=descending)


async def test_sort_by_each_column_both_ways(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await add_endpoint(app, split_body(simulator.base_url))
        table = await open_list(app, pilot, DEMO_ENDPOINTS + 1)
        stamps = {e.name: e.last_updated_timestamp or 0 for e in await app.workspace.list_endpoints()}
        for index, title in enumerate(COLUMNS):
            if index:
                await pilot.press("s")  # by name at first; s moves on to the next column
            assert [header(table, i) for i in range(len(COLUMNS))].count(f"{title} ▲") == 1, title
            assert not any(header(table, i).endswith(("▲", "▼")) for i in range(len(COLUMNS)) if i != index), title
            ascending = listed(table)
            assert in_order(table, index, stamps, descending=False), title
            await pilot.press("S")
            assert header(table, index) == f"{title} ▼"
            assert in_order(table, index, stamps, descending=True), title
            descending = listed(table)
            assert sorted(descending) == sorted(ascending)
            if len(set(column(table, index))) == len(ascending):  # no ties: exactly the other way round
                assert descending == ascending[::-1], title
            await pilot.press("S")
            assert listed(table) == ascending, title
        assert listed(table)[-1] == "ab-split"  # by last update, newest last: it was created last
        await pilot.press("s")
        assert header(table, 0) == "Name ▲", "s cycles back to the first column"


async def test_clicking_a_header_sorts_and_again_reverses(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        x = sum(c.get_render_width(table) for c in table.ordered_columns[:2]) + 2  # inside the third: Task
        await pilot.click(table, offset=(x, 0))
        assert header(table, 2) == "Task ▲"
        tasks = column(table, 2)
        assert tasks == sorted(tasks) and tasks[0] == "llm/v1/chat"
        await pilot.click(table, offset=(x, 0))
        assert header(table, 2) == "Task ▼" and column(table, 2)[0] == "llm/v1/embeddings"


async def test_refresh_keeps_the_place_filter_and_sort(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await pilot.press("slash", *"gpt", "enter", "S")
        before = listed(table)
        await select(pilot, table, before[1])
        await pilot.press("r")
        await pilot.pause(0.3)
        assert listed(table) == before and table.cursor_row == 1
        await pilot.press("f2", "f3")  # coming back reloads too
        await pilot.pause(0.3)
        assert listed(table) == before and table.cursor_row == 1


# -- actions


async def test_delete_asks_naming_the_endpoint_and_deletes_only_on_yes(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "claude-haiku")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        said = " ".join(str(s.content) for s in app.screen.query(Static))
        assert "Delete endpoint claude-haiku?" in said and "anthropic:claude-3-5-haiku" in said
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen))
        await pilot.pause(0.2)
        assert "claude-haiku" in {e.name for e in await app.workspace.list_endpoints()}
        await pilot.press("escape")  # Esc on the question is no as well
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen))
        await pilot.pause(0.2)
        assert "claude-haiku" in {e.name for e in await app.workspace.list_endpoints()}
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: table.row_count == DEMO_ENDPOINTS - 1)
        names = {e.name for e in await app.workspace.list_endpoints()}
        assert "claude-haiku" not in names and len(names) == DEMO_ENDPOINTS - 1
        assert "claude-haiku" not in listed(table)
        assert "Deleted endpoint claude-haiku" in notes(app)


async def test_delete_of_an_endpoint_gone_meanwhile_says_so(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "llama-slow")
        await app.workspace.delete_endpoint("llama-slow")  # from a shell, say
        await pilot.click("#do-delete")  # the mouse way
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: any("llama-slow" in n and "exist" in n for n in notes(app)))
        assert isinstance(app.screen, EndpointsScreen)


async def test_open_in_playground_shows_that_endpoint_in_a_pane(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "llama-slow")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        assert app.current_mode == "playground"
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["llama-slow"])


async def test_playground_button_does_the_same(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "instruct")
        await pilot.click("#do-playground")
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["instruct"])


async def test_json_view_of_the_selected_endpoint(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "embed-small")
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, JsonViewScreen))
        text = app.screen.query_one("#json-text").text
        assert '"name": "embed-small"' in text and "{{secrets/demo/sim_key}}" in text and "sim-key" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, EndpointsScreen) and app.focused is table


async def test_copy_as_offers_snippets_of_the_selected_endpoint(make_app: AppFactory) -> None:
    from textual.widgets import OptionList

    from tui.widgets.copy_as import CopyAsDialog

    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "gpt-4o-mini")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyAsDialog))
        assert "gpt-4o-mini" in str(app.screen.query_one("#copy-as-title").content)
        assert app.screen.query_one(OptionList).option_count >= 3
        await pilot.press("escape")
        assert isinstance(app.screen, EndpointsScreen)


@pytest.mark.parametrize(
    ("key", "module", "screen_class"),
    [
        ("t", "probe_dialog", "ProbeDialog"),
        ("e", "editor", "EndpointEditorScreen"),
        ("D", "editor", "EndpointEditorScreen"),
        ("n", "editor", "EndpointEditorScreen"),
    ],
)
async def test_test_and_editor_open_on_their_keys(
    make_app: AppFactory, key: str, module: str, screen_class: str
) -> None:
    opened = getattr(pytest.importorskip(f"tui.app.manage.{module}"), screen_class)
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await select(pilot, table, "claude-haiku")
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, opened))


async def test_a_saved_endpoint_is_listed_and_selected_even_when_the_filter_hid_it(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, simulator: Any
) -> None:
    """What the list does with the editor's answer (the editor itself is tested with the editor)."""
    from textual.screen import ModalScreen

    body = endpoint_body(simulator.base_url, "openai", "chat", name="zz-new", secret=DEMO_REF)

    class Editor(ModalScreen[str | None]):
        def __init__(self, endpoint: ServingEndpointDetailed | None, *, duplicate: bool = False) -> None:
            super().__init__()

        async def on_mount(self) -> None:
            await add_endpoint(self.app, body)  # type: ignore[arg-type]
            self.dismiss("zz-new")

    module = type(sys)("tui.app.manage.editor")
    module.EndpointEditorScreen = Editor  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tui.app.manage.editor", module)
    async with make_app() as (app, pilot):
        table = await open_list(app, pilot)
        await pilot.press("slash", *"embed", "enter", "n")
        await wait_until(pilot, lambda: "zz-new" in listed(table))
        await wait_until(pilot, lambda: table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "zz-new")
        assert app.screen.query_one("#endpoints-filter", Input).value == ""


async def test_empty_workspace_says_how_to_start_in_the_app(make_app: AppFactory) -> None:
    async with make_app(demo=False, populate_workspace=False) as (app, pilot):
        await pilot.press("f3")
        empty = app.screen.query_one("#endpoints-empty", Static)
        await wait_until(pilot, lambda: empty.display)
        text = str(empty.content)
        assert "Press n" in text and "F4" in text
        assert not app.screen.query_one("#endpoints-body").display
        assert not app.screen.query_one("#do-new", Button).disabled
        assert all(b.disabled for b in app.screen.query(Button) if b.id != "do-new")
        await pilot.press("d", "j", "v", "p")  # nothing to act on: nothing happens, nothing breaks
        await pilot.pause(0.2)
        assert isinstance(app.screen, EndpointsScreen) and app.current_mode == "endpoints"


# -- the detail view


async def open_detail(app: SwitchboardApp, pilot: Any, name: str) -> EndpointDetailScreen:
    table = await open_list(app, pilot, len(await app.workspace.list_endpoints()))
    await select(pilot, table, name)
    await pilot.press("v")
    await wait_until(pilot, lambda: isinstance(app.screen, EndpointDetailScreen))
    screen = app.screen
    assert isinstance(screen, EndpointDetailScreen)
    await wait_until(pilot, lambda: screen.endpoint is not None and screen.series is not None)
    return screen


async def test_detail_shows_calls_after_a_query(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.workspace.query("gpt-4o-mini", CHAT)
        screen = await open_detail(app, pilot, "gpt-4o-mini")
        calls = screen.query_one("#usage-calls", Sparkline)
        assert calls.data is not None and len(calls.data) == 60 and calls.data[-1] == 1 and sum(calls.data) == 1
        assert str(screen.query_one("#usage-calls-total", Static).content).startswith("Calls  1 in the hour")
        tokens = screen.query_one("#usage-tokens", Sparkline).data
        assert tokens is not None and tokens[-1] > 0
        await app.workspace.query("gpt-4o-mini", CHAT)
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.series is not None and screen.series.total_calls == 2)
        assert sum(screen.query_one("#usage-calls", Sparkline).data) == 2  # type: ignore[arg-type]  # the minute may turn


async def test_detail_counts_errors_and_nothing_of_other_endpoints(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await app.workspace.query("claude-haiku", CHAT)
        with pytest.raises(SwitchboardError):  # the simulator cuts this one's answers short
            await app.workspace.query("flaky-gpt", CHAT)
        screen = await open_detail(app, pilot, "flaky-gpt")
        assert screen.series is not None and (screen.series.total_calls, screen.series.total_errors) == (1, 1)
        errors = screen.query_one("#usage-errors", Sparkline).data
        assert errors is not None and sum(errors) == 1  # this minute's, or the last one's on a slow machine
        await pilot.press("escape")
        screen = await open_detail(app, pilot, "gpt-4o-mini")
        assert screen.series is not None and screen.series.total_calls == 0
        assert "No calls in the last hour" in str(screen.query_one("#detail-usage-note", Static).content)


async def test_detail_shows_state_entities_traffic_limits_and_tags(make_app: AppFactory, simulator: Any) -> None:
    async with make_app() as (app, pilot):
        await add_endpoint(app, split_body(simulator.base_url))
        screen = await open_detail(app, pilot, "ab-split")
        entities = screen.query_one("#detail-entities", DataTable)
        rows = {str(k.value): [str(c) for c in entities.get_row(k)] for k in entities.rows}
        assert rows == {
            "0:a": ["a", "openai", "gpt-4o-mini", "llm/v1/chat", "80%", "ready"],
            "1:b": ["b", "openai", "gpt-4o", "llm/v1/chat", "20%", "ready"],
        }
        overview = _shown(screen, "#detail-overview")
        assert "Ready" in overview and "Config version 1" in overview
        assert "[bold red]not markup[/]" in overview and "\x1b" not in overview  # as typed, inert
        limits_text = _shown(screen, "#detail-limits")
        assert "5 calls + 900 tokens/min per endpoint" in limits_text and "Rate limits none" in limits_text


async def test_detail_keys_reach_json_and_playground_and_esc_goes_back(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_detail(app, pilot, "claude-haiku")
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(app.screen, JsonViewScreen))
        assert '"name": "claude-haiku"' in app.screen.query_one("#json-text").text
        await pilot.press("escape")
        assert isinstance(app.screen, EndpointDetailScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, EndpointsScreen)
        await pilot.press("i")  # the other detail key
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointDetailScreen))
        await pilot.press("p")
        await wait_until(pilot, lambda: [p.endpoint for p in panes(app)] == ["claude-haiku"])


async def test_detail_of_an_endpoint_deleted_meanwhile_says_so_once(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        screen = await open_detail(app, pilot, "flaky-gpt")
        await app.workspace.delete_endpoint("flaky-gpt")
        await pilot.press("r")
        title = screen.query_one("#detail-title", Static)
        await wait_until(pilot, lambda: "exist" in str(title.content))
        await wait_until(pilot, lambda: any("flaky-gpt" in n and "exist" in n for n in notes(app)))
        await pilot.press("r")
        await pilot.pause(0.3)
        assert sum("flaky-gpt" in n and "exist" in n for n in notes(app)) == 1
        assert isinstance(app.screen, EndpointDetailScreen)


async def test_detail_when_usage_cannot_be_read(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    async with make_app() as (app, pilot):

        def broken(*args: Any, **kwargs: Any) -> list[Any]:
            raise OSError("disk unplugged")

        monkeypatch.setattr(app.workspace.usage, "rows", broken)
        await pilot.press("f3")
        table = app.screen.query_one("#endpoints", DataTable)
        await wait_until(pilot, lambda: table.row_count == DEMO_ENDPOINTS)
        await select(pilot, table, "instruct")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointDetailScreen))
        note = app.screen.query_one("#detail-usage-note", Static)
        await wait_until(pilot, lambda: "disk unplugged" in str(note.content))
        assert "Usage could not be read" in str(note.content)


def _shown(screen: EndpointDetailScreen, selector: str) -> str:
    """A facts block as the terminal shows it, whitespace collapsed."""
    import io

    from rich.console import Console

    console = Console(width=120, file=io.StringIO(), record=True)
    console.print(screen.query_one(selector, Static).content)
    return " ".join(console.export_text().split())


# -- how a row reads (plain functions)


def endpoint(**fields: Any) -> ServingEndpointDetailed:
    return ServingEndpointDetailed.model_validate({"name": "x", **fields})


def entity(name: str, model: str, provider: str = "google-cloud-vertex-ai") -> dict[str, Any]:
    return {"name": name, "external_model": {"name": model, "provider": provider, "task": "llm/v1/chat"}}


def test_a_real_model_name_keeps_its_at_version() -> None:
    e = endpoint(config={"served_entities": [entity("v", "claude-3-5-sonnet@20240620")]})
    assert served(e) == "google-cloud-vertex-ai:claude-3-5-sonnet@20240620"


def test_rows_of_an_endpoint_with_little_in_it() -> None:
    e = endpoint()
    assert cells(e) == ("x", "-", "-", "-", "-", "-", "-")
    assert traffic(endpoint(config={"served_entities": [entity("a", "m"), entity("b", "n")]})) == "-"
    assert limits(endpoint(rate_limits=[{"calls": 3}])) == "3 calls/min per endpoint"
    updating = endpoint(state={"ready": "NOT_READY", "config_update": "IN_PROGRESS"})
    assert cells(updating)[1] == "Not ready · updating"
