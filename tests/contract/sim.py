"""Endpoints for the contract suite: OpenAI-flavoured ones answered by the loopback provider simulator."""

from __future__ import annotations

from typing import Any

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.simulator.endpoints import SIM_KEY, endpoint_body

__all__ = ["KEY", "SCOPE", "SIM_KEY", "config_input", "create_request"]
SCOPE, KEY = "sim", "key"  # where SIM_REF points


def served(base: str, task: str = "llm/v1/chat", *, model: str | None = None) -> dict[str, Any]:
    """A config with one OpenAI served entity answered by the simulator at ``base``."""
    config: dict[str, Any] = endpoint_body(base, "openai", task.rsplit("/", 1)[-1], model=model)["config"]
    return config


def create_request(name: str, base: str, task: str = "llm/v1/chat", **extra: Any) -> CreateServingEndpoint:
    return parse_user_input(CreateServingEndpoint, {"name": name, "config": served(base, task), **extra}, "endpoint")


def config_input(base: str, task: str = "llm/v1/chat", *, model: str | None = None) -> EndpointCoreConfigInput:
    return parse_user_input(EndpointCoreConfigInput, served(base, task, model=model), "config")
