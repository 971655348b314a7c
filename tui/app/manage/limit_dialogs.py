"""Dialogs that edit an endpoint's limits: the form both share (errors at their fields, saving that keeps the
dialog open on failure) and the dialog for one rate limit, legacy or AI gateway.

A dialog is given the save to make (a coroutine that answers the workspace's error in words, or None when
stored) so a failed save leaves what was typed in place. It dismisses with True once stored, False on Esc.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from tui.domain.text import printable
from tui.manage.limits import LEGACY_KEYS, PRINCIPAL_KEYS, AnyLimit, FieldErrors, Kind, LimitForm, check_limit

M = TypeVar("M")
Save = Callable[[M], Awaitable[str | None]]
"""Store the checked model; the workspace's error in words, or None when stored."""


def error_line(field: str) -> Static:
    """Where the problem of ``field`` shows (named after it; empty and hidden while there is none)."""
    return Static("", name=field, classes="field-error", markup=False)


def form_row(label: str, control: Widget, field: str, *, row_id: str | None = None) -> Iterator[Widget]:
    """A label and its control on one line, the field's error line below (compose with ``yield from``)."""
    with Vertical(classes="form-field", id=row_id):
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield control
        yield error_line(field)


class FormDialog(ModalScreen[bool], Generic[M]):
    """A form checked on save, then re-checked as the user types; errors show at their fields.

    Controls carry the field they edit as their ``name``, so an error can focus its field.
    """

    CSS_PATH = "limit_dialogs.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="limit-dialog-cancel"),
        Binding("ctrl+s", "save", "Save", id="limit-dialog-save"),
    ]

    def __init__(self, save: Save[M]) -> None:
        super().__init__()
        self._save = save
        self._checked = False
        self._saving = False

    def check(self) -> tuple[M | None, FieldErrors]:
        """The model the form describes, or None and what is wrong, per field."""
        raise NotImplementedError

    def buttons(self) -> ComposeResult:
        yield error_line("")
        with Horizontal(classes="form-buttons"):
            yield Button("Cancel (Esc)", id="form-cancel")
            yield Button("Save (ctrl+s)", variant="primary", id="form-save")

    def show_errors(self, errors: FieldErrors) -> None:
        for line in self.query(".field-error").results(Static):
            message = errors.get(line.name or "", "")
            line.update(printable(message))
            line.display = bool(message)

    def action_save(self) -> None:
        if self._saving:
            return
        model, errors = self.check()
        self._checked = True
        self.show_errors(errors)
        if model is None:
            self._focus_first_error(errors)
            return
        self._store(model)

    @work(exclusive=True, group="form-save")
    async def _store(self, model: M) -> None:
        self._saving = True
        save_button = self.query_one("#form-save", Button)
        save_button.disabled = True
        try:
            error = await self._save(model)
        finally:
            self._saving = False
            save_button.disabled = False
        if error is None:
            self.dismiss(True)
        else:
            self.show_errors({"": error})

    def action_cancel(self) -> None:
        if not self._saving:
            self.dismiss(False)

    def _focus_first_error(self, errors: FieldErrors) -> None:
        for control in self.query("Input, Select, Checkbox"):
            if control.name in errors and control.display and control.parent and control.parent.display:
                control.focus()
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-cancel":
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field saves, as the Save button does."""
        event.stop()
        self.action_save()

    def _recheck(self) -> None:
        if self._checked:
            self.show_errors(self.check()[1])

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._recheck()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._recheck()


KINDS: list[tuple[str, Kind]] = [
    ("AI gateway: calls and/or tokens", "gateway"),
    ("Legacy: calls only (deprecated)", "legacy"),
]
KEYS = {
    "user": "each user (or one user, named below)",
    "endpoint": "the whole endpoint (everyone together)",
    "user_group": "a group (named below)",
    "service_principal": "a service principal (named below)",
}
PRINCIPAL = {
    "user": ("User (optional)", "empty: every user, each counted alone; or one user's email"),
    "user_group": ("Group", "the group's name, e.g. data-team"),
    "service_principal": ("Service principal", "its application id"),
}


class LimitDialog(FormDialog[AnyLimit]):
    """Add or change one rate limit of an endpoint. The kind is chosen when adding and fixed when editing."""

    def __init__(self, endpoint: str, form: LimitForm, save: Save[AnyLimit], *, editing: bool = False) -> None:
        super().__init__(save)
        self._endpoint = endpoint
        self._form = form
        self._editing = editing

    def compose(self) -> ComposeResult:
        form = self._form
        verb = "Change a rate limit of" if self._editing else "Add a rate limit to"
        with Vertical(id="limit-box", classes="form-box"):
            yield Label(printable(f"{verb} {self._endpoint}"), classes="form-title", markup=False)
            kind = Select(KINDS, value=form.kind, allow_blank=False, id="limit-kind", name="kind", compact=True)
            kind.disabled = self._editing
            yield from form_row("Kind", kind, "kind")
            yield from form_row("Calls / minute", self._number("limit-calls", "calls", form.calls), "calls")
            tokens = self._number("limit-tokens", "tokens", form.tokens)
            yield from form_row("Tokens / minute", tokens, "tokens", row_id="limit-tokens-row")
            keys = Select(
                self._key_options(form.kind),
                value=form.key,
                allow_blank=False,
                id="limit-key",
                name="key",
                compact=True,
            )
            yield from form_row("Counted for", keys, "key")
            principal = Input(form.principal, id="limit-principal", name="principal", compact=True)
            yield from form_row("Principal", principal, "principal", row_id="limit-principal-row")
            yield Static("", id="limit-note", classes="form-note", markup=False)
            yield from self.buttons()
        yield Footer()

    @staticmethod
    def _number(widget_id: str, field: str, value: str) -> Input:
        example = "20" if field == "calls" else "10000"
        placeholder = f"e.g. {example}; empty: {field} unlimited"
        return Input(value, placeholder=placeholder, id=widget_id, name=field, compact=True)

    @staticmethod
    def _key_options(kind: Kind) -> list[tuple[str, str]]:
        keys = LEGACY_KEYS if kind == "legacy" else tuple(KEYS)
        return [(KEYS[key], key) for key in keys]

    def on_mount(self) -> None:
        self.show_errors({})
        self._fit_to_choices()
        # top to bottom: a new limit starts at its kind; a limit being changed keeps its kind, so at its calls
        self.query_one("#limit-calls" if self._editing else "#limit-kind").focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "limit-kind":
            key = self.query_one("#limit-key", Select)
            current = key.value
            key.set_options(self._key_options(self._kind))
            if current in (LEGACY_KEYS if self._kind == "legacy" else KEYS):
                key.value = current
        self._fit_to_choices()
        # FormDialog's own handler re-checks too: Textual calls the handler of every class in the MRO

    @property
    def _kind(self) -> Kind:
        value = self.query_one("#limit-kind", Select).value
        return "legacy" if value == "legacy" else "gateway"

    @property
    def _key(self) -> str:
        return str(self.query_one("#limit-key", Select).value)

    def _fit_to_choices(self) -> None:
        """Show the fields the chosen kind and key take, and say what the limit will do."""
        kind, key = self._kind, self._key
        self.query_one("#limit-tokens-row").display = kind == "gateway"
        principal_row = self.query_one("#limit-principal-row")
        principal_row.display = kind == "gateway" and key in PRINCIPAL_KEYS
        if key in PRINCIPAL:
            label, placeholder = PRINCIPAL[key]
            principal_row.query_one(".form-label", Label).update(label)
            self.query_one("#limit-principal", Input).placeholder = placeholder
        required = " (required)" if kind == "legacy" else "; empty: calls unlimited"
        self.query_one("#limit-calls", Input).placeholder = f"e.g. 20{required}"
        note = (
            "Per minute. Legacy limits count calls only; AI gateway limits can also count tokens."
            if kind == "legacy"
            else "Per minute. Leave calls or tokens empty to leave them unlimited (one of them is needed)."
        )
        self.query_one("#limit-note", Static).update(note)

    def check(self) -> tuple[AnyLimit | None, FieldErrors]:
        kind, key = self._kind, self._key
        form = LimitForm(
            kind,
            calls=self.query_one("#limit-calls", Input).value,
            tokens=self.query_one("#limit-tokens", Input).value if kind == "gateway" else "",
            key=key,
            principal=self.query_one("#limit-principal", Input).value if key in PRINCIPAL_KEYS else "",
        )
        return check_limit(form)
