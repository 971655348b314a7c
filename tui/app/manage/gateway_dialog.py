"""The AI gateway's switches of one endpoint: usage tracking, fallbacks, guardrails on input and output,
and the inference table. Its rate limits are edited one by one on the screen (a / e / d).

Every control is named after the JSON path it edits (``guardrails.input.pii.behavior``), so the form
reads back as a :class:`~tui.manage.limits_gateway.GatewayForm` and an error shows at its field.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Footer, Input, Label, Select

from tui.app.manage.limit_dialogs import FormDialog, Save, error_line
from tui.domain.gateway import AiGatewayConfig
from tui.domain.text import printable
from tui.manage.limits import FieldErrors
from tui.manage.limits_gateway import (
    INFERENCE_NAMES,
    SIDES,
    GatewayForm,
    GuardrailForm,
    Side,
    check_gateway,
    gateway_form,
)

PII = [
    ("NONE: let it through", "NONE"),
    ("BLOCK: refuse the request", "BLOCK"),
    ("MASK: hide it", "MASK"),
]
SIDE_TITLES = {"input": "Input guardrails (the request)", "output": "Output guardrails (the answer)"}
TABLE_FIELDS = {
    "catalog_name": ("Catalog", "e.g. main"),
    "schema_name": ("Schema", "e.g. serving_logs"),
    "table_name_prefix": ("Table name prefix", "optional"),
}


def control_id(field: str) -> str:
    """``guardrails.input.pii.behavior`` -> ``gw-guardrails-input-pii-behavior``."""
    return "gw-" + field.replace(".", "-").replace("_", "-")


class GatewayDialog(FormDialog[AiGatewayConfig]):
    """Dismisses with True once the settings are stored (the endpoint's gateway rate limits kept)."""

    def __init__(self, endpoint: str, stored: AiGatewayConfig | None, served: int, save: Save[AiGatewayConfig]) -> None:
        super().__init__(save)
        self._endpoint = endpoint
        self._stored = stored
        self._served = served

    def compose(self) -> ComposeResult:
        form = gateway_form(self._stored)
        with Vertical(id="gateway-box", classes="form-box"):
            yield Label(printable(f"AI gateway settings of {self._endpoint}"), classes="form-title", markup=False)
            with VerticalScroll(id="gateway-fields"):
                yield self._switch(
                    "usage_tracking_config.enabled", self._usage_label(), form.usage_tracking, spaced=True
                )
                yield self._switch("fallback_config.enabled", self._fallback_label(), form.fallbacks)
                with Horizontal(id="gw-guardrails"):
                    for side in SIDES:
                        yield from self._guardrails(side, getattr(form, side))
                yield from self._inference_table(form)
            yield from self.buttons()
        yield Footer()

    def on_mount(self) -> None:
        self.show_errors({})
        self.query_one(f"#{control_id('usage_tracking_config.enabled')}", Checkbox).focus()

    @staticmethod
    def _usage_label() -> str:
        return "Usage tracking: record calls and tokens per user and minute"

    def _fallback_label(self) -> str:
        return f"Fallbacks: after a 429 or 5xx, try the next served entity ({self._served} here)"

    @staticmethod
    def _switch(field: str, label: str, value: bool, *, spaced: bool = False) -> Checkbox:
        classes = "gw-switch gw-spaced" if spaced else "gw-switch"
        return Checkbox(label, value, id=control_id(field), name=field, compact=True, classes=classes)

    def _guardrails(self, side: Side, form: GuardrailForm) -> ComposeResult:
        path = f"guardrails.{side}"
        with Vertical(classes="gw-side"):
            yield Label(SIDE_TITLES[side], classes="gw-section")
            yield self._switch(f"{path}.safety", "Safety filter", form.safety)
            pii = f"{path}.pii.behavior"
            yield Label("Personal data (PII)", classes="gw-label")
            yield Select(
                PII, value=form.pii or Select.NULL, prompt="Not checked", id=control_id(pii), name=pii, compact=True
            )
            yield error_line(pii)
            for field, label, text in (
                ("invalid_keywords", "Refuse keywords (comma-separated)", form.invalid_keywords),
                ("valid_topics", "Only these topics (comma-separated)", form.valid_topics),
            ):
                name = f"{path}.{field}"
                yield Label(label, classes="gw-label")
                yield Input(text, id=control_id(name), name=name, compact=True, placeholder="none")
                yield error_line(name)

    def _inference_table(self, form: GatewayForm) -> ComposeResult:
        yield Label("Inference table (disable it before renaming it)", classes="gw-section")
        enabled = "inference_table_config.enabled"
        label = "Log requests and answers to a Unity Catalog table"
        yield self._switch(enabled, label, form.inference_enabled)
        yield error_line(enabled)
        with Horizontal(id="gw-table-names"):
            for name in INFERENCE_NAMES:
                field = f"inference_table_config.{name}"
                with Vertical(classes="gw-table-name"):
                    label, placeholder = TABLE_FIELDS[name]
                    yield Label(label, classes="gw-label")
                    yield Input(
                        getattr(form, name), placeholder=placeholder, id=control_id(field), name=field, compact=True
                    )
                    yield error_line(field)

    def _switch_on(self, field: str) -> bool:
        return self.query_one(f"#{control_id(field)}", Checkbox).value

    def _text(self, field: str) -> str:
        return self.query_one(f"#{control_id(field)}", Input).value

    def _side(self, side: Side) -> GuardrailForm:
        path = f"guardrails.{side}"
        pii = self.query_one(f"#{control_id(path + '.pii.behavior')}", Select).value
        return GuardrailForm(
            safety=self._switch_on(f"{path}.safety"),
            pii=None if pii is Select.NULL else str(pii),
            invalid_keywords=self._text(f"{path}.invalid_keywords"),
            valid_topics=self._text(f"{path}.valid_topics"),
        )

    def check(self) -> tuple[AiGatewayConfig | None, FieldErrors]:
        form = GatewayForm(
            usage_tracking=self._switch_on("usage_tracking_config.enabled"),
            fallbacks=self._switch_on("fallback_config.enabled"),
            input=self._side("input"),
            output=self._side("output"),
            inference_enabled=self._switch_on("inference_table_config.enabled"),
            **{name: self._text(f"inference_table_config.{name}") for name in INFERENCE_NAMES},
        )
        return check_gateway(form, self._stored)
