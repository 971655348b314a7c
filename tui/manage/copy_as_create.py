"""``databricks serving-endpoints create --json ...`` for an endpoint: its create body, as the spec names it.

The body is rebuilt from the endpoint a workspace returned: only the fields a create request has (what
a server adds, such as a served entity's ``state``, stays out) and none of Switchboard's local-only
extensions, which a Databricks workspace would refuse. A ``*_plaintext`` key is never copied: its value
becomes the environment variable named after the field, expanded by the shell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from tui.domain.endpoints import (
    EndpointCoreConfigInput,
    EndpointCoreConfigOutput,
    ServedEntityInput,
    ServedEntityOutput,
    ServingEndpointDetailed,
)
from tui.domain.provider_configs import PLAINTEXT_SUFFIX
from tui.manage.copy_as_provider import comment, env_name
from tui.manage.copy_as_shell import ShellWords, as_json

INPUT_SHAPE: dict[type[BaseModel], type[BaseModel]] = {
    ServedEntityOutput: ServedEntityInput,
    EndpointCoreConfigOutput: EndpointCoreConfigInput,
}
"""What the server answers -> the input it was made from: only the input's fields are copied."""


class _Rebuild:
    """Walks the endpoint's models, keeping declared input fields; remembers what it left out or replaced."""

    def __init__(self, env: Callable[[str], str]) -> None:
        self._env = env
        self.local_only: list[str] = []
        self.plaintext: list[str] = []

    def value(self, value: Any) -> Any:
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def model(self, model: BaseModel) -> dict[str, Any]:
        shape = next((s for cls, s in INPUT_SHAPE.items() if isinstance(model, cls)), type(model))
        local_only = getattr(type(model), "LOCAL_ONLY", ())
        out: dict[str, Any] = {}
        for name in shape.model_fields:
            item = getattr(model, name, None)
            if item is None or (shape is EndpointCoreConfigInput and name == "name"):
                continue
            if name in local_only:
                self.local_only.append(name)
            elif name.endswith(PLAINTEXT_SUFFIX):
                self.plaintext.append(env_name(name))
                out[name] = self._env(env_name(name))
            else:
                out[name] = self.value(item)
        return out


def create_body(endpoint: ServingEndpointDetailed, env: Callable[[str], str]) -> tuple[dict[str, Any], list[str]]:
    """The create request for ``endpoint`` and comment lines on what it holds instead of keys or left out."""
    walk = _Rebuild(env)
    body: dict[str, Any] = {"name": endpoint.name}
    config = endpoint.config or endpoint.pending_config
    if config is not None:
        body["config"] = walk.model(config)
    for field in ("rate_limits", "ai_gateway", "tags", "description"):
        if value := getattr(endpoint, field):
            body[field] = walk.value(value)
    notes = [
        comment(f"{name}: the key, which the endpoint holds in plain text (a secret reference is safer)")
        for name in dict.fromkeys(walk.plaintext)
    ]
    if walk.local_only:
        left = ", ".join(dict.fromkeys(walk.local_only))
        notes.append(comment(f"left out, as only Switchboard has them: {left}"))
    return body, notes


def create_snippet(endpoint: ServingEndpointDetailed) -> str:
    """The Databricks CLI command that creates ``endpoint`` in a workspace."""
    words = ShellWords()
    body, notes = create_body(endpoint, words.env)
    command = words.command(["databricks", "serving-endpoints", "create"], [("--json", as_json(body))])
    return "\n".join([*notes, command, ""])
