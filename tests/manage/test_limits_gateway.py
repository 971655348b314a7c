"""The AI gateway settings form: switches, guardrails and the inference table, checked and laid over what is stored."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.domain.base import parse_stored
from tui.domain.gateway import AiGatewayConfig, AiGatewayRateLimit
from tui.manage.limits_gateway import (
    GatewayForm,
    GuardrailForm,
    check_gateway,
    gateway_form,
    settings_lines,
    split_words,
    with_settings,
)

STORED = parse_stored(
    AiGatewayConfig,
    {
        "rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}],
        "usage_tracking_config": {"enabled": False},
        "fallback_config": {"enabled": True},
        "guardrails": {"input": {"safety": True, "pii": {"behavior": "MASK"}, "invalid_keywords": ["x", "y"]}},
        "inference_table_config": {"enabled": True, "catalog_name": "main", "schema_name": "logs"},
    },
)


def test_opening_and_saving_changes_nothing() -> None:
    settings, errors = check_gateway(gateway_form(STORED), STORED)
    assert errors == {}
    assert settings is not None
    assert with_settings(STORED, settings) == STORED
    empty, _ = check_gateway(gateway_form(None), None)
    assert empty is not None and empty.to_json() == {}


def test_switches_and_guardrails_are_stored_with_the_rate_limits_kept() -> None:
    form = replace(
        gateway_form(STORED),
        usage_tracking=True,
        fallbacks=False,
        output=GuardrailForm(safety=True, pii="BLOCK", valid_topics="billing, support, billing"),
    )
    settings, errors = check_gateway(form, STORED)
    assert errors == {}
    assert settings is not None
    saved = with_settings(STORED, settings).to_json()
    assert saved["rate_limits"] == [AiGatewayRateLimit(calls=5, key="user").to_json()]
    assert saved["usage_tracking_config"] == {"enabled": True}
    assert saved["fallback_config"] == {"enabled": False}
    assert saved["guardrails"]["output"] == {
        "safety": True,
        "pii": {"behavior": "BLOCK"},
        "valid_topics": ["billing", "support"],
    }


def test_a_keyword_with_a_control_character_is_refused_at_its_field() -> None:
    form = GatewayForm(input=GuardrailForm(invalid_keywords="ok, bad\x1b[31m"))
    settings, errors = check_gateway(form, None)
    assert settings is None
    assert "control character" in errors["guardrails.input.invalid_keywords"]


def test_an_unknown_pii_behavior_is_refused_by_the_domain() -> None:
    settings, errors = check_gateway(GatewayForm(output=GuardrailForm(pii="SHRED")), None)
    assert settings is None
    assert "must be one of 'NONE', 'BLOCK', 'MASK'" in errors["guardrails.output.pii.behavior"]


def test_enabling_the_inference_table_needs_its_names() -> None:
    settings, errors = check_gateway(GatewayForm(inference_enabled=True, schema_name="logs"), None)
    assert settings is None
    assert "'catalog_name'" in errors["inference_table_config.catalog_name"]


def test_the_inference_table_names_do_not_change_while_it_is_enabled() -> None:
    _, errors = check_gateway(replace(gateway_form(STORED), schema_name="other"), STORED)
    assert "disable it and save first" in errors["inference_table_config.schema_name"]
    settings, errors = check_gateway(replace(gateway_form(STORED), inference_enabled=False, schema_name="x"), STORED)
    assert errors == {}
    assert settings is not None and settings.inference_table_config is not None
    assert settings.inference_table_config.schema_name == "x"


@pytest.mark.parametrize(("text", "words"), [("", []), (" a ,, b , a", ["a", "b"]), ("one", ["one"])])
def test_words_are_split_at_commas(text: str, words: list[str]) -> None:
    assert split_words(text) == (words, None)


def test_clearing_a_guardrail_removes_it() -> None:
    form = replace(gateway_form(STORED), input=GuardrailForm())
    settings, errors = check_gateway(form, STORED)
    assert errors == {}
    assert settings is not None and settings.guardrails is not None
    assert settings.guardrails.to_json() == {"input": {"safety": False, "invalid_keywords": []}}


def test_the_settings_read_in_words() -> None:
    assert settings_lines(STORED) == [
        "Usage tracking: off",
        "Fallbacks: on",
        "Guardrails on input: safety filter; PII MASK; refuses x, y",
        "Guardrails on output: none",
        "Inference table: on (main.logs)",
    ]
    assert settings_lines(None)[0] == "Usage tracking: off"
