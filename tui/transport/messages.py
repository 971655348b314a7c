"""The values a translator hands the transport and gets back: plain data, no httpx.

Translators import these (and nothing else from the transport's I/O side), so loading a provider
does not load the HTTP client.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HttpRequest:
    """What a provider asks the transport to send."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    params: dict[str, str] | None = None
    content: bytes | None = None
    """A body sent byte for byte (instead of ``json``), for a provider that signs the exact bytes (SigV4)."""
    framing: str = "sse"
    """How a streamed answer is framed: ``"sse"`` (server-sent events) or ``"eventstream"`` (AWS binary)."""


@dataclass
class HttpResponse:
    """A JSON answer; ``headers`` looks names up case-insensitively when the transport filled it."""

    status: int
    headers: Mapping[str, str]
    body: Any


class TokenCache:
    """Access tokens (Entra ID, OAuth) kept until shortly before they expire."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, key: str, *, margin: float = 300.0) -> str | None:
        entry = self._tokens.get(key)
        if entry and entry[1] - margin > time.monotonic():
            return entry[0]
        return None

    def put(self, key: str, token: str, expires_in: float) -> None:
        self._tokens[key] = (token, time.monotonic() + expires_in)
