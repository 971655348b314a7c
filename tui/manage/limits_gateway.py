"""The AI gateway's settings (usage tracking, fallbacks, guardrails, inference table) as a form, with no UI.

The form says only what a person can switch; :func:`check_gateway` turns it into the settings part of an
:class:`AiGatewayConfig` through the domain's own rules, and :func:`with_settings` lays those over the
stored config, keeping its rate limits. A switch left off where nothing was set stays unset, so opening
the dialog and saving changes nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tui.domain.base import check_user_input
from tui.domain.checks import plain_text_problem
from tui.domain.gateway import AiGatewayConfig, GuardrailParameters
from tui.manage.limits import FieldErrors, field_messages

Side = Literal["input", "output"]
SIDES: tuple[Side, Side] = ("input", "output")
PII_BEHAVIORS = ("NONE", "BLOCK", "MASK")
WORD_MAX = 255
"""One keyword or topic."""
SETTINGS = ("usage_tracking_config", "fallback_config", "guardrails", "inference_table_config")
"""The parts of the gateway config the form edits (the rate limits are edited one by one)."""
INFERENCE_NAMES = ("catalog_name", "schema_name", "table_name_prefix")

FIELDS = {
    "usage_tracking_config.enabled",
    "fallback_config.enabled",
    *(
        f"guardrails.{side}.{f}"
        for side in SIDES
        for f in ("safety", "pii.behavior", "invalid_keywords", "valid_topics")
    ),
    "inference_table_config.enabled",
    *(f"inference_table_config.{name}" for name in INFERENCE_NAMES),
}
"""Every field the form shows, by its JSON path: the names :class:`FieldErrors` uses."""


@dataclass(frozen=True)
class GuardrailForm:
    safety: bool = False
    pii: str | None = None
    """A behavior of :data:`PII_BEHAVIORS`, or None: not set."""
    invalid_keywords: str = ""
    """Comma-separated, as typed."""
    valid_topics: str = ""


@dataclass(frozen=True)
class GatewayForm:
    usage_tracking: bool = False
    fallbacks: bool = False
    input: GuardrailForm = GuardrailForm()
    output: GuardrailForm = GuardrailForm()
    inference_enabled: bool = False
    catalog_name: str = ""
    schema_name: str = ""
    table_name_prefix: str = ""


def gateway_form(config: AiGatewayConfig | None) -> GatewayForm:
    """The form showing the stored settings."""
    config = config or AiGatewayConfig()
    guardrails = config.guardrails
    table = config.inference_table_config
    return GatewayForm(
        usage_tracking=bool(config.usage_tracking_config and config.usage_tracking_config.enabled),
        fallbacks=bool(config.fallback_config and config.fallback_config.enabled),
        input=_guardrail_form(guardrails.input if guardrails else None),
        output=_guardrail_form(guardrails.output if guardrails else None),
        inference_enabled=bool(table and table.enabled),
        **{name: (getattr(table, name) or "") if table else "" for name in INFERENCE_NAMES},
    )


def _guardrail_form(params: GuardrailParameters | None) -> GuardrailForm:
    if params is None:
        return GuardrailForm()
    return GuardrailForm(
        safety=bool(params.safety),
        pii=params.pii.behavior if params.pii else None,
        invalid_keywords=", ".join(params.invalid_keywords or []),
        valid_topics=", ".join(params.valid_topics or []),
    )


def check_gateway(form: GatewayForm, before: AiGatewayConfig | None) -> tuple[AiGatewayConfig | None, FieldErrors]:
    """The settings the form describes (rate limits left out), or None and what is wrong, per field.

    ``before`` is the stored config: a switch that is off where nothing was set stays unset, and the
    inference table's names cannot change while it stays enabled (Databricks wants it disabled first).
    """
    before = before or AiGatewayConfig()
    errors: FieldErrors = {}
    data: dict[str, Any] = {}
    usage = _flag(before.usage_tracking_config.enabled if before.usage_tracking_config else None, form.usage_tracking)
    if usage is not None:
        data["usage_tracking_config"] = {"enabled": usage}
    fallbacks = _flag(before.fallback_config.enabled if before.fallback_config else None, form.fallbacks)
    if fallbacks is not None:
        data["fallback_config"] = {"enabled": fallbacks}
    guardrails = {}
    for side in SIDES:
        params = _guardrail_data(
            getattr(form, side), getattr(before.guardrails, side, None), f"guardrails.{side}", errors
        )
        if params:
            guardrails[side] = params
    if guardrails:
        data["guardrails"] = guardrails
    if table := _table_data(form, before, errors):
        data["inference_table_config"] = table
    config, problems = check_user_input(AiGatewayConfig, data)
    for field, message in field_messages(problems, FIELDS):
        errors.setdefault(field, message)
    if errors:
        return None, errors
    return config, {}


def with_settings(stored: AiGatewayConfig | None, settings: AiGatewayConfig) -> AiGatewayConfig:
    """The stored config with the form's settings in place of its own, its rate limits kept."""
    return (stored or AiGatewayConfig()).model_copy(update={name: getattr(settings, name) for name in SETTINGS})


def _flag(before: bool | None, now: bool) -> bool | None:
    """The switch's value, or None (unset) when it is off and nothing was set before."""
    return now if now or before is not None else None


def _guardrail_data(
    form: GuardrailForm, before: GuardrailParameters | None, path: str, errors: FieldErrors
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if (safety := _flag(before.safety if before else None, form.safety)) is not None:
        data["safety"] = safety
    if form.pii is not None:
        data["pii"] = {"behavior": form.pii}
    for field in ("invalid_keywords", "valid_topics"):
        words, problem = split_words(getattr(form, field))
        if problem:
            errors[f"{path}.{field}"] = problem
        elif words or (before is not None and getattr(before, field) is not None):
            data[field] = words
    return data


def split_words(text: str) -> tuple[list[str], str | None]:
    """Comma-separated words as a list (blanks and repeats dropped), or what is wrong with one of them."""
    words: list[str] = []
    for word in (w.strip() for w in text.split(",")):
        if not word or word in words:
            continue
        if problem := plain_text_problem(word, WORD_MAX):
            return [], f"{word[:40]!r} {problem}"
        words.append(word)
    return words, None


def _table_data(form: GatewayForm, before: AiGatewayConfig, errors: FieldErrors) -> dict[str, Any]:
    stored = before.inference_table_config
    names = {name: getattr(form, name).strip() for name in INFERENCE_NAMES}
    if stored is None and not form.inference_enabled and not any(names.values()):
        return {}
    if stored is not None and stored.enabled and form.inference_enabled:
        for name, value in names.items():
            if value != (getattr(stored, name) or ""):
                errors[f"inference_table_config.{name}"] = (
                    "cannot change while the inference table is enabled: disable it and save first"
                )
    data: dict[str, Any] = {"enabled": form.inference_enabled}
    data.update({name: value for name, value in names.items() if value})
    return data


def settings_lines(gateway: AiGatewayConfig | None) -> list[str]:
    """The gateway's switches and guardrails in words, one per line."""
    gateway = gateway or AiGatewayConfig()

    def on_off(config: object) -> str:
        return "on" if getattr(config, "enabled", None) else "off"

    lines = [
        f"Usage tracking: {on_off(gateway.usage_tracking_config)}",
        f"Fallbacks: {on_off(gateway.fallback_config)}",
    ]
    for side in ("input", "output"):
        params = getattr(gateway.guardrails, side, None)
        parts = []
        if params is not None:
            if params.safety:
                parts.append("safety filter")
            if params.pii and params.pii.behavior:
                parts.append(f"PII {params.pii.behavior}")
            if params.invalid_keywords:
                parts.append(f"refuses {', '.join(params.invalid_keywords)}")
            if params.valid_topics:
                parts.append(f"only about {', '.join(params.valid_topics)}")
        lines.append(f"Guardrails on {side}: {'; '.join(parts) or 'none'}")
    table = gateway.inference_table_config
    where = ".".join(n for n in (table.catalog_name, table.schema_name, table.table_name_prefix) if n) if table else ""
    lines.append(f"Inference table: {on_off(table)}" + (f" ({where})" if where else ""))
    return lines
