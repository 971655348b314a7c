"""An MLflow AI Gateway config mapped to Databricks create bodies."""

from __future__ import annotations

import pytest

from tui.domain.errors import InvalidParameterValue
from tui.manage.mlflow_gateway import parse_gateway_config

CONFIG = """
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_API_KEY
    limit:
      renewal_period: minute
      calls: 10
  - name: claude
    endpoint_type: llm/v1/chat
    model: {provider: anthropic, name: claude-3-5-sonnet, config: {anthropic_api_key: $ANTHROPIC_API_KEY}}
  - name: embed
    endpoint_type: llm/v1/embeddings
    model: {provider: cohere, name: embed-english-v3.0, config: {cohere_api_key: "${COHERE_API_KEY}"}}
  - name: azure-chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o
      config:
        openai_api_type: azure
        openai_api_key: $AZURE_OPENAI_API_KEY
        openai_api_base: https://my.openai.azure.com
        openai_deployment_name: gpt4o
        openai_api_version: "2024-02-01"
"""


def test_each_entry_becomes_a_create_body_with_secret_references() -> None:
    plan = parse_gateway_config(CONFIG, scope="gw")
    bodies = {e.name: e.to_json() for e in plan.endpoints}
    assert list(bodies) == ["chat", "claude", "embed", "azure-chat"]
    chat = bodies["chat"]["config"]["served_entities"][0]["external_model"]
    assert chat == {
        "name": "gpt-4o-mini",
        "provider": "openai",
        "task": "llm/v1/chat",
        "openai_config": {"openai_api_key": "{{secrets/gw/openai_api_key}}"},
    }
    assert bodies["chat"]["rate_limits"] == [{"key": "endpoint", "renewal_period": "minute", "calls": 10}]
    assert "rate_limits" not in bodies["claude"]
    embed = bodies["embed"]["config"]["served_entities"][0]["external_model"]
    assert embed["task"] == "llm/v1/embeddings"
    assert embed["cohere_config"] == {"cohere_api_key": "{{secrets/gw/cohere_api_key}}"}
    azure = bodies["azure-chat"]["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert azure["openai_api_type"] == "azure"
    assert azure["openai_deployment_name"] == "gpt4o"
    # two variables for the same field name get two secrets
    assert azure["openai_api_key"] == "{{secrets/gw/openai_api_key_azure_openai_api_key}}"
    assert [(s.env, s.key) for s in plan.secrets] == [
        ("OPENAI_API_KEY", "openai_api_key"),
        ("ANTHROPIC_API_KEY", "anthropic_api_key"),
        ("COHERE_API_KEY", "cohere_api_key"),
        ("AZURE_OPENAI_API_KEY", "openai_api_key_azure_openai_api_key"),
    ]


def _one(model: str, extra: str = "") -> str:
    return f"endpoints:\n  - name: x\n    endpoint_type: llm/v1/chat\n    model: {model}\n{extra}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _one("{provider: openai, name: gpt-4o, config: {openai_api_key: sk-live-123}}"),
            "endpoint 'x': model.config.openai_api_key holds a literal key",
        ),
        (
            _one("{provider: openai, name: gpt-4o, config: {openai_api_key_plaintext: sk-live-123}}"),
            "model.config.openai_api_key_plaintext is a plaintext key",
        ),
        (_one("{provider: nosuch, name: m, config: {}}"), "model.provider 'nosuch' is not supported"),
        (_one("{provider: openai, config: {openai_api_key: $K}}"), "model needs 'provider' and 'name'"),
        ("endpoints:\n  - name: x\n    model: {provider: openai, name: m}\n", "endpoint 'x': missing 'endpoint_type'"),
        (
            _one("{provider: openai, name: m, config: {openai_api_key: $K}}", "    limit: {renewal_period: minute}\n"),
            "limit needs 'calls'",
        ),
        (
            _one(
                "{provider: openai, name: m, config: {openai_api_key: $K}}",
                "    limit: {calls: 5, renewal_period: hour}\n",
            ),
            "endpoint 'x': rate_limits.0.renewal_period",
        ),
        (_one("{provider: openai, name: m, config: sk-live-123}"), "model.config must be a mapping"),
        (
            "endpoints:\n  - name: x\n    endpoint_type: llm/v2/chat\n    model: {provider: openai, name: m}\n",
            "endpoint 'x': endpoint_type 'llm/v2/chat' is not one of",
        ),
        ("endpoints: []\n", "non-empty 'endpoints:'"),
        ("endpoints: [\n", "Not a valid YAML file"),
        (
            _one("{provider: openai, name: m, config: {openai_api_key: $K}}") * 1
            + "  - name: x\n    endpoint_type: llm/v1/chat\n    model: {provider: openai, name: m, config: {openai_api_key: $K}}\n",
            "endpoint 'x': the name is used twice",
        ),
    ],
)
def test_bad_config_is_refused_naming_endpoint_and_field(text: str, expected: str) -> None:
    with pytest.raises(InvalidParameterValue) as caught:
        parse_gateway_config(text)
    assert expected in caught.value.message
    assert "sk-live-123" not in caught.value.message


def test_a_secret_reference_in_the_file_is_kept_and_reads_no_variable() -> None:
    text = _one("{provider: anthropic, name: claude, config: {anthropic_api_key: '{{secrets/prod/anthropic}}'}}")
    plan = parse_gateway_config(text)
    config = plan.endpoints[0].to_json()["config"]["served_entities"][0]["external_model"]["anthropic_config"]
    assert config == {"anthropic_api_key": "{{secrets/prod/anthropic}}"}
    assert plan.secrets == []
