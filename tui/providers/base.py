"""What every provider translator offers. Providers do no I/O of their own: they build an
:class:`~tui.transport.client.HttpRequest`, parse a JSON answer and map stream events, all to and
from the standard (OpenAI-shaped) schemas. The one exception, fetching an access token, also goes
through the shared transport."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.errors import InvalidParameterValue
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, ProviderConfig
from tui.transport.client import HttpRequest, Transport
from tui.transport.redact import Redactor
from tui.transport.sse import SseEvent

Chunk = dict[str, Any]
"""A standard stream chunk (``chat.completion.chunk`` or ``text_completion_chunk``), JSON-ready."""


@dataclass
class Call:
    """One call to a provider: the task, the standard request and the resolved provider config."""

    task: str
    request: dict[str, Any]
    stream: bool
    model: str
    config: ProviderConfig
    transport: Transport
    redact: Redactor = field(default_factory=Redactor)
    created: int = field(default_factory=lambda: int(time.time()))


class StreamMapper(Protocol):
    def feed(self, event: SseEvent) -> list[Chunk]:
        """Standard chunks for one provider event (often one, sometimes none)."""
        ...

    def finish(self) -> list[Chunk]:
        """Called at the end of the stream: trailing chunks, or StreamInterrupted if it ended early."""
        ...


class Provider:
    """Base of the translators; subclasses set the class attributes and implement the three steps."""

    name: ClassVar[str]
    label: ClassVar[str]
    tasks: ClassVar[frozenset[str]] = frozenset({TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS})
    native_n: ClassVar[bool] = True
    max_temperature: ClassVar[float] = 2.0
    default_base: ClassVar[str] = ""

    async def build(self, call: Call) -> HttpRequest:
        raise NotImplementedError

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        raise NotImplementedError

    def stream_mapper(self, call: Call) -> StreamMapper:
        raise NotImplementedError

    # -- helpers shared by translators
    def check_task(self, task: str) -> None:
        if task not in self.tasks:
            offered = ", ".join(sorted(self.tasks))
            raise InvalidParameterValue(f"{self.label} has no {task} API (it offers {offered})")

    def base_url(self, call: Call) -> str:
        return (call.config.api_base() or self.default_base).rstrip("/")

    def clamp_temperature(self, body: dict[str, Any]) -> None:
        temperature = body.get("temperature")
        if isinstance(temperature, (int, float)) and temperature > self.max_temperature:
            body["temperature"] = self.max_temperature


def credential(config: ProviderConfig, field_name: str) -> str:
    """The resolved value of a secret/plaintext pair (the secret reference is already resolved)."""
    value = getattr(config, field_name, None) or getattr(config, field_name + PLAINTEXT_SUFFIX, None)
    return str(value or "")


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def text_of(content: Any) -> str:
    """Text of a message content that may be a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type", "text") == "text")
    return "" if content is None else str(content)


def prompt_text(request: dict[str, Any]) -> str:
    prompt = request.get("prompt", "")
    if isinstance(prompt, list):
        if len(prompt) != 1:
            raise InvalidParameterValue("This provider takes one prompt per request; send a single string")
        prompt = prompt[0]
    return str(prompt)


def stop_list(request: dict[str, Any]) -> list[str] | None:
    stop = request.get("stop")
    if stop is None:
        return None
    return [stop] if isinstance(stop, str) else list(stop)
