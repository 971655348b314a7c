"""What the invocation layer adds around a provider stream: the ``stream_options`` fallback and the usage
of a stream whose server reports none.

``stream_options``: the OpenAI-shaped translators ask for ``stream_options: {"include_usage": true}`` so the
stream ends with a usage chunk. Some OpenAI-compatible servers (some vLLM and llama.cpp versions, older
proxies, Azure's older API versions) refuse the field with a 400/422. :class:`StreamOptionsFallback` then
sends the request once more without it and, when that answer streams, remembers the endpoint, so its
later streams go without it from the start.

The memory lasts as long as the process, on purpose: forgetting costs one refused request per endpoint
and process, while remembering for good would keep usage off after the server is upgraded and would need
a place in the store that the Databricks backend does not have.

Usage: without a usage chunk the caller gets none (usage unknown; the playground shows it missing and
counts tokens from the deltas). The usage table and the token rate limits get the completion tokens
counted from the stream the same way the playground counts them, one per non-empty content delta; the
prompt tokens stay 0 (unknown).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from tui.domain.errors import ProviderRequestError
from tui.providers.base import Chunk
from tui.providers.openai_compat import rejects_stream_options, without_stream_options
from tui.transport.client import Transport
from tui.transport.eventstream import EventMessage
from tui.transport.messages import HttpRequest
from tui.transport.redact import Redactor
from tui.transport.sse import SseEvent


class StreamOptionsFallback:
    """Streams through the transport; a refused ``stream_options`` is retried once without it and remembered."""

    def __init__(self) -> None:
        self._refused: set[tuple[str, ...]] = set()

    async def events(
        self,
        transport: Transport,
        http: HttpRequest,
        *,
        endpoint: tuple[str, str],
        provider: str,
        redact: Redactor,
    ) -> AsyncIterator[SseEvent | EventMessage]:
        """The events of ``http`` sent for ``endpoint`` (serving endpoint, served entity). The memory is per
        endpoint and server address: an edit to the URL or query (Azure's ``api-version``) tries again."""
        query = "&".join(f"{k}={v}" for k, v in sorted((http.params or {}).items()))
        key = (*endpoint, http.url, query)
        plain = without_stream_options(http)
        if plain is not None and key in self._refused:
            http, plain = plain, None
        started = False
        try:
            async for event in transport.stream(http, provider=provider, redact=redact):
                started = True
                yield event
            return
        except ProviderRequestError as err:
            if started or plain is None or not rejects_stream_options(err):
                raise
        async for event in transport.stream(plain, provider=provider, redact=redact):
            self._refused.add(key)  # only once the server took the request without the field
            yield event


class StreamUsage:
    """The usage of one stream: the last usage the provider reported, else the completion tokens counted
    from the stream (one per non-empty content delta)."""

    def __init__(self) -> None:
        self._reported: dict[str, Any] = {}
        self._pieces = 0

    def see(self, chunk: Chunk) -> None:
        if chunk.get("usage"):
            self._reported = chunk["usage"]
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta")
            text = delta.get("content") if isinstance(delta, dict) else choice.get("text")
            if text:
                self._pieces += 1

    @property
    def usage(self) -> dict[str, Any]:
        if self._reported:
            return self._reported
        return {"completion_tokens": self._pieces} if self._pieces else {}
