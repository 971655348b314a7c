"""Request bodies from Databricks' external-models tutorial (the seed), shared by tests."""

from __future__ import annotations

import copy
from typing import Any

OPENAI_SCOPE = "my_openai_secret_scope"
ANTHROPIC_SCOPE = "my_anthropic_secret_scope"

OPENAI_COMPLETIONS: dict[str, Any] = {
    "name": "openai-completions",
    "config": {
        "served_entities": [
            {
                "name": "openai-completions",
                "external_model": {
                    "name": "gpt-3.5-turbo-instruct",
                    "provider": "openai",
                    "task": "llm/v1/completions",
                    "openai_config": {"openai_api_key": "{{secrets/my_openai_secret_scope/openai_api_key}}"},
                },
            }
        ]
    },
    "tags": [{"key": "team", "value": "gen-ai"}],
}


def openai_plaintext() -> dict[str, Any]:
    body = copy.deepcopy(OPENAI_COMPLETIONS)
    body["name"] = "openai-completions-plaintext"
    cfg = body["config"]["served_entities"][0]["external_model"]["openai_config"]
    cfg.pop("openai_api_key")
    cfg["openai_api_key_plaintext"] = "sk-plaintext-not-for-echo"
    return body


def azure_openai() -> dict[str, Any]:
    body = copy.deepcopy(OPENAI_COMPLETIONS)
    body["name"] = "openai-azure-completions"
    body["config"]["served_entities"][0]["external_model"]["openai_config"] = {
        "openai_api_type": "azure",
        "openai_api_key": "{{secrets/my_openai_secret_scope/openai_api_key}}",
        "openai_api_base": "https://my-azure-openai-endpoint.openai.azure.com",
        "openai_deployment_name": "my-gpt-35-turbo-deployment",
        "openai_api_version": "2023-05-15",
    }
    return body


RATE_LIMITS: dict[str, Any] = {"rate_limits": [{"key": "user", "renewal_period": "minute", "calls": 20}]}

ANTHROPIC_COMPLETIONS: dict[str, Any] = {
    "name": "anthropic-completions-endpoint",
    "config": {
        "served_entities": [
            {
                "name": "claude-completions",
                "external_model": {
                    "name": "claude-2",
                    "provider": "anthropic",
                    "task": "llm/v1/completions",
                    "anthropic_config": {
                        "anthropic_api_key": "{{secrets/my_anthropic_secret_scope/anthropic_api_key}}"
                    },
                },
            }
        ]
    },
}


def served_config(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The served entities of a request body, as ``get`` should give them back (plaintext dropped)."""
    out = []
    for entity in body["config"]["served_entities"]:
        model = copy.deepcopy(entity["external_model"])
        key = next(k for k in model if k.endswith("_config"))
        model[key] = {k: v for k, v in model[key].items() if not k.endswith("_plaintext")}
        out.append({"name": entity["name"], "external_model": model})
    return out
