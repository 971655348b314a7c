"""A field of the secret dialogs: an Input checked as it is typed by one of the domain's own rules (the name
rules of :mod:`tui.domain.names`), with the rule's message under it, word for word as the workspace would
refuse it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Static

from tui.domain.text import printable

Rule = Callable[[str], str | None]
"""A domain check: what is wrong with a value, or None (e.g. :func:`tui.domain.names.scope_name_problem`)."""


class DomainRule(Validator):
    """Textual's validation, answered by a domain rule, so the Input is marked invalid with its message."""

    def __init__(self, rule: Rule) -> None:
        super().__init__()
        self._rule = rule

    def validate(self, value: str) -> ValidationResult:
        problem = self._rule(value)
        return self.failure(problem) if problem else self.success()


class CheckedField(Vertical):
    """A labelled input. Its problem (or its note, when the value is fine) shows under it. An empty
    field shows no problem (its dialog's button is disabled anyway), so a dialog does not open on an error."""

    DEFAULT_CSS = """
    CheckedField {
        height: auto;
        & > .field-message { color: $text-muted; height: auto; min-height: 1; }
        & > .field-message.-problem { color: $error; }
    }
    """

    def __init__(
        self,
        label: str,
        rule: Rule,
        *,
        value: str = "",
        placeholder: str = "",
        suggester: Suggester | None = None,
        password: bool = False,
        disabled: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._label = label
        self._rule = rule
        self._input = Input(
            value,
            placeholder=placeholder,
            validators=[DomainRule(rule)],
            validate_on=["changed"],
            suggester=suggester,
            password=password,
            disabled=disabled,
            classes="field-input",
        )
        self._note = ""

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="field-label", markup=False)
        yield self._input
        yield Static("", classes="field-message", markup=False)

    def on_mount(self) -> None:
        self.show_message()

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value

    @property
    def problem(self) -> str | None:
        """What the rule finds wrong with the value, or None."""
        return self._rule(self.value)

    def set_note(self, note: str) -> None:
        """What to say under a valid value (e.g. "a new scope will be created")."""
        self._note = note
        self.show_message()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_message()  # the event bubbles on: the dialog re-checks its button

    def show_message(self) -> None:
        problem = self.problem if self.value else None
        message = self.query_one(".field-message", Static)
        message.update(Text(printable(problem or self._note)))  # a problem quotes what was typed or pasted
        message.set_class(problem is not None, "-problem")
