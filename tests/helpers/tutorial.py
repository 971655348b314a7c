"""The Databricks external-models tutorial, step by step, done the way a user does it in the app: function keys to
go somewhere, a letter to act, Tab to the next field, typing, Enter, Esc. Each step waits for what the user would
wait for (the dialog to open, the row to show) and fails the test, saying what was missing, when it never comes.

Steps only press keys, paste, click and read what the screens show; they never call a screen's methods, so a
key that moved or a field that cannot be reached by the keyboard breaks them as it would stop the user.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select

from tests.helpers.app import screen_text, wait_until
from tui.app.manage.editor import EndpointEditorScreen
from tui.app.manage.editor_fields import Keyed
from tui.app.manage.editor_secret import SecretPicker
from tui.app.manage.endpoints import EndpointsScreen
from tui.app.manage.limit_dialogs import LimitDialog
from tui.app.manage.probe_dialog import ProbeDialog
from tui.app.manage.rate_limits import RateLimitsScreen
from tui.app.manage.secret_dialogs import CreateScopeDialog, PutSecretDialog
from tui.app.manage.secrets import SecretsScreen
from tui.app.playground.picker import EndpointPicker
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.simulator.endpoints import endpoint_body
from tui.widgets.confirm import ConfirmDialog
from tui.workspace.protocol import Workspace

OPENAI_SCOPE, OPENAI_KEY = "my_openai_secret_scope", "openai_api_key"
OPENAI_REF = f"{{{{secrets/{OPENAI_SCOPE}/{OPENAI_KEY}}}}}"
ANTHROPIC_SCOPE, ANTHROPIC_KEY = "my_anthropic_secret_scope", "anthropic_api_key"
ANTHROPIC_REF = f"{{{{secrets/{ANTHROPIC_SCOPE}/{ANTHROPIC_KEY}}}}}"
OPENAI_ENDPOINT = "openai-completions-endpoint"
ANTHROPIC_ENDPOINT = "anthropic-completions-endpoint"
COMPLETIONS = "llm/v1/completions"


# ---- a step already done, for a test of the step after it


async def stored_openai_endpoint(ws: Workspace, base: str, key: str, *, model: str = "gpt-3.5-turbo-instruct") -> None:
    """What steps 1 and 2 leave, made through the workspace: the OpenAI key ``key`` in its scope and the OpenAI
    completions endpoint reading it (``model`` may carry simulator knobs, e.g. ``@fault=500``)."""
    await ws.create_scope(OPENAI_SCOPE)
    await ws.put_secret(OPENAI_SCOPE, OPENAI_KEY, key.encode())
    body = endpoint_body(base, "openai", "completions", name=OPENAI_ENDPOINT, model=model, secret=OPENAI_REF)
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


# ---- what the user sees


def notified(app: Any, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


def row_keys(app: Any, table_id: str) -> list[str]:
    return [str(key.value) for key in app.screen.query_one(f"#{table_id}", DataTable).rows]


def cursor_key(app: Any, table_id: str) -> str | None:
    table = app.screen.query_one(f"#{table_id}", DataTable)
    if not table.row_count:
        return None
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def row_cells(app: Any, table_id: str, key: str) -> list[str]:
    return [str(cell) for cell in app.screen.query_one(f"#{table_id}", DataTable).get_row(key)]


async def opened(pilot: Any, kind: type) -> Any:
    """The screen of type ``kind``, once it is on top and composed."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted)
    await pilot.pause()
    return pilot.app.screen


async def closed(pilot: Any, dialog: Any) -> None:
    await wait_until(pilot, lambda: dialog not in pilot.app.screen_stack)
    await pilot.pause()


async def cursor_to(pilot: Any, table_id: str, key: str) -> None:
    """ctrl+home, then Down in the focused table until its cursor is on the row ``key``."""
    app = pilot.app
    table = app.screen.query_one(f"#{table_id}", DataTable)
    assert app.focused is table, f"the focus is on {app.focused!r}, not the table #{table_id}"
    await pilot.press("ctrl+home")
    for _ in range(table.row_count):
        if cursor_key(app, table_id) == key:
            return
        await pilot.press("down")
    assert cursor_key(app, table_id) == key, f"no row {key} in #{table_id}: {row_keys(app, table_id)}"


# ---- keyboard moves in a form


async def paste(pilot: Any, text: str) -> None:
    """Paste ``text`` into the focused widget, as a terminal's bracketed paste delivers it (a URL copied from
    somewhere, say): quicker under Pilot than a key press per character."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


def problems_at(editor: Any, key: str) -> str:
    """The problems the editor shows under the field (or section) ``key``."""
    target = next(t for t in editor.query(Keyed) if t.key == key)
    return str(target.query_one(".field-problems").content)


def field_of(widget: Widget | None) -> str | None:
    """The key of the editor field ``widget`` is part of (``entities.0.model.name``), or None."""
    node: Any = widget
    while node is not None and not isinstance(node, Keyed):
        node = node.parent
    return node.key if node is not None else None


async def tab_to(pilot: Any, key: str, kind: type[Widget] = Input) -> Any:
    """Tab until the focus is on a ``kind`` of the editor field ``key`` (no further than once round)."""
    app = pilot.app
    for _ in range(len(app.screen.focus_chain) + 1):
        if isinstance(app.focused, kind) and field_of(app.focused) == key:
            return app.focused
        await pilot.press("tab")
    raise AssertionError(f"Tab never reaches the {kind.__name__} of {key}; the focus is on {app.focused!r}")


async def choose(pilot: Any, value: str, typed: str) -> None:
    """In the focused Select: Enter opens its list, typing ``typed`` finds the option ``value``, Enter takes it."""
    select = pilot.app.focused
    assert isinstance(select, Select), f"the focus is on {select!r}, not a choice"
    await pilot.press("enter")
    await wait_until(pilot, lambda: select.expanded)
    await pilot.press(*typed, "enter")
    await wait_until(pilot, lambda: not select.expanded)
    assert select.value == value, f"the choice shows {select.value!r}, not {value!r}"


# ---- F4: secrets


async def create_scope(pilot: Any, scope: str) -> None:
    """F4, n, the name, Enter: the new scope is listed and selected."""
    app = pilot.app
    await pilot.press("f4")
    await opened(pilot, SecretsScreen)
    await pilot.press("n")
    dialog = await opened(pilot, CreateScopeDialog)
    await pilot.press(*scope, "enter")
    await closed(pilot, dialog)
    await wait_until(pilot, lambda: notified(app, f"Created scope '{scope}'"))
    await wait_until(pilot, lambda: cursor_key(app, "scopes") == scope)


async def put_secret(pilot: Any, key: str, value: str) -> None:
    """a in F4 (the scope under the cursor), the key, Enter, the value (masked as typed), Enter."""
    app = pilot.app
    await pilot.press("a")
    dialog = await opened(pilot, PutSecretDialog)
    await type_key_and_value(pilot, dialog, key, value)
    await wait_until(pilot, lambda: cursor_key(app, "keys") == key)


async def type_key_and_value(pilot: Any, dialog: PutSecretDialog, key: str, value: str) -> None:
    """In the open "Put a secret" dialog, the focus on its key field: the key and the value, each followed by
    Enter. The value is checked masked while it is on screen; the dialog closes on the last Enter."""
    app = pilot.app
    await pilot.press(*key, "enter")
    value_box = app.focused
    assert isinstance(value_box, Input) and value_box.password, "the value is typed into a masked field"
    await pilot.press(*value)
    await wait_until(pilot, lambda: value_box.value == value)
    await pilot.pause()
    assert value not in screen_text(app)
    await pilot.press("enter")
    await closed(pilot, dialog)
    assert value not in screen_text(app)


# ---- F3 and the editor: endpoints


async def new_endpoint(pilot: Any, name: str, model: str) -> EndpointEditorScreen:
    """F3, n: the editor of a new endpoint, its name typed and its model name pasted (from the provider's
    list of models, as one does)."""
    await pilot.press("f3")
    await opened(pilot, EndpointsScreen)
    await pilot.press("n")
    editor: EndpointEditorScreen = await opened(pilot, EndpointEditorScreen)
    await wait_until(pilot, lambda: field_of(pilot.app.focused) == "name")  # the name is where it starts
    await pilot.press(*name)
    await tab_to(pilot, "entities.0.model.name")
    await paste(pilot, model)
    return editor


async def pick_secret(pilot: Any, field: str, ref: str) -> None:
    """ctrl+o on the key field ``field``: the secret picker; Down to ``ref``, Enter."""
    box = await tab_to(pilot, field)
    await pilot.press("ctrl+o")
    picker = await opened(pilot, SecretPicker)
    for _ in range(10):
        if picker.query_one("OptionList").highlighted_option.prompt == ref:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await closed(pilot, picker)
    assert box.value == ref


async def save_endpoint(pilot: Any, name: str) -> list[str]:
    """ctrl+s, then y in the confirmation: back on F3 with the new row under the cursor. The lines the
    confirmation showed are returned."""
    app = pilot.app
    await pilot.press("ctrl+s")
    confirm = await opened(pilot, ConfirmDialog)
    lines = [str(line.content) for line in confirm.query(".confirm-line")]
    await pilot.press("y")
    await opened(pilot, EndpointsScreen)
    await wait_until(pilot, lambda: notified(app, f"Saved endpoint {name}"))
    await wait_until(pilot, lambda: cursor_key(app, "endpoints") == name)
    return lines


async def probe(pilot: Any, name: str, *, click: bool = False) -> str:
    """On F3, the cursor to ``name``, then t (or a click on the Test button): what the test dialog shows once
    the test is over (its status line, then the provider's words). The dialog is closed with Esc."""
    await cursor_to(pilot, "endpoints", name)
    if click:
        await pilot.click("#do-test")
    else:
        await pilot.press("t")
    dialog = await opened(pilot, ProbeDialog)
    status = dialog.query_one("#probe-status")
    await wait_until(pilot, lambda: not dialog.running and bool(str(status.content)))
    result = f"{status.content}\n{dialog.query_one('#probe-message').content}"
    await pilot.press("escape")
    await closed(pilot, dialog)
    return result


# ---- F5: rate limits


async def add_legacy_limit(pilot: Any, endpoint: str, calls: int) -> None:
    """F5, the endpoint, a; kind "legacy" chosen, the calls typed, counted for each user; Enter saves."""
    app = pilot.app
    await pilot.press("f5")
    await opened(pilot, RateLimitsScreen)
    await wait_until(pilot, lambda: endpoint in row_keys(app, "limits"))
    await cursor_to(pilot, "limits", endpoint)
    await pilot.press("a")
    dialog = await opened(pilot, LimitDialog)
    await choose(pilot, "legacy", "leg")  # a new limit's dialog starts at its kind
    await pilot.press("tab", *str(calls))
    assert dialog.query_one("#limit-key", Select).value == "user"
    await pilot.press("enter")
    await closed(pilot, dialog)


# ---- F2: the playground


async def open_in_playground(pilot: Any, name: str) -> None:
    """From F3: p on ``name``; the playground opens with it in a pane."""
    await cursor_to(pilot, "endpoints", name)
    await pilot.press("p")
    await wait_until(pilot, lambda: pane_names(pilot.app) == [name])


async def tick_in_picker(pilot: Any, name: str) -> EndpointPicker:
    """In the playground: ctrl+o, ``name`` typed to find it, Enter to the list, Space ticks it. The picker stays
    open (ctrl+o again uses what is ticked)."""
    await pilot.press("ctrl+o")
    picker: EndpointPicker = await opened(pilot, EndpointPicker)
    await pilot.press(*name, "enter", "space")
    return picker


def pane_names(app: Any) -> list[str]:
    return [pane.endpoint for pane in app.screen.query("Pane")]
