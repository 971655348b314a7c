"""What every provider's fault matrix shares: the chat request, the status faults and how they read, draining
a stream (whole, or up to the error that ends it), and the checks every provider's faults must pass."""

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
    StreamInterrupted,
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


async def assert_status_fault(
    rig: Rig,
    name: str,
    *,
    stream: bool,
    label: str,
    fault: str,
    cls: type[ProviderError],
    words: str,
    retry_statuses: tuple[str, ...] = ("429", "503"),
) -> None:
    """An injected status fault on endpoint ``name`` (made with ``retry_after=7``), queried or streamed: the
    typed error, worded with the provider's ``label``, the retry time where the status has one, and the
    call counted as an error."""
    with pytest.raises(ProviderError) as caught:
        if stream:
            await drain(rig, name)
        else:
            await rig.ws.query(name, CHAT)
    err = caught.value
    assert type(err) is cls
    assert err.message.startswith(label) and words in err.message, err.message
    assert err.provider_status == int(fault)
    if fault in retry_statuses:
        assert err.retry_after == 7.0
    usage = rig.ws.usage.rows(name)
    assert usage[0].errors == 1 and usage[0].calls == 1


async def assert_wrong_key_is_hidden(rig: Rig, name: str) -> None:
    """A wrong key in the secret ``name`` reads: an auth error that says to check the key, never the key."""
    wrong = "sk-wrong-key-0123456789abcdef"
    await rig.ws.put_secret("sim", "key", wrong.encode())
    with pytest.raises(ProviderAuthError) as caught:
        await rig.ws.query(name, CHAT)
    assert "401" in caught.value.message and "Check the key" in caught.value.message
    assert wrong not in caught.value.message


async def assert_cut_keeps_the_text(rig: Rig, name: str) -> None:
    """A stream of ``name`` (made with ``fault=cut,cut_after=10,tokens=40``) cut midway: the text before
    the cut arrived and is kept."""
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, StreamInterrupted)
    assert "cut" in err.message or "ended without" in err.message
    assert len(text.split()) >= 5
