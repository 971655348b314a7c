"""A credential field: a secret reference picked from the workspace's secrets (ctrl+o), a secret created on the
spot (ctrl+n), or the key itself in plaintext, marked as discouraged. A typed key is never shown back.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tui.app.manage.editor_fields import LABEL_WIDTH, LabelledRow, field_label
from tui.domain.secret_refs import SecretRef, parse_secret_ref
from tui.domain.text import printable
from tui.manage.form import FieldSpec

REFERENCE, PLAINTEXT = "reference", "plaintext"
PLAINTEXT_WARNING = (
    "⚠ Discouraged: the key is stored write-only in the endpoint and flagged; a secret reference is safer."
)


class SecretEdited(Message):
    def __init__(self, key: str, text: str, plaintext: bool) -> None:
        super().__init__()
        self.key = key
        self.text = text
        self.plaintext = plaintext


class SecretWanted(Message):
    """The user asks for a secret for the field at ``key``: an existing one (``create`` False) or a new one."""

    def __init__(self, key: str, *, create: bool) -> None:
        super().__init__()
        self.key = key
        self.create = create


class SecretRow(LabelledRow):
    DEFAULT_CSS = f"""
    SecretRow {{
        & .secret-mode {{ width: 28; margin: 0 1 0 0; }}
        & Button {{ min-width: 10; margin: 0 0 0 1; }}
        & > .secret-warning {{ color: $text-warning; padding: 0 1 0 {LABEL_WIDTH + 1}; display: none; }}
        &.-plaintext > .secret-warning {{ display: block; }}
        &.-plaintext .secret-pick {{ display: none; }}
    }}
    """

    BINDINGS = [
        Binding("ctrl+o", "want(False)", "Pick secret", id="editor-pick-secret"),
        Binding("ctrl+n", "want(True)", "New secret", id="editor-new-secret"),
    ]

    def __init__(self, key: str, spec: FieldSpec, text: str, *, plaintext: bool) -> None:
        super().__init__(key)
        self.spec = spec
        self._text = text
        self._plaintext = plaintext

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(field_label(self.spec), classes="field-label", markup=False)
            yield Select(
                [("secret reference", REFERENCE), ("plaintext (discouraged)", PLAINTEXT)],
                value=PLAINTEXT if self._plaintext else REFERENCE,
                allow_blank=False,
                compact=True,
                classes="secret-mode",
            )
            yield Input(
                self._text,
                placeholder="the key itself" if self._plaintext else "{{secrets/<scope>/<key>}}",
                password=self._plaintext,
                compact=True,
                classes="field-control",
            )
            yield Button(
                "Pick…", id="secret-pick", classes="secret-pick", compact=True, tooltip="An existing secret (ctrl+o)"
            )
            yield Button(
                "New…", id="secret-new", classes="secret-pick", compact=True, tooltip="Store a new secret (ctrl+n)"
            )
        yield Static(PLAINTEXT_WARNING, classes="secret-warning", markup=False)
        if self.spec.help:
            yield Static(self.spec.help, classes="field-help", markup=False)
        yield Static("", classes="field-problems", markup=False)

    def on_mount(self) -> None:
        self.set_class(self._plaintext, "-plaintext")

    @property
    def focus_target(self) -> Input:
        return self.query_one(Input)

    @property
    def reference(self) -> SecretRef | None:
        """The reference the field holds, when it holds one (not plaintext)."""
        return None if self._plaintext else parse_secret_ref(self.query_one(Input).value)

    def use(self, ref: SecretRef) -> None:
        """Show ``ref`` as the field's value (a reference picked or created); posts it like a typed one."""
        self.query_one(".secret-mode", Select).value = REFERENCE
        self.query_one(Input).value = str(ref)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        plaintext = event.value == PLAINTEXT
        if plaintext == self._plaintext:
            return
        self._plaintext = plaintext
        self.set_class(plaintext, "-plaintext")
        field = self.query_one(Input)
        field.password = plaintext
        field.placeholder = "the key itself" if plaintext else "{{secrets/<scope>/<key>}}"
        field.value = ""  # a key typed in the clear does not become a reference, nor the other way round
        self._post()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self._text:
            self._text = event.value
            self._post()

    def _post(self) -> None:
        self.post_message(SecretEdited(self.key, self._text, self._plaintext))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_want(event.button.id == "secret-new")

    def action_want(self, create: bool) -> None:
        self.post_message(SecretWanted(self.key, create=create))


class SecretPicker(ModalScreen[SecretRef | None]):
    """Chooses one of the workspace's secrets, as a reference (values are never read)."""

    DEFAULT_CSS = """
    SecretPicker {
        align: center middle;
        & > Vertical { width: 70; max-width: 90%; height: auto; max-height: 80%; border: round $accent;
                       background: $surface; padding: 0 1; }
        & OptionList { height: auto; max-height: 20; }
        & .picker-hint { color: $text-muted; }
    }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="secret-picker-cancel")]

    def __init__(self, refs: list[SecretRef], field: str) -> None:
        super().__init__()
        self._refs = refs
        self._field = field

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"A secret for {self._field}", classes="section-title", markup=False)
            if self._refs:
                yield OptionList(*(Option(printable(str(ref))) for ref in self._refs), markup=False)
                yield Static("Enter picks · Esc cancels", classes="picker-hint", markup=False)
            else:
                yield Static(
                    "This workspace has no secrets yet: Esc, then ctrl+n stores one.",
                    classes="picker-hint",
                    markup=False,
                )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._refs[event.option_index])
