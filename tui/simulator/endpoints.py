"""Create bodies for endpoints the simulator serves: one per provider flavour and task.

The one definition used by ``--demo``, the screenshots and the tests, so they all point at the simulator
the same way. Bodies are plain dicts, as a user would write them, for ``parse_user_input``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.simulator import DEFAULT_API_KEY

SIM_KEY = DEFAULT_API_KEY
"""The key the simulator wants unless it is started with another."""
SIM_REF = "{{secrets/sim/key}}"
"""The secret reference (scope ``sim``, key ``key``) the endpoints read their key from unless told another."""
TASKS = {"chat": TASK_CHAT, "completions": TASK_COMPLETIONS, "embeddings": TASK_EMBEDDINGS}

ConfigBuilder = Callable[[str, str], dict[str, Any]]
"""(simulator base URL, key reference) -> the provider's config block."""


class Flavour(NamedTuple):
    tasks: tuple[str, ...]
    provider: str
    config_key: str
    build: ConfigBuilder


def _openai(base: str, ref: str) -> dict[str, Any]:
    return {"openai_api_key": ref, "openai_api_base": f"{base}/v1"}


def _azure(base: str, ref: str) -> dict[str, Any]:
    return {
        "openai_api_type": "azure",
        "openai_api_key": ref,
        "openai_api_base": base,
        "openai_deployment_name": "DEPLOYMENT",
        "openai_api_version": "2024-10-21",
    }


def _azuread(base: str, ref: str) -> dict[str, Any]:
    return {
        "openai_api_type": "azuread",
        "microsoft_entra_client_id": "client-1",
        "microsoft_entra_tenant_id": "tenant-1",
        "microsoft_entra_client_secret": ref,
        "microsoft_entra_authority": base,
        "openai_api_base": base,
        "openai_deployment_name": "DEPLOYMENT",
        "openai_api_version": "2024-10-21",
    }


def _anthropic(base: str, ref: str) -> dict[str, Any]:
    return {"anthropic_api_key": ref, "anthropic_api_base": f"{base}/v1"}


def _databricks(base: str, ref: str) -> dict[str, Any]:
    return {"databricks_workspace_url": base, "databricks_api_token": ref}


def _custom(base: str, ref: str) -> dict[str, Any]:
    return {"custom_provider_url": f"{base}/v1", "bearer_token_auth": {"token": ref}}


def _bedrock(base: str, ref: str) -> dict[str, Any]:
    return {
        "aws_region": "us-east-1",
        "bedrock_provider": "anthropic",
        "aws_access_key_id": ref,
        "aws_secret_access_key": ref,
        "bedrock_api_base": base,
    }


def _gemini(base: str, ref: str) -> dict[str, Any]:
    return {"gemini_api_key": ref, "gemini_api_base": base}


def _vertex(base: str, ref: str) -> dict[str, Any]:
    """``ref`` must hold a service-account JSON key whose account the simulator knows (see
    ``tui.simulator.dialects.vertex.register_service_account``)."""
    return {
        "project_id": "sim-project",
        "region": "us-central1",
        "private_key": ref,
        "vertex_api_base": base,
        "vertex_token_uri": f"{base}/oauth2/v4/token",
    }


def _cohere(base: str, ref: str) -> dict[str, Any]:
    return {"cohere_api_key": ref, "cohere_api_base": base}


def _ai21(base: str, ref: str) -> dict[str, Any]:
    return {"ai21labs_api_key": ref, "ai21labs_api_base": f"{base}/studio/v1"}


def _mistral(base: str, ref: str) -> dict[str, Any]:
    return {"mistral_api_key": ref, "mistral_api_base": f"{base}/mistral/v1"}


ALL_TASKS = ("chat", "completions", "embeddings")
FLAVOURS: dict[str, Flavour] = {
    "openai": Flavour(ALL_TASKS, "openai", "openai_config", _openai),
    "azure": Flavour(ALL_TASKS, "openai", "openai_config", _azure),
    "azuread": Flavour(("chat",), "openai", "openai_config", _azuread),
    "anthropic": Flavour(("chat", "completions"), "anthropic", "anthropic_config", _anthropic),
    "databricks": Flavour(ALL_TASKS, "databricks-model-serving", "databricks_model_serving_config", _databricks),
    "custom": Flavour(ALL_TASKS, "custom", "custom_provider_config", _custom),
    "bedrock": Flavour(("chat", "completions"), "amazon-bedrock", "amazon_bedrock_config", _bedrock),
    "gemini": Flavour(ALL_TASKS, "gemini", "gemini_config", _gemini),
    "vertex": Flavour(ALL_TASKS, "google-cloud-vertex-ai", "google_cloud_vertex_ai_config", _vertex),
    "cohere": Flavour(ALL_TASKS, "cohere", "cohere_config", _cohere),
    "ai21": Flavour(("chat", "completions"), "ai21labs", "ai21labs_config", _ai21),
    "mistral": Flavour(ALL_TASKS, "mistral", "mistral_config", _mistral),
}

NATIVE_MODELS: dict[str, dict[str, str]] = {
    "cohere": {
        "chat": "command-r-plus-08-2024",
        "completions": "command-r-08-2024",
        "embeddings": "embed-english-v3.0",
    },
    "ai21": {"chat": "jamba-mini", "completions": "jamba-mini"},
    "mistral": {"chat": "mistral-small-latest", "completions": "mistral-small-latest", "embeddings": "mistral-embed"},
}
"""The model each of these flavours serves by default, by task."""

OWN_SUITES = frozenset({"gemini", "vertex"})
"""Flavours tested by their own suites (tests/providers/test_<name>.py); "copy as" and the probe do not know
their request shapes yet, and a Vertex secret holds a service-account key, not the simulator's API key."""
CASES = [(flavour, task) for flavour, spec in FLAVOURS.items() for task in spec.tasks if flavour not in OWN_SUITES]
"""Every (flavour, task) pair the simulator serves that the shared suites (end to end, copy as, probe) cover."""


def endpoint_name(flavour: str, task: str) -> str:
    return f"{flavour}-{task}"


def model_name(flavour: str, task: str) -> str:
    if flavour == "anthropic":
        return "claude-3-5-haiku-20241022"
    if flavour == "bedrock":
        return "cohere.embed-english-v3" if task == "embeddings" else "anthropic.claude-3-haiku-20240307-v1:0"
    if flavour in ("gemini", "vertex"):
        return "gemini-2.0-flash" if task != "embeddings" else "text-embedding-004"
    if flavour in NATIVE_MODELS:
        return NATIVE_MODELS[flavour][task]
    return {"chat": "gpt-4o-mini", "completions": "gpt-3.5-turbo-instruct", "embeddings": "text-embedding-3-small"}[
        task
    ]


def endpoint_body(
    base: str,
    flavour: str,
    task: str,
    *,
    model: str | None = None,
    deployment: str | None = None,
    name: str | None = None,
    entity: str = "primary",
    secret: str = SIM_REF,
    tags: Sequence[dict[str, str]] = (),
    description: str | None = None,
    **external: Any,
) -> dict[str, Any]:
    """The create body of a ``flavour`` endpoint for ``task`` served by the simulator at ``base``.

    Its key is read from the ``secret`` reference; an Azure deployment is named ``deployment`` (the model by
    default); ``external`` adds fields to the external model. Timing and faults ride in the model (or
    deployment) name, e.g. ``gpt-4o@ttft=0.3,tps=60`` (see :mod:`tui.simulator.knobs`).
    """
    spec = FLAVOURS[flavour]
    config = spec.build(base, secret)
    model = model or model_name(flavour, task)
    if "openai_deployment_name" in config:
        config["openai_deployment_name"] = deployment or model
    external_model = {"name": model, "provider": spec.provider, "task": TASKS[task], spec.config_key: config}
    body: dict[str, Any] = {
        "name": name or endpoint_name(flavour, task),
        "config": {"served_entities": [{"name": entity, "external_model": {**external_model, **external}}]},
    }
    if tags:
        body["tags"] = list(tags)
    if description is not None:
        body["description"] = description
    return body
