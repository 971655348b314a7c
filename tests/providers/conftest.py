"""A workspace whose endpoints point at a running provider simulator, one endpoint per provider and task."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.simulator import Simulator
from tui.transport.timeouts import Timeouts
from tui.workspace.local.workspace import LocalWorkspace

SIM_KEY = "sim-key"
TASKS = {"chat": "llm/v1/chat", "completions": "llm/v1/completions", "embeddings": "llm/v1/embeddings"}

# provider flavour -> (tasks it offers, provider enum, config key, config builder(base_url))
FLAVOURS: dict[str, tuple[tuple[str, ...], str, str, Any]] = {
    "openai": (
        ("chat", "completions", "embeddings"),
        "openai",
        "openai_config",
        lambda base: {"openai_api_key": "{{secrets/sim/key}}", "openai_api_base": f"{base}/v1"},
    ),
    "azure": (
        ("chat", "completions", "embeddings"),
        "openai",
        "openai_config",
        lambda base: {
            "openai_api_type": "azure",
            "openai_api_key": "{{secrets/sim/key}}",
            "openai_api_base": base,
            "openai_deployment_name": "DEPLOYMENT",
            "openai_api_version": "2024-10-21",
        },
    ),
    "azuread": (
        ("chat",),
        "openai",
        "openai_config",
        lambda base: {
            "openai_api_type": "azuread",
            "microsoft_entra_client_id": "client-1",
            "microsoft_entra_tenant_id": "tenant-1",
            "microsoft_entra_client_secret": "{{secrets/sim/key}}",
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
        lambda base: {"anthropic_api_key": "{{secrets/sim/key}}", "anthropic_api_base": f"{base}/v1"},
    ),
    "databricks": (
        ("chat", "completions", "embeddings"),
        "databricks-model-serving",
        "databricks_model_serving_config",
        lambda base: {"databricks_workspace_url": base, "databricks_api_token": "{{secrets/sim/key}}"},
    ),
    "custom": (
        ("chat", "completions", "embeddings"),
        "custom",
        "custom_provider_config",
        lambda base: {"custom_provider_url": f"{base}/v1", "bearer_token_auth": {"token": "{{secrets/sim/key}}"}},
    ),
}

CASES = [(flavour, task) for flavour, (tasks, *_rest) in FLAVOURS.items() for task in tasks]


def endpoint_name(flavour: str, task: str) -> str:
    return f"{flavour}-{task}"


def model_name(flavour: str, task: str) -> str:
    return {"chat": "gpt-4o-mini", "completions": "gpt-3.5-turbo-instruct", "embeddings": "text-embedding-3-small"}[task] if flavour != "anthropic" else "claude-3-5-haiku-20241022"


def endpoint_body(base: str, flavour: str, task: str, *, model: str | None = None, name: str | None = None, **external: Any) -> dict[str, Any]:
    _tasks, provider, key, build = FLAVOURS[flavour]
    config = build(base)
    model = model or model_name(flavour, task)
    if "openai_deployment_name" in config:
        config["openai_deployment_name"] = model
    return {
        "name": name or endpoint_name(flavour, task),
        "config": {"served_entities": [{"name": "primary", "external_model": {
            "name": model, "provider": provider, "task": TASKS[task], key: config, **external}}]},
    }


@dataclass
class Rig:
    sim: Simulator
    ws: LocalWorkspace

    @property
    def base(self) -> str:
        return self.sim.base_url

    async def endpoint(self, flavour: str, task: str, **kwargs: Any) -> str:
        body = endpoint_body(self.base, flavour, task, **kwargs)
        await self.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        return str(body["name"])


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with Simulator(api_key=SIM_KEY) as sim:
        ws = LocalWorkspace(tmp_path / "w.db", user="tester", timeouts=Timeouts(connect=2, read=5, idle=1.0))
        await ws.create_scope("sim")
        await ws.put_secret("sim", "key", SIM_KEY.encode())
        try:
            yield Rig(sim, ws)
        finally:
            await ws.aclose()
