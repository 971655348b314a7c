"""A task the provider's API does not offer is refused when the endpoint is defined."""

from __future__ import annotations

import pytest

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import InvalidParameterValue


def body(provider: str, config_key: str, config: dict, task: str) -> dict:
    model = {"name": "m", "provider": provider, "task": task, config_key: config}
    return {"name": "e", "config": {"served_entities": [{"external_model": model}]}}


@pytest.mark.parametrize(
    ("provider", "key", "config"),
    [
        ("anthropic", "anthropic_config", {"anthropic_api_key_plaintext": "k"}),
        ("ai21labs", "ai21labs_config", {"ai21labs_api_key_plaintext": "k"}),
    ],
)
def test_embeddings_refused_for_providers_without_that_api(provider: str, key: str, config: dict) -> None:
    with pytest.raises(InvalidParameterValue, match=f"provider '{provider}' has no llm/v1/embeddings API"):
        parse_user_input(CreateServingEndpoint, body(provider, key, config, "llm/v1/embeddings"), "endpoint")
    parse_user_input(CreateServingEndpoint, body(provider, key, config, "llm/v1/chat"), "endpoint")


def test_n_strategy_is_checked() -> None:
    good = body("anthropic", "anthropic_config", {"anthropic_api_key_plaintext": "k"}, "llm/v1/chat")
    good["config"]["served_entities"][0]["external_model"]["n_strategy"] = "fan_out"
    parse_user_input(CreateServingEndpoint, good, "endpoint")
    good["config"]["served_entities"][0]["external_model"]["n_strategy"] = "fanout"
    with pytest.raises(InvalidParameterValue, match="n_strategy: must be one of 'reject', 'fan_out'"):
        parse_user_input(CreateServingEndpoint, good, "endpoint")
