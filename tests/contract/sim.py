"""Endpoint bodies that point at the loopback provider simulator, for the contract suite."""

from __future__ import annotations

from typing import Any

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput

SIM_KEY = "sim-key"
SCOPE, KEY = "sim", "key"
MODELS = {
    "llm/v1/chat": "gpt-4o-mini",
    "llm/v1/completions": "gpt-3.5-turbo-instruct",
    "llm/v1/embeddings": "text-embedding-3-small",
}


def served(base: str, task: str = "llm/v1/chat", *, model: str | None = None) -> dict[str, Any]:
    """A config with one OpenAI served entity answered by the simulator at ``base``."""
    return {
        "served_entities": [
            {
                "name": "primary",
                "external_model": {
                    "name": model or MODELS[task],
                    "provider": "openai",
                    "task": task,
                    "openai_config": {
                        "openai_api_key": f"{{{{secrets/{SCOPE}/{KEY}}}}}",
                        "openai_api_base": f"{base}/v1",
                    },
                },
            }
        ]
    }


def create_request(name: str, base: str, task: str = "llm/v1/chat", **extra: Any) -> CreateServingEndpoint:
    return parse_user_input(CreateServingEndpoint, {"name": name, "config": served(base, task), **extra}, "endpoint")


def config_input(base: str, task: str = "llm/v1/chat", *, model: str | None = None) -> EndpointCoreConfigInput:
    return parse_user_input(EndpointCoreConfigInput, served(base, task, model=model), "config")
