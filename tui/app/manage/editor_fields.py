"""One form field per :class:`~tui.manage.form.FieldSpec`: its label, the control its kind calls for, its help
and, under it, its problems. A field says what was typed with :class:`FieldEdited`; the editor keeps the
draft and tells each field (and each section's :class:`ProblemNote`) what is wrong with it.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from tui.domain.text import printable
from tui.manage.form import FieldSpec

LABEL_WIDTH = 32


class FieldEdited(Message):
    """The value of the field at ``key`` is now ``value`` (None: left empty)."""

    def __init__(self, key: str, value: Any) -> None:
        super().__init__()
        self.key = key
        self.value = value


class Keyed(Vertical):
    """A place problems are shown: a field, or a section (``key`` as in :mod:`tui.manage.form_draft`)."""

    DEFAULT_CSS = """
    Keyed {
        height: auto;
        & > .field-problems { color: $text-error; display: none; padding: 0 1; }
        & > .field-problems.-shown { display: block; }
    }
    """

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key
        self._messages: list[str] = []

    def show_problems(self, messages: list[str]) -> None:
        """Shows ``messages`` under the field (now, or once it is composed)."""
        self._messages = messages
        self.set_class(bool(messages), "-invalid")
        for shown in self.query(".field-problems").results(Static):
            shown.update("\n".join(f"✗ {printable(m)}" for m in messages))
            shown.set_class(bool(messages), "-shown")

    def on_mount(self) -> None:
        self.show_problems(self._messages)

    @property
    def focus_target(self) -> Widget | None:
        """What gets the focus when the editor takes the user to this problem."""
        return next((w for w in self.query("Input, Select") if w.focusable), None)


class ProblemNote(Keyed):
    """The problems of a section as a whole (an entity, a provider block, the traffic split)."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="field-problems", markup=False)


class LabelledRow(Keyed):
    """A row of the form: its label, its controls, and under them its help and problems, lined up with the
    controls (fields, key fields and tags share this layout)."""

    DEFAULT_CSS = f"""
    LabelledRow {{
        margin: 0 0 1 0;
        & > Horizontal {{ height: auto; }}
        & .field-label {{ width: {LABEL_WIDTH}; padding: 0 1; }}
        & .field-control {{ width: 1fr; }}
        & > .field-help {{ color: $text-muted; padding: 0 1 0 {LABEL_WIDTH + 1}; }}
        & > .field-problems {{ padding: 0 1 0 {LABEL_WIDTH + 1}; }}
        &.-invalid .field-control {{ background: $error 25%; }}
    }}
    """


class FieldRow(LabelledRow):
    """A text, url, number, bool or choice field (secrets have :class:`~tui.app.manage.editor_secret.SecretRow`)."""

    def __init__(
        self, key: str, spec: FieldSpec, value: Any, *, label: str | None = None, disabled: bool = False
    ) -> None:
        super().__init__(key)
        self.spec = spec
        self._value = value
        self._label = label
        self._locked = disabled

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(field_label(self.spec, self._label), classes="field-label", markup=False)
            yield self._control()
        if self.spec.help:
            yield Static(self.spec.help, classes="field-help", markup=False)
        yield Static("", classes="field-problems", markup=False)

    def _control(self) -> Widget:
        spec, value = self.spec, self._value
        if spec.kind in ("choice", "bool"):
            options = choice_options(spec, value)
            current = value if value is not None and any(v == value for _, v in options) else Select.NULL
            return Select(
                options,
                value=current,
                allow_blank=not spec.required or current is Select.NULL,
                prompt="(not set)",
                disabled=self._locked,
                compact=True,
                classes="field-control",
            )
        return Input(
            "" if value is None else str(value),
            placeholder=placeholder(spec),
            type="integer" if spec.kind == "number" else "text",
            disabled=self._locked,
            compact=True,
            classes="field-control",
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value
        value: Any = text or None
        if self.spec.kind == "number":
            value = int(text) if text.lstrip("-").isdigit() else None
        self._edited(value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(None if event.value is Select.NULL else event.value)

    def _edited(self, value: Any) -> None:
        if value != self._value:  # controls also announce the value they were given
            self._value = value
            self.post_message(FieldEdited(self.key, value))


def field_label(spec: FieldSpec, label: str | None = None) -> str:
    """The field's label, ``*`` marking a required one."""
    text = label or spec.label
    return f"{text} *" if spec.required else text


def choice_options(spec: FieldSpec, value: Any) -> list[tuple[str, Any]]:
    """The choices (yes/no for a bool), and the value given when it is none of them (``Azure``, any case)."""
    if spec.kind == "bool":
        return [("yes", True), ("no", False)]
    options: list[tuple[str, Any]] = [(c, c) for c in spec.choices]
    if isinstance(value, str) and value and value not in spec.choices:
        options.append((printable(value), value))
    return options


def placeholder(spec: FieldSpec) -> str:
    if spec.kind == "url":
        return "https://..."
    if spec.kind == "number":
        return "a whole number"
    return "required" if spec.required else "optional"
