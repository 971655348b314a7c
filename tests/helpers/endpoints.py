"""Endpoints served by the provider simulator: one create body per provider flavour and task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SIM_KEY = "sim-key"
SIM_REF = "{{secrets/sim/key}}"
"""The key the simulator wants, as the secret reference the endpoints use by default."""
TASKS = {"chat": "llm/v1/chat", "completions": "llm/v1/completions", "embeddings": "llm/v1/embeddings"}

# provider flavour -> (tasks it offers, provider enum, config key, config builder(base_url, key reference))
FLAVOURS: dict[str, tuple[tuple[str, ...], str, str, Any]] = {
    "openai": (
        ("chat", "completions", "embeddings"),
        "openai",
        "openai_config",
        lambda base, ref=SIM_REF: {"openai_api_key": ref, "openai_api_base": f"{base}/v1"},
    ),
    "azure": (
        ("chat", "completions", "embeddings"),
        "openai",
        "openai_config",
        lambda base, ref=SIM_REF: {
            "openai_api_type": "azure",
            "openai_api_key": ref,
            "openai_api_base": base,
            "openai_deployment_name": "DEPLOYMENT",
            "openai_api_version": "2024-10-21",
        },
    ),
    "azuread": (
        ("chat",),
        "openai",
        "openai_config",
        lambda base, ref=SIM_REF: {
            "openai_api_type": "azuread",
            "microsoft_entra_client_id": "client-1",
            "microsoft_entra_tenant_id": "tenant-1",
            "microsoft_entra_client_secret": ref,
            "microsoft_entra_authority": base,
            "openai_api_base": base,
            "openai_deployment_name": "DEPLOYMENT",
            "openai_api_version": "2024-10-21",
        },
    ),
    "anthropic": (
        ("chat", "completions"),
        "anthropic",
        "anthropic_config",
        lambda base, ref=SIM_REF: {"anthropic_api_key": ref, "anthropic_api_base": f"{base}/v1"},
    ),
    "databricks": (
        ("chat", "completions", "embeddings"),
        "databricks-model-serving",
        "databricks_model_serving_config",
        lambda base, ref=SIM_REF: {"databricks_workspace_url": base, "databricks_api_token": ref},
    ),
    "custom": (
        ("chat", "completions", "embeddings"),
        "custom",
        "custom_provider_config",
        lambda base, ref=SIM_REF: {"custom_provider_url": f"{base}/v1", "bearer_token_auth": {"token": ref}},
    ),
}

CASES = [(flavour, task) for flavour, (tasks, *_rest) in FLAVOURS.items() for task in tasks]


def endpoint_name(flavour: str, task: str) -> str:
    return f"{flavour}-{task}"


def model_name(flavour: str, task: str) -> str:
    return (
        {"chat": "gpt-4o-mini", "completions": "gpt-3.5-turbo-instruct", "embeddings": "text-embedding-3-small"}[task]
        if flavour != "anthropic"
        else "claude-3-5-haiku-20241022"
    )


def endpoint_body(
    base: str,
    flavour: str,
    task: str,
    *,
    model: str | None = None,
    name: str | None = None,
    secret: str = SIM_REF,
    tags: Sequence[str] = (),
    **external: Any,
) -> dict[str, Any]:
    """The create body of a ``flavour`` endpoint for ``task`` served by the simulator at ``base``, its key read
    from the ``secret`` reference; ``external`` adds fields to its external model."""
    _tasks, provider, key, build = FLAVOURS[flavour]
    config = build(base, secret)
    model = model or model_name(flavour, task)
    if "openai_deployment_name" in config:
        config["openai_deployment_name"] = model
    body: dict[str, Any] = {
        "name": name or endpoint_name(flavour, task),
        "config": {
            "served_entities": [
                {
                    "name": "primary",
                    "external_model": {
                        "name": model,
                        "provider": provider,
                        "task": TASKS[task],
                        key: config,
                        **external,
                    },
                }
            ]
        },
    }
    if tags:
        body["tags"] = list(tags)
    return body
