"""An asyncio-native network backend for httpcore, and the httpx transport that uses it.

Why: httpx's default backend goes through anyio, and under ``switchboard serve`` that cost ~46 % of the
CPU (py-spy): the pool's ``has_expired`` asks every idle connection ``is_readable`` through anyio's
typed-attribute ``extra()`` machinery, and anyio's cancel scopes call ``current_task`` on every read and
write. Talking to the event loop directly (a ``Protocol`` with a buffer and one waiter future, timeouts as
``loop.call_later`` on that future) cut ``Transport.send``'s client CPU per request from ~1.55 ms to
~0.96 ms on uvloop (~1.6 to ~1.06 ms on asyncio's loop), and ``switchboard serve``'s CPU per non-streamed
invocation from ~2.4 ms to ~1.8 ms.

It runs on asyncio's own loop and on uvloop. It does not support trio (the project never runs on it),
and proxies from the environment do not use it: those routes keep httpx's default transport (see
:func:`http_transport` and ``Transport``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib
import socket
import ssl
import typing
from collections.abc import Iterable

import httpcore
import httpx
from httpcore._backends.base import SOCKET_OPTION
from httpcore._utils import is_socket_readable

from tui.transport import coalesce

__all__ = ["NO_CONTEXT", "AsyncioBackend", "AsyncioStream", "http_transport"]

# Above this many unread bytes the socket stops being read until the reader has drained it to the low mark.
READ_HIGH_WATER = 256 * 1024
READ_LOW_WATER = 64 * 1024
# Fair turns: a read hands back at most READ_SLICE bytes, and a read that finds data already waiting first
# lets the event loop run other tasks once this connection has held it for TURN_S seconds (see read()).
READ_SLICE = 8 * 1024
TURN_S = 0.0005


def _wake(waiter: asyncio.Future[bool] | None, timed_out: bool = False) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(timed_out)


class _Protocol(asyncio.Protocol):
    """Buffers what arrives and wakes the one reader or writer waiting on it."""

    def __init__(self) -> None:
        self.transport: asyncio.BaseTransport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self.writing_paused = False
        self.read_waiter: asyncio.Future[bool] | None = None
        self.drain_waiter: asyncio.Future[bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self.reading_paused:
            self.reading_paused = True
            typing.cast(asyncio.ReadTransport, self.transport).pause_reading()
        _wake(self.read_waiter)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self.read_waiter)
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self.read_waiter)
        _wake(self.drain_waiter)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.drain_waiter)

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of the buffer, resuming the socket once the buffer has drained."""
        buffer = self.buffer
        if len(buffer) <= max_bytes:
            data = bytes(buffer)
            buffer.clear()
        else:
            data = bytes(buffer[:max_bytes])
            del buffer[:max_bytes]
        if self.reading_paused and len(buffer) <= READ_LOW_WATER:
            self.reading_paused = False
            transport = typing.cast(asyncio.ReadTransport, self.transport)
            if not transport.is_closing():
                # in a context of its own: the loop's reader callback, made again here, keeps the context it is
                # made in while the pooled connection lives (see `_connected`)
                contextvars.Context().run(transport.resume_reading)
        return data


NO_CONTEXT = contextvars.Context()
"""The context of our timers (here and the idle watchdog's). A cancelled timer stays in the loop's queue until its
time comes, and with the caller's context it would hold what Textual put there (the worker that read, so its pane
and answer)."""


async def _wait(waiter: asyncio.Future[bool], timeout: float | None) -> bool:
    """Waits for ``waiter``; True when ``timeout`` ran out first. Cheaper than ``wait_for``: no extra task."""
    if timeout is None:
        return await waiter
    handle = asyncio.get_running_loop().call_later(timeout, _wake, waiter, True, context=NO_CONTEXT)
    try:
        return await waiter
    finally:
        handle.cancel()


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: a transport and the protocol buffering its input."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol, sock: socket.socket | None) -> None:
        self._transport = transport
        self._protocol = protocol
        self._socket = sock  # the raw socket, kept across start_tls for a cheap readability poll
        self._turn_start = 0.0  # loop time this connection's reader last let other tasks run
        protocol.transport = transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes`` (and at most :data:`READ_SLICE`) of what arrived, waiting when nothing has.

        Why the slice and the turn: data already buffered needs no wait, so without them a connection with a
        backlog (a server faster than the client, several concurrent streams) would parse and hand on its
        whole buffer, up to :data:`READ_HIGH_WATER`, before any other task ran: the first chunk of the other
        streams waited for it, and so did the app's screen. tests/bench/stream_overhead.py, 8 streams of 2,000
        chunks: median time to the first chunk ~100-150 ms before (plain httpx on anyio, which yields once per
        64 KiB read: ~80-100 ms), ~20-30 ms with an 8 KiB slice and a 0.5 ms turn, for ~1.5 us more CPU per
        chunk at 8 streams and none measurable for one. Yielding only once a turn has lasted :data:`TURN_S`
        keeps a lone stream from paying a loop iteration per slice; a paced stream, whose reads wait, never
        yields here at all.
        """
        protocol = self._protocol
        loop = asyncio.get_running_loop()
        if protocol.buffer and loop.time() - self._turn_start >= TURN_S:
            await asyncio.sleep(0)
            self._turn_start = loop.time()
        while not protocol.buffer and not protocol.eof:
            protocol.read_waiter = waiter = loop.create_future()
            try:
                if await _wait(waiter, timeout) and not protocol.buffer and not protocol.eof:
                    raise httpcore.ReadTimeout(f"no data within {timeout:g} s")
            finally:
                protocol.read_waiter = None
            self._turn_start = loop.time()
        if protocol.buffer:
            return protocol.take(min(max_bytes, READ_SLICE))
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if self._transport.is_closing():
            raise httpcore.WriteError(_lost(protocol))
        self._transport.write(buffer)
        while protocol.writing_paused and not protocol.eof:
            protocol.drain_waiter = waiter = asyncio.get_running_loop().create_future()
            try:
                if await _wait(waiter, timeout):
                    raise httpcore.WriteTimeout(f"could not send within {timeout:g} s")
            finally:
                protocol.drain_waiter = None
        if protocol.eof and protocol.error is not None:
            raise httpcore.WriteError(_lost(protocol))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            tls = await asyncio.wait_for(
                loop.start_tls(self._transport, self._protocol, ssl_context, server_hostname=server_hostname),
                timeout,
            )
        except asyncio.TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout:g} s") from None
        except OSError as err:  # ssl.SSLError is an OSError
            self._transport.close()
            raise httpcore.ConnectError(str(err) or type(err).__name__) from err
        if tls is None:  # the loop's contract allows it when the connection is already gone
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        return AsyncioStream(typing.cast(asyncio.Transport, tls), self._protocol, self._socket)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":  # asked of every idle pooled connection: kept cheap
            protocol = self._protocol
            return (
                bool(protocol.buffer) or protocol.eof or (self._socket is not None and is_socket_readable(self._socket))
            )
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._socket
        return None


def _lost(protocol: _Protocol) -> str:
    return str(protocol.error) if protocol.error else "the connection is closed"


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections on the running asyncio (or uvloop) loop."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        opening = loop.create_connection(_Protocol, host, port, local_addr=local)
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SOCKET_OPTION] | None = None
    ) -> httpcore.AsyncNetworkStream:
        opening = asyncio.get_running_loop().create_unix_connection(_Protocol, path)
        return await _connected(opening, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    opening: typing.Coroutine[typing.Any, typing.Any, tuple[asyncio.Transport, _Protocol]],
    timeout: float | None,
    socket_options: Iterable[SOCKET_OPTION] | None,
) -> AsyncioStream:
    """Awaits a connection (connect happens once per pooled connection, so ``wait_for`` is fine here).

    The connection is opened in a context of its own: the loop's reader callback for the socket keeps the
    context it was made in for as long as the pooled connection lives (the timeout's timer until it is due),
    and the caller's holds what Textual put there (the worker that asked, so its pane and answer): they would
    outlive a closed pane.
    """
    connecting = contextvars.Context().run(asyncio.get_running_loop().create_task, asyncio.wait_for(opening, timeout))
    try:
        transport, protocol = await connecting
    except asyncio.TimeoutError:
        raise httpcore.ConnectTimeout(f"no connection within {timeout:g} s") from None
    except OSError as err:
        raise httpcore.ConnectError(str(err) or type(err).__name__) from err
    sock = transport.get_extra_info("socket")
    try:
        for option in socket_options or ():
            sock.setsockopt(*option)
    except OSError as err:
        transport.close()
        raise httpcore.ConnectError(str(err)) from err
    return AsyncioStream(transport, protocol, sock)


def http_transport(limits: httpx.Limits, **options: typing.Any) -> httpx.AsyncHTTPTransport:
    """An ``httpx.AsyncHTTPTransport`` whose connection pool uses :class:`AsyncioBackend`.

    httpx has no public way to choose httpcore's network backend, so this sets the pool's private
    ``_network_backend`` (httpx 0.28 / httpcore 1.0). It fails loudly, here and in
    tests/transport/test_network_backend.py, if that shape changes rather than silently keeping anyio.
    """
    transport = httpx.AsyncHTTPTransport(limits=limits, **options)
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError(f"httpx {httpx.__version__} / httpcore {httpcore.__version__}: cannot set the backend")
    pool._network_backend = AsyncioBackend()
    coalesce.install(AsyncioStream)  # bodies handed on as they arrived, not chunk by chunk
    _load_pool_lock_backend()
    return transport


def _load_pool_lock_backend() -> None:
    """Import now what the pool's first request would: httpcore's pool lock is an ``anyio.Lock``, and anyio
    imports its asyncio backend on the first lock made (~20 ms, on the event loop, as the first answer
    starts). The app builds the transport in its warm-up thread, so this moves that import there too."""
    with contextlib.suppress(ImportError):
        importlib.import_module("anyio._backends._asyncio")
