"""What every provider translator offers. Providers are pure: they build an
:class:`~tui.transport.messages.HttpRequest`, parse a JSON answer and map stream events, all to and
from the standard (OpenAI-shaped) schemas. A credential that needs a network exchange (an Entra ID
token) is declared as a :class:`TokenGrant`; the invocation layer obtains and caches it through the
transport and hands it back in :attr:`Call.tokens`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.errors import InvalidParameterValue
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, ProviderConfig
from tui.transport.messages import HttpRequest
from tui.transport.redact import Redactor

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
    redact: Redactor = field(default_factory=Redactor)
    created: int = field(default_factory=lambda: int(time.time()))
    tokens: Mapping[str, str] = field(default_factory=dict)
    """The access tokens of the provider's :meth:`Provider.token_grants`, by ``TokenGrant.slot``."""


@dataclass(frozen=True)
class TokenGrant:
    """An access token a translator needs before it can build its request, and the one OAuth 2.0 token
    request (RFC 6749 section 5.1 answer: ``access_token``, ``expires_in``) that obtains it.

    The translator only describes it; the invocation layer sends ``request`` through the transport,
    caches the token under ``cache_key`` until shortly before it expires, and puts it in
    ``Call.tokens[slot]``.
    """

    slot: str
    cache_key: str
    """Who the token is for, as a digest: the cache must never hold a secret as a key."""
    request: HttpRequest
    issuer: str
    """The token service as the transport's errors name it ("Microsoft Entra ID")."""
    failure: str
    """The start of the error when the exchange fails ("Could not get an Entra ID token for Azure OpenAI")."""
    missing: str
    """The error when the answer holds no ``access_token``."""
    default_expiry: float = 3599.0


class StreamMapper(Protocol):
    def feed(self, event: Any) -> list[Chunk]:
        """Standard chunks for one provider event (often one, sometimes none): a :class:`~tui.transport.sse.SseEvent`, or an
        :class:`~tui.transport.eventstream.EventMessage` when the request asked for ``framing="eventstream"``
        (typed ``Any`` so each mapper names the one kind it reads)."""
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

    def token_grants(self, config: ProviderConfig) -> tuple[TokenGrant, ...]:
        """The tokens :meth:`build` reads from ``call.tokens`` for this config; none by default."""
        return ()

    def build(self, call: Call) -> HttpRequest:
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


def prompt_text(request: dict[str, Any]) -> str:
    prompt = request.get("prompt", "")
    if isinstance(prompt, list):
        if len(prompt) != 1:
            raise InvalidParameterValue("This provider takes one prompt per request; send a single string")
        prompt = prompt[0]
    return str(prompt)


def embedding_texts(call: Call, label: str) -> list[str]:
    """The request's ``input`` as a list of texts; refused when empty or when it holds token arrays, which
    the providers that embed text only (Cohere, Gemini, Vertex AI, Bedrock, Mistral) cannot take."""
    value = call.request.get("input")
    texts = [value] if isinstance(value, str) else list(value or [])
    if not texts or not all(isinstance(t, str) for t in texts):
        raise InvalidParameterValue(
            f"{label} embeds text, not token arrays; send 'input' as a string or a list of strings"
        )
    return texts


def embeddings_answer(call: Call, vectors: list[list[float]], prompt_tokens: int = 0) -> dict[str, Any]:
    """The standard embeddings answer for ``vectors``, in order."""
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "model": call.model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }


def stop_list(request: dict[str, Any]) -> list[str] | None:
    stop = request.get("stop")
    if stop is None:
        return None
    return [stop] if isinstance(stop, str) else list(stop)
