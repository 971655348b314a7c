"""What every provider's fault matrix shares: the chat request, the status faults and how they read, and
draining a stream (whole, or up to the error that ends it)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.rig import Rig
from tui.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
)

CHAT = {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 60}

STATUS_FAULTS: list[tuple[str, type[ProviderError], str]] = [
    ("400", ProviderRequestError, "rejected the request (400)"),
    ("401", ProviderAuthError, "refused the API key (401)"),
    ("403", ProviderAuthError, "denied access (403)"),
    ("404", ProviderRequestError, "rejected the request (404)"),
    ("429", ProviderRateLimited, "rate limit hit (429)"),
    ("500", ProviderError, "failed (500)"),
    ("503", ProviderOverloaded, "overloaded (503)"),
]
"""(injected status, the error it must become, words its message must hold)."""


async def drain(rig: Rig, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The text a stream of ``name`` carried, and its chunks."""
    chunks = [chunk async for chunk in rig.ws.stream(name, CHAT)]
    return "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"]), chunks


async def stream_until_error(rig: Rig, name: str) -> tuple[str, ProviderError]:
    """The text received before the error that ended the stream, and that error."""
    received: list[str] = []
    with pytest.raises(ProviderError) as caught:
        async for chunk in rig.ws.stream(name, CHAT):
            if chunk["choices"]:
                received.append(chunk["choices"][0]["delta"].get("content") or "")
    return "".join(received), caught.value
