"""The loopback server: its lifecycle, its connections (keep-alive) and the Entra ID tokens it issued.

HTTP framing is :mod:`.framing`, choosing the answer :mod:`.routing`, sending it (pacing and wire faults)
:mod:`.delivery`. Answers carry ``Content-Length`` or, for streams, ``Transfer-Encoding: chunked`` with one
chunk written and flushed per SSE event.

Everything served carries ``x-simulator: switchboard``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from tui.simulator import DEFAULT_API_KEY
from tui.simulator.delivery import send_reply, send_stream
from tui.simulator.dialects import DIALECTS
from tui.simulator.dialects.azure import make_token
from tui.simulator.dialects.base import Dialect, Event, RecordedRequest, Reply, StreamReply, dumps, mask_key
from tui.simulator.framing import MAX_LINE, BadRequest, read_request, response_head
from tui.simulator.knobs import Knobs, describe
from tui.simulator.routing import dispatch, route_lines

log = logging.getLogger(__name__)

RECORDED = 1000
"""How many of the latest requests a simulator keeps in ``requests`` unless told otherwise."""


class Simulator:
    """A loopback fake of OpenAI, Azure OpenAI (+ Entra ID), Anthropic and Databricks model serving.

    ``async with Simulator() as sim: ... sim.base_url`` or, from sync code,
    ``with Simulator().running_in_thread() as sim: ...``. The latest ``record`` requests are kept in
    ``sim.requests``, oldest first (0: none, for a long-running simulator nobody inspects). ``sock``: serve
    on this listening socket rather than bind ``host:port``.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        record: int = RECORDED,
        sock: socket.socket | None = None,
    ) -> None:
        self.api_key = api_key
        self.sock = sock
        self.host = host
        self.port = port
        self.record = record
        self.requests: list[RecordedRequest] = []
        self.token_requests = 0
        self.token_expires_in = 3599
        self.dialects: list[Dialect] = [cls() for cls in DIALECTS]
        self._tokens: dict[str, tuple[str, float]] = {}
        self._server: asyncio.AbstractServer | None = None
        self._bound_port: int | None = None
        self._conns: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}
        self._closing = False

    # ------------------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        if self._bound_port is None:
            raise RuntimeError("the simulator is not running: await sim.start() first")
        return f"http://{self.host}:{self._bound_port}"

    async def start(self) -> Simulator:
        if self._server is not None:
            return self
        self._closing = False
        if self.sock is not None:  # a listening socket made by someone else (tui.simulator.process)
            self._server = await asyncio.start_server(self._handle, sock=self.sock, limit=MAX_LINE)
        else:
            self._server = await asyncio.start_server(self._handle, self.host, self.port, limit=MAX_LINE)
        self._bound_port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening, close every open connection (stalled ones too) and return promptly."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing = True
        server.close()
        tasks = list(self._conns)
        for task, writer in list(self._conns.items()):
            writer.transport.abort()
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 2)
        self._bound_port = None

    async def __aenter__(self) -> Simulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[Simulator]:
        """Run on a private event loop in a daemon thread, for sync code and other threads."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="switchboard-simulator", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=10)
            yield self
        finally:
            try:
                asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                loop.close()

    def clear(self) -> None:
        """Forget the recorded requests and the token-request count (issued tokens stay valid)."""
        self.requests.clear()
        self.token_requests = 0

    def routes(self) -> list[str]:
        return route_lines(self.dialects)

    # ----------------------------------------------------------------------------- Entra tokens
    def issue_token(self, audience: str) -> tuple[str, int]:
        expires_in = self.token_expires_in
        expires_at = time.time() + expires_in
        token = make_token(audience, expires_at)
        self._tokens[token] = (audience, expires_at)
        return token, expires_in

    def token_audience(self, token: str) -> str | None:
        entry = self._tokens.get(token)
        if entry is None or entry[1] <= time.time():
            return None
        return entry[0]

    # ------------------------------------------------------------------------------- connections
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns[task] = writer
        try:
            while not self._closing:
                try:
                    parsed = await read_request(reader, writer)
                except BadRequest as err:
                    body = dumps({"error": {"message": f"Bad HTTP request: {err}", "type": "invalid_request_error"}})
                    writer.write(response_head(400, {}, "application/json", length=len(body), keep_alive=False) + body)
                    await writer.drain()
                    break
                if parsed is None:
                    break
                request, keep_alive = parsed
                self._remember(request)
                if not await self._serve(writer, request, keep_alive):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): the connection is being torn down
        finally:
            self._conns.pop(task, None)
            if self._closing:
                writer.transport.abort()
            else:
                writer.close()

    def _remember(self, request: RecordedRequest) -> None:
        if self.record > 0:
            self.requests.append(request)
            if len(self.requests) > self.record:
                del self.requests[0]

    async def _serve(self, writer: asyncio.StreamWriter, request: RecordedRequest, keep_alive: bool) -> bool:
        try:
            dialect, call, reply = dispatch(self.dialects, self, request)
        except Exception as err:  # a simulator bug: say so rather than hang the client
            log.exception("simulator failed on %s %s", request.method, request.path)
            body = dumps({"error": {"message": f"simulator internal error: {err!r}", "type": "server_error"}})
            writer.write(response_head(500, {}, "application/json", length=len(body), keep_alive=False) + body)
            await writer.drain()
            return False
        succeeded = reply.status == 200 and call is not None and dialect is not None
        knobs = call.knobs if succeeded and call is not None else Knobs()
        if isinstance(reply, StreamReply) and succeeded:
            assert dialect is not None and call is not None
            return await send_stream(writer, dialect, call, reply, knobs, keep_alive)
        assert isinstance(reply, Reply)
        return await send_reply(writer, dialect, reply, knobs, keep_alive, succeeded)


def serve_forever(port: int, api_key: str) -> None:
    """``switchboard simulate``: serve on 127.0.0.1:port until Ctrl-C, after printing where and what."""

    async def main() -> None:
        async with Simulator(api_key=api_key, port=port, record=0) as sim:
            shown = api_key if api_key == DEFAULT_API_KEY else mask_key(api_key)
            print(f"Switchboard provider simulator on {sim.base_url}  (API key: {shown})")
            print("Every answer is simulated (header x-simulator: switchboard).")
            print("Routes:")
            for line in sim.routes():
                print("  " + line)
            print("Knobs: model suffix 'model@k=v,k=v' or headers 'x-sim-<knob>: value':")
            print(describe())
            print("Ctrl-C to stop.", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


__all__ = ["DEFAULT_API_KEY", "Event", "RecordedRequest", "Simulator", "serve_forever"]
