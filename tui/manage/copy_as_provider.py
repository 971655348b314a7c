"""Calling an endpoint's provider directly, for "copy as": where (URL), how (headers) and what (body).

The credential is never a value: it is an environment variable named after the endpoint's field
(``openai_api_key`` -> ``$OPENAI_API_KEY``) and a comment says where the endpoint keeps it. The app's
features may not import the provider translators (they come with the transport): the few facts both
need, the base URL forms, task paths and Anthropic's headers, are in :mod:`tui.domain.provider_wire`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tui.domain.endpoints import TASK_COMPLETIONS, ExternalModel, ServingEndpointDetailed
from tui.domain.provider_configs import (
    PLAINTEXT_SUFFIX,
    AnthropicConfig,
    CustomProviderConfig,
    DatabricksModelServingConfig,
    OpenAIConfig,
    ProviderConfig,
)
from tui.domain.provider_wire import (
    ANTHROPIC_DEFAULT_MAX_TOKENS,
    ANTHROPIC_VERSION,
    ENTRA_RESOURCE,
    OPENAI_TASK_PATHS,
    anthropic_base,
    azure_resource,
    databricks_workspace,
    openai_base,
)
from tui.domain.schemas import content_text

AZURE_AD_TOKEN = "AZURE_AD_TOKEN"
CUSTOM_ENV = {"token": "CUSTOM_PROVIDER_TOKEN", "value": "CUSTOM_PROVIDER_API_KEY"}
"""The custom provider's credential fields are named just ``token`` / ``value``: their variables say whose."""


@dataclass(frozen=True)
class Direct:
    """How to reach an external model's provider without Databricks in between."""

    kind: str
    """``openai``, ``azure``, ``anthropic``, ``databricks`` or ``custom``."""
    base: str
    """The provider's base URL (Azure: the resource; Databricks: the workspace; custom: as configured)."""
    model: str
    """The model as the provider names it (Azure: the deployment; Databricks: its serving endpoint)."""
    key_env: str
    key_note: str
    """Where the endpoint keeps the credential, for a comment (outside text JSON-quoted)."""
    key_header: str | None = None
    """The custom provider's API-key header, when it authenticates that way."""
    organization: str | None = None
    api_version: str | None = None

    @property
    def openai_like(self) -> bool:
        """Whether the openai SDK can call it."""
        return self.kind != "anthropic"


def env_name(field: str) -> str:
    """The environment variable a snippet reads a credential field from: ``OPENAI_API_KEY`` for
    ``openai_api_key`` and ``openai_api_key_plaintext`` alike."""
    name = field.removesuffix(PLAINTEXT_SUFFIX)
    return CUSTOM_ENV.get(name, re.sub(r"[^A-Z0-9_]", "_", name.upper()))


def quoted(text: str) -> str:
    """Outside text for a comment: JSON-quoted, so it holds no line break nor control character."""
    return json.dumps(text, ensure_ascii=True)


def comment(text: str) -> str:
    """A ``#`` line (shell and Python alike) that no character of ``text`` can end early."""
    return "# " + re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text)


def served_model(endpoint: ServingEndpointDetailed) -> tuple[ExternalModel | None, int]:
    """The first external model ``endpoint`` serves (its active config, else the pending one) and how many."""
    config = endpoint.config or endpoint.pending_config
    models = [e.external_model for e in (config.served_entities if config else []) if e.external_model]
    return (models[0] if models else None), len(models)


def _key(config: ProviderConfig, field: str, what: str = "key") -> tuple[str, str]:
    env = env_name(field)
    ref = getattr(config, field, None)
    if ref:
        return env, f"{env}: the {what} the endpoint reads from {quoted(str(ref))}"
    if getattr(config, field + PLAINTEXT_SUFFIX, None):
        return env, f"{env}: the {what} stored in the endpoint itself (not copied here)"
    return env, f"{env}: the {what}"


def direct_target(model: ExternalModel) -> Direct | None:
    """How to call ``model``'s provider, or None for a provider these snippets do not speak."""
    config = model.provider_config()
    if isinstance(config, OpenAIConfig):
        if config.api_type == "openai":
            env, note = _key(config, "openai_api_key")
            base = openai_base(config.openai_api_base)
            return Direct("openai", base, model.name, env, note, organization=config.openai_organization)
        if config.api_type == "azuread":
            env = AZURE_AD_TOKEN
            note = f"{env}: an Entra ID token, e.g. az account get-access-token --resource {ENTRA_RESOURCE}"
        else:
            env, note = _key(config, "openai_api_key")
        base = azure_resource(config.openai_api_base)
        deployment = config.openai_deployment_name or model.name
        return Direct("azure", base, deployment, env, note, api_version=config.openai_api_version)
    if isinstance(config, AnthropicConfig):
        env, note = _key(config, "anthropic_api_key")
        return Direct("anthropic", anthropic_base(config.api_base()), model.name, env, note)
    if isinstance(config, DatabricksModelServingConfig):
        env, note = _key(config, "databricks_api_token", "token")
        return Direct("databricks", databricks_workspace(config.databricks_workspace_url), model.name, env, note)
    if isinstance(config, CustomProviderConfig):
        base = openai_base(config.custom_provider_url)
        if config.api_key_auth is not None:
            env, note = _key(config.api_key_auth, "value")
            return Direct("custom", base, model.name, env, note, key_header=config.api_key_auth.key or "api-key")
        if config.bearer_token_auth is not None:
            env, note = _key(config.bearer_token_auth, "token", "token")
            return Direct("custom", base, model.name, env, note)
    return None


def sdk_base(target: Direct) -> str:
    """The base URL the openai SDK wants (it appends the task path itself)."""
    if target.kind == "databricks":
        return f"{target.base}/serving-endpoints"
    for path in OPENAI_TASK_PATHS.values():
        if target.base.endswith(path):
            return target.base[: -len(path)]
    return target.base


def http_call(
    target: Direct, task: str, request: dict[str, Any], env: Callable[[str], str]
) -> tuple[str, list[tuple[str, str]], dict[str, Any]]:
    """URL, headers and JSON body of ``request`` sent straight to the provider; ``env(name)`` stands for
    the value of an environment variable in a header."""
    key = env(target.key_env)
    path = OPENAI_TASK_PATHS.get(task, "/chat/completions")
    headers = [("Content-Type", "application/json")]
    if target.kind == "anthropic":
        headers += [("x-api-key", key), ("anthropic-version", ANTHROPIC_VERSION)]
        return f"{target.base}/messages", headers, anthropic_body(task, request, target.model)
    if target.kind == "azure":
        url = f"{target.base}/openai/deployments/{quote(target.model, safe='')}{path}"
        url += f"?api-version={quote(target.api_version or '', safe='')}"
        auth = ("Authorization", f"Bearer {key}") if target.key_env == AZURE_AD_TOKEN else ("api-key", key)
        return url, [*headers, auth], openai_body(request, None)
    if target.kind == "databricks":
        url = f"{target.base}/serving-endpoints/{quote(target.model, safe='')}/invocations"
        return url, [*headers, ("Authorization", f"Bearer {key}")], openai_body(request, None)
    whole = target.kind == "custom" and target.base.endswith(tuple(OPENAI_TASK_PATHS.values()))  # one task's URL
    url = target.base if whole else target.base + path
    auth = (target.key_header, key) if target.key_header else ("Authorization", f"Bearer {key}")
    headers.append(auth)
    if target.organization:
        headers.append(("OpenAI-Organization", target.organization))
    return url, headers, openai_body(request, target.model)


def openai_body(request: dict[str, Any], model: str | None) -> dict[str, Any]:
    """The standard request as an OpenAI body: ``extra_params`` merged in, never ``stream``."""
    body = {k: v for k, v in request.items() if k not in ("stream", "extra_params", "model")}
    body.update(request.get("extra_params") or {})
    return {"model": model, **body} if model else body


def anthropic_body(task: str, request: dict[str, Any], model: str) -> dict[str, Any]:
    """The standard request as an Anthropic Messages body (system apart, ``max_tokens`` required)."""
    body: dict[str, Any] = {"model": model}
    if task == TASK_COMPLETIONS:
        prompt = request.get("prompt", "")
        body["messages"] = [{"role": "user", "content": prompt if isinstance(prompt, str) else "\n".join(prompt)}]
    else:
        messages = [m for m in request.get("messages", []) if isinstance(m, dict)]
        system = [content_text(m.get("content")) for m in messages if m.get("role") == "system"]
        if system:
            body["system"] = "\n".join(system)
        turns = [m for m in messages if m.get("role") != "system"]
        body["messages"] = [{"role": m.get("role"), "content": m.get("content")} for m in turns]
    body["max_tokens"] = request.get("max_tokens") or ANTHROPIC_DEFAULT_MAX_TOKENS
    for knob in ("temperature", "top_p", "top_k"):
        if request.get(knob) is not None:
            body[knob] = request[knob]
    if stop := request.get("stop"):
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    body.update(request.get("extra_params") or {})
    return body
