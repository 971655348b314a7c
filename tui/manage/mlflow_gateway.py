"""Endpoints from an MLflow AI Gateway configuration file, as Databricks create bodies.

A gateway entry (``name``, ``endpoint_type``, ``model: {provider, name, config}``, ``limit``) maps to
one external-model endpoint. A key given as ``$ENV_VAR`` becomes a ``{{secrets/<scope>/<field>}}``
reference, and the plan says which variable fills which secret; a literal key in the file is refused
(it would otherwise end up in an endpoint). Nothing here reads the environment or touches a workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tui.domain.base import check_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import InvalidParameterValue
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, PROVIDER_CONFIGS
from tui.domain.secret_refs import SecretRef, parse_secret_ref

DEFAULT_SCOPE = "mlflow_gateway"
TASKS = {"llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"}
PROVIDER_ALIASES = {"bedrock": "amazon-bedrock", "vertexai": "google-cloud-vertex-ai", "azure": "openai"}
"""MLflow provider names that Databricks spells differently (``azure`` is OpenAI with an api type)."""
_ENV_REF = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


@dataclass(frozen=True)
class SecretFromEnv:
    """A secret to store before the endpoints are created: ``scope/key`` from environment variable ``env``."""

    scope: str
    key: str
    env: str

    @property
    def reference(self) -> str:
        return str(SecretRef(self.scope, self.key))


@dataclass
class GatewayPlan:
    """What importing a gateway file does: secrets to store from the environment, then endpoints to create."""

    secrets: list[SecretFromEnv] = field(default_factory=list)
    endpoints: list[CreateServingEndpoint] = field(default_factory=list)


def parse_gateway_config(text: str, scope: str = DEFAULT_SCOPE) -> GatewayPlan:
    """The plan for a gateway file's text; every problem in it, each naming its endpoint and field, raised at once."""
    import yaml  # here: ~35 ms of every CLI command's start went to it, for the one command that reads YAML

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InvalidParameterValue(f"Not a valid YAML file: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list) or not data["endpoints"]:
        raise InvalidParameterValue("The gateway config needs a non-empty 'endpoints:' list")
    plan, problems = GatewayPlan(), []
    keys: dict[str, SecretFromEnv] = {}
    for i, entry in enumerate(data["endpoints"]):
        label = f"endpoints[{i}]"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label = f"endpoint '{entry['name']}'"
        body, entry_problems = _create_body(entry, scope, keys)
        problems += [f"{label}: {p}" for p in entry_problems]
        if body is not None:
            request, found = check_user_input(CreateServingEndpoint, body)
            problems += [f"{label}: {'.'.join(map(str, p.path)) or 'body'}: {p.message}" for p in found]
            if request is not None:
                plan.endpoints.append(request)
    names = [e.name for e in plan.endpoints]
    problems += [f"endpoint '{n}': the name is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise InvalidParameterValue("; ".join(problems))
    plan.secrets = list(keys.values())
    return plan


def _create_body(entry: Any, scope: str, keys: dict[str, SecretFromEnv]) -> tuple[dict[str, Any] | None, list[str]]:
    if not isinstance(entry, dict):
        return None, ["expected a mapping"]
    problems = [f"missing '{f}'" for f in ("name", "endpoint_type", "model") if f not in entry]
    if problems:
        return None, problems
    task, model = entry["endpoint_type"], entry["model"]
    if task not in TASKS:
        problems.append(f"endpoint_type '{task}' is not one of {', '.join(sorted(TASKS))}")
    if not isinstance(model, dict) or not isinstance(model.get("provider"), str) or not model.get("name"):
        return None, [*problems, "model needs 'provider' and 'name'"]
    provider = PROVIDER_ALIASES.get(model["provider"], model["provider"])
    if provider not in PROVIDER_CONFIGS:
        return None, [*problems, f"model.provider '{model['provider']}' is not supported"]
    config_key, config_model = PROVIDER_CONFIGS[provider]
    if not isinstance(model.get("config") or {}, dict):
        return None, [*problems, "model.config must be a mapping of the provider's fields"]
    config = {str(k): v for k, v in (model.get("config") or {}).items()}
    if model["provider"] == "azure":
        config.setdefault("openai_api_type", "azure")
    for name, value in list(config.items()):
        if name.endswith(PLAINTEXT_SUFFIX):
            problems.append(
                f"model.config.{name} is a plaintext key; give {name[: -len(PLAINTEXT_SUFFIX)]} as $ENV_VAR"
            )
        elif f"{name}{PLAINTEXT_SUFFIX}" in config_model.model_fields:  # a key field: it has a plaintext twin
            config[name], problem = _secret_ref(name, value, scope, keys)
            problems += [problem] if problem else []
    body: dict[str, Any] = {
        "name": entry["name"],
        "config": {
            "served_entities": [
                {
                    "name": entry["name"],
                    "external_model": {"name": model["name"], "provider": provider, "task": task, config_key: config},
                }
            ]
        },
    }
    if "limit" in entry:
        limit = entry["limit"]
        if not isinstance(limit, dict) or "calls" not in limit:
            problems.append("limit needs 'calls' (and 'renewal_period: minute')")
        else:
            period = limit.get("renewal_period", "minute")
            body["rate_limits"] = [{"key": "endpoint", "renewal_period": period, "calls": limit["calls"]}]
    return (None if problems else body), problems


def _secret_ref(name: str, value: Any, scope: str, keys: dict[str, SecretFromEnv]) -> tuple[Any, str | None]:
    """``$ENV`` → a secret reference (one secret per variable); a reference stays; a literal key → a problem."""
    if isinstance(value, str) and parse_secret_ref(value) is not None:
        return value, None
    match = _ENV_REF.match(value) if isinstance(value, str) else None
    if match is None:
        return value, (
            f"model.config.{name} holds a literal key; write it as $ENV_VAR "
            "so it is stored as a secret, never in the endpoint"
        )
    env = match.group(1)
    if env not in keys:
        key = name if name not in {s.key for s in keys.values()} else f"{name}_{env.lower()}"
        keys[env] = SecretFromEnv(scope, key, env)
    return keys[env].reference, None
