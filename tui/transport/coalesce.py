"""A response body handed on in the pieces that arrived together, not one piece per HTTP chunk.

Why
    Providers stream an answer with chunked transfer encoding, most of them one SSE event per HTTP chunk. h11
    parses a chunked body one chunk at a time, and each chunk then travels alone through httpcore's and httpx's
    body iterators (about ten generator steps) before our SSE parser sees it. When the client is behind (eight
    answers in a burst) a single socket read holds dozens of chunks, and that per-chunk walk was most of the cost
    of reading a stream: in the burst playground benchmark, handing on all the chunks already received as one
    piece cut the app's CPU per token by ~35 %.

How
    `CoalescingConnection` is h11's client connection with `next_event` joining the body data events that are
    ready into one. It only reads what h11 already has: it never waits for more, so no piece is delayed. The
    event read past the data (the end of the message, a protocol error) is returned or raised on the next call,
    as h11 would have. Chunk boundaries carry no meaning in HTTP (proxies re-chunk freely), and the bytes and
    their order are unchanged.

    `install()` makes httpcore's HTTP/1.1 connections use it when they run over this package's network backend
    (`tui.transport.network.AsyncioStream`): other clients in the process (plain httpx, as the benchmarks use
    for comparison) keep h11's own. httpcore has no hook for this, so the connection's ``_h11_state`` is
    replaced right after it is made, on the httpcore versions this was checked against; elsewhere nothing is
    changed and bodies arrive chunk by chunk as before.
"""

from __future__ import annotations

import typing

import h11
import httpcore
from httpcore._async.http11 import AsyncHTTP11Connection

CHECKED = ("1.0.",)
"""The httpcore versions whose ``AsyncHTTP11Connection`` keeps its h11 state in ``_h11_state``."""

_HTTPCORE_INIT = "_switchboard_h11_init"
"""Where `install` keeps httpcore's own ``__init__`` (so installing twice wraps it once)."""


class CoalescingConnection(h11.Connection):
    """h11's connection, returning the body data already received as one `h11.Data` event."""

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED] | h11.RemoteProtocolError | None = None

    def next_event(self) -> typing.Any:
        held = self._held
        if held is not None:
            self._held = None
            if isinstance(held, h11.RemoteProtocolError):
                raise held
            return held
        event = super().next_event()
        if type(event) is not h11.Data:
            return event
        parts = [event.data]
        last = event
        while True:
            try:
                following = super().next_event()
            except h11.RemoteProtocolError as err:  # after the good data: the reader gets that first
                self._held = err
                break
            if type(following) is h11.Data:
                parts.append(following.data)
                last = following
                continue
            if following is not h11.NEED_DATA:
                self._held = following
            break
        if last is event:
            return event
        return h11.Data(data=b"".join(parts), chunk_start=event.chunk_start, chunk_end=last.chunk_end)

    def start_next_cycle(self) -> None:
        self._held = None  # a response closed early after its end was read ahead: that end is not the next one's
        super().start_next_cycle()


def install(stream_type: type[httpcore.AsyncNetworkStream]) -> bool:
    """Make httpcore's HTTP/1.1 connections over ``stream_type`` streams use `CoalescingConnection` (idempotent).
    Returns whether it is in place (False on an httpcore version it was not checked against)."""
    if not httpcore.__version__.startswith(CHECKED):
        return False
    if stream_type not in _COALESCED:
        _COALESCED.append(stream_type)
    if getattr(AsyncHTTP11Connection, _HTTPCORE_INIT, None) is None:
        httpcore_init = AsyncHTTP11Connection.__init__
        setattr(AsyncHTTP11Connection, _HTTPCORE_INIT, httpcore_init)

        def __init__(self: AsyncHTTP11Connection, origin: typing.Any, stream: typing.Any, **kwargs: typing.Any) -> None:
            httpcore_init(self, origin, stream, **kwargs)
            if isinstance(stream, tuple(_COALESCED)):
                self._h11_state = CoalescingConnection(
                    our_role=h11.CLIENT, max_incomplete_event_size=self.MAX_INCOMPLETE_EVENT_SIZE
                )

        AsyncHTTP11Connection.__init__ = __init__  # type: ignore[method-assign,assignment]
    return True


_COALESCED: list[type[httpcore.AsyncNetworkStream]] = []
"""The network stream types whose connections coalesce (see `install`)."""
