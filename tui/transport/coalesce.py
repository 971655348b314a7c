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
    ready into one, and with `ChunkRunReader` reading a chunked body: every whole chunk already received is
    taken off the buffer in one pass, where h11 walks each one through its reader, its event and its state
    machine (that walk was a fifth of the app's event loop in a burst, with the chunks already joined). It only
    reads what h11 already has: it never waits for more, so no piece is delayed. The event read past the data
    (the end of the message, a protocol error) is returned or raised on the next call, as h11 would have. Chunk boundaries carry no meaning in HTTP (proxies re-chunk freely), and the bytes and
    their order are unchanged.

    `install()` makes httpcore's HTTP/1.1 connections use it when they run over this package's network backend
    (`tui.transport.network.AsyncioStream`): other clients in the process (plain httpx, as the benchmarks use
    for comparison) keep h11's own. httpcore has no hook for this, so the connection's ``_h11_state`` is
    replaced right after it is made, on the httpcore versions this was checked against; elsewhere nothing is
    changed and bodies arrive chunk by chunk as before.
"""

from __future__ import annotations

import re
import typing

import h11
import httpcore
from h11._readers import ChunkedReader
from h11._receivebuffer import ReceiveBuffer
from httpcore._async.http11 import AsyncHTTP11Connection

CHECKED = ("1.0.",)
"""The httpcore versions whose ``AsyncHTTP11Connection`` keeps its h11 state in ``_h11_state``."""

H11_CHECKED = ("0.16.",)
"""The h11 versions whose chunked reader, receive buffer and ``_get_io_object`` `ChunkRunReader` was checked
against; on another, bodies are read by h11's own reader (still joined by `CoalescingConnection`)."""

_PLAIN_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,20}")
"""A chunk-size line with no extension and no padding: the only kind `ChunkRunReader` reads itself."""

_HTTPCORE_INIT = "_switchboard_h11_init"
"""Where `install` keeps httpcore's own ``__init__`` (so installing twice wraps it once)."""


class ChunkRunReader(ChunkedReader):
    """h11's chunked body reader, taking all the whole chunks at the front of the buffer as one `h11.Data`.

    Only plain chunks are read here: a size in hex, the data and its CRLF, all received. Anything else (the
    last chunk and its trailer, a chunk extension, a partial chunk, a malformed line) is left to h11's own
    reader, which reads and rejects exactly as it always does; it gets the buffer at a chunk boundary.
    """

    def __call__(self, buf: ReceiveBuffer) -> h11.Data | h11.EndOfMessage | None:
        if self._reading_trailer or self._bytes_in_chunk:
            return super().__call__(buf)
        data = buf._data
        pos = 0
        if self._bytes_to_discard:  # the CRLF after a chunk h11's reader ended
            if self._bytes_to_discard != b"\r\n" or data[:2] != b"\r\n":
                return super().__call__(buf)
            pos = 2
        parts = []
        end = len(data)
        while True:
            line_end = data.find(b"\r\n", pos)
            if line_end < 0 or _PLAIN_CHUNK_SIZE.fullmatch(data, pos, line_end) is None:
                break
            size = int(data[pos:line_end], 16)
            start = line_end + 2
            stop = start + size
            if size == 0 or stop + 2 > end or data[stop : stop + 2] != b"\r\n":
                break
            parts.append(data[start:stop])
            pos = stop + 2
        if not parts:
            return super().__call__(buf)
        del data[:pos]
        buf._next_line_search = buf._multiple_lines_search = 0  # as h11's own extraction leaves them
        self._bytes_to_discard = b""
        return h11.Data(data=b"".join(parts), chunk_start=True, chunk_end=True)


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

    def _get_io_object(self, role: typing.Any, event: typing.Any, io_dict: typing.Any) -> typing.Any:
        """h11's reader or writer for the new state, with a chunked body read by `ChunkRunReader`."""
        io_object = super()._get_io_object(role, event, io_dict)
        if type(io_object) is ChunkedReader and h11.__version__.startswith(H11_CHECKED):
            return ChunkRunReader()
        return io_object

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
