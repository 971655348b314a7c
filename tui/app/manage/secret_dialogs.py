"""Dialogs that change secrets: create a scope, put a secret (its value typed hidden, never read back).

:class:`PutSecretDialog` is also how another screen (the endpoint editor) stores a secret on the spot: it
dismisses with the :class:`~tui.domain.secret_refs.SecretRef` it stored, or None.
Names are checked as they are typed by the domain's own rules; what the workspace refuses (a scope that
already exists, a value too large) is shown in the dialog, which stays open with everything typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from tui.app.manage.secret_fields import CheckedField
from tui.app.workspace_of import workspace_of
from tui.domain.errors import SwitchboardError
from tui.domain.names import scope_name_problem, secret_key_problem
from tui.domain.secret_refs import SecretRef
from tui.domain.text import has_surrogate
from tui.manage.dependents import endpoints_using
from tui.widgets.confirm import ConfirmDialog
from tui.workspace.protocol import Workspace

T = TypeVar("T")
SHOWN_NAMES = 10
"""How many names (endpoints, keys) a confirmation lists before it says "and N more"."""


def listing(names: Sequence[str]) -> str:
    """``a, b, c`` for a confirmation, at most :data:`SHOWN_NAMES` of them and "and N more"."""
    more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
    return ", ".join(names[:SHOWN_NAMES]) + more


def dependents_line(endpoints: Sequence[str], effect: str) -> str:
    """Which endpoints a change affects, in the words of ``effect``, as a line of a confirmation."""
    return f"{effect} ({len(endpoints)}): {listing(endpoints)}" if endpoints else "No endpoint refers to it."


def secret_value_problem(value: str) -> str | None:
    """What keeps ``value`` from being stored (never quoting it); its size is the workspace's to check."""
    if not value:
        return "Secret value must not be empty"
    if has_surrogate(value):
        return "Secret value is not valid text (it contains a lone surrogate)"
    return None


class SecretDialog(ModalScreen[T]):
    """The frame both dialogs share: a title, their fields, the workspace's error, Cancel and OK.

    OK is enabled only while :meth:`ready`; Enter in a field submits when ready, else moves on.
    """

    CSS_PATH = "secret_dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="secret-dialog-cancel")]

    TITLE_TEXT = ""
    OK_LABEL = "OK"

    def __init__(self) -> None:
        super().__init__()
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="secret-dialog-box"):
            yield Label(self.TITLE_TEXT, classes="dialog-title", markup=False)
            with VerticalScroll(classes="dialog-fields"):  # scrolls in a small terminal; the buttons stay
                yield from self.fields()
            yield Static("", id="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (Esc)", id="dialog-cancel")
                yield Button(self.OK_LABEL, variant="primary", id="dialog-ok", disabled=True)
        yield Footer()

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def ready(self) -> bool:
        """True when what was typed can be sent to the workspace."""
        raise NotImplementedError

    async def save(self) -> T | None:
        """Send it; the result to dismiss with, or None to stay open (an error is shown)."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self.update_ok()
        enabled = [field for field in self.query(Input) if not field.disabled]
        first = next((field for field in enabled if not field.value), enabled[0] if enabled else None)
        (first or self.query_one("#dialog-cancel")).focus()  # the first field left to fill

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_error("")
        self.update_ok()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.ready():
            self.submit()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "dialog-ok":
            self.submit()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self._busy:  # a save under way finishes (or is undone) as a whole
            self.dismiss(None)

    def update_ok(self) -> None:
        self.query_one("#dialog-ok", Button).disabled = self._busy or not self.ready()

    def show_error(self, message: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(message)
        error.display = bool(message)

    @work(group="secret-dialog-save")  # not exclusive: a second Enter must not cancel a save half-way
    async def submit(self) -> None:
        if self._busy or not self.ready():
            return
        self._busy = True
        self.update_ok()
        try:
            result = await self.save()
        except SwitchboardError as err:
            self.show_error(err.message)
            result = None
        finally:
            self._busy = False
        if result is not None:
            self.dismiss(result)
        else:
            self.update_ok()


class CreateScopeDialog(SecretDialog[str]):
    """Dismisses with the name of the scope it created, or None."""

    TITLE_TEXT = "New secret scope"
    OK_LABEL = "Create"

    def fields(self) -> ComposeResult:
        yield CheckedField("Scope name", scope_name_problem, placeholder="e.g. openai", id="scope-name")

    def ready(self) -> bool:
        return self.query_one("#scope-name", CheckedField).problem is None

    async def save(self) -> str:
        name = self.query_one("#scope-name", CheckedField).value
        await workspace_of(self).create_scope(name)
        return name


class PutSecretDialog(SecretDialog[SecretRef]):
    """Stores a secret: in ``scope`` (typed, with the existing scopes suggested, when None; a new one is
    created), under ``key`` (typed when None). Replacing an existing value is confirmed first, naming the
    endpoints that use it. Dismisses with the reference it stored, or None."""

    TITLE_TEXT = "Put a secret"
    OK_LABEL = "Save"
    BINDINGS = [Binding("ctrl+r", "toggle_reveal", "Show/hide value", id="secret-reveal", priority=True)]

    def __init__(self, scope: str | None = None, key: str | None = None, *, suggested: SecretRef | None = None) -> None:
        """``suggested`` fills in the scope and key (still editable), e.g. from a reference already typed."""
        super().__init__()
        self._scope = scope
        self._key = key
        self._suggested = suggested
        self._existing: list[str] | None = None
        """The scopes there are, once listed."""

    def fields(self) -> ComposeResult:
        yield CheckedField(
            "Scope",
            scope_name_problem,
            value=self._scope or (self._suggested.scope if self._suggested else ""),
            placeholder="an existing scope, or a new one to create",
            disabled=self._scope is not None,
            id="secret-scope",
        )
        yield CheckedField(
            "Key",
            secret_key_problem,
            value=self._key or (self._suggested.key if self._suggested else ""),
            placeholder="e.g. openai_api_key",
            disabled=self._key is not None,
            id="secret-key",
        )
        yield CheckedField(
            "Value (stored, never shown again)",
            secret_value_problem,
            placeholder="type or paste it",
            password=True,
            id="secret-value",
        )
        yield Checkbox("Show what I typed (ctrl+r)", id="secret-reveal")

    def on_mount(self) -> None:
        self.load_scopes()

    @work(exclusive=True, group="secret-dialog-scopes")
    async def load_scopes(self) -> None:
        try:
            self._existing = [scope.name for scope in await workspace_of(self).list_scopes()]
        except SwitchboardError as err:
            self.show_error(err.message)
            return
        field = self.query_one("#secret-scope", CheckedField)
        field.input.suggester = SuggestFromList(self._existing, case_sensitive=False)
        self.note_new_scope()

    def on_input_changed(self, event: Input.Changed) -> None:
        # SecretDialog's handler runs too (Textual calls the handler of every class in the MRO)
        self.note_new_scope()

    def note_new_scope(self) -> None:
        field = self.query_one("#secret-scope", CheckedField)
        is_new = self._existing is not None and self.existing_scope(field.value) is None
        field.set_note(f"There is no scope '{field.value}' yet: saving creates it." if is_new else "")

    def existing_scope(self, name: str) -> str | None:
        """The scope ``name`` as stored (scope names ignore case), or None when it is new."""
        return next((s for s in self._existing or [] if s.lower() == name.lower()), None)

    def action_toggle_reveal(self) -> None:
        self.query_one("#secret-reveal", Checkbox).toggle()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#secret-value", CheckedField).input.password = not event.value

    def ready(self) -> bool:
        return all(field.problem is None for field in self.query(CheckedField))

    async def save(self) -> SecretRef | None:
        ws = workspace_of(self)
        scope = self.query_one("#secret-scope", CheckedField).value
        key = self.query_one("#secret-key", CheckedField).value
        value = self.query_one("#secret-value", CheckedField).value.encode()
        self._existing = [s.name for s in await ws.list_scopes()]
        stored = self.existing_scope(scope)
        if stored is None:
            await self.put_in_new_scope(ws, scope, key, value)
            return SecretRef(scope, key)
        if key in {s.key for s in await ws.list_secrets(stored)} and not await self.confirm_replace(ws, stored, key):
            return None
        await ws.put_secret(stored, key, value)
        return SecretRef(stored, key)

    async def confirm_replace(self, ws: Workspace, scope: str, key: str) -> bool:
        users = endpoints_using(await ws.list_endpoints(), scope, key)
        lines = [
            "The stored value is replaced; the old one cannot be recovered.",
            dependents_line(users, "Endpoints that will use the new value"),
        ]
        title = f"Replace the value of '{key}' in scope '{scope}'?"
        return await self.app.push_screen_wait(ConfirmDialog(title, lines, confirm="Replace"))

    @staticmethod
    async def put_in_new_scope(ws: Workspace, scope: str, key: str, value: bytes) -> None:
        """Creates the scope and stores the secret, or leaves no scope behind."""
        await ws.create_scope(scope)
        try:
            await ws.put_secret(scope, key, value)
        except SwitchboardError:
            with suppress(SwitchboardError):
                await ws.delete_scope(scope)
            raise
