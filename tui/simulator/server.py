"""The loopback HTTP/1.1 server: plumbing, routing to dialects, timing and fault injection.

Hand-written minimal HTTP on asyncio streams (standard library only): request line, headers, bodies by
``Content-Length`` (or chunked), keep-alive; answers with ``Content-Length`` or, for streams,
``Transfer-Encoding: chunked`` with one chunk written and flushed per SSE event.

Everything served carries ``x-simulator: switchboard``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tui.simulator.dialects import DIALECTS
from tui.simulator.dialects.azure import make_token
from tui.simulator.dialects.base import (
    ApiError,
    Call,
    Dialect,
    Event,
    RecordedRequest,
    Reply,
    StreamReply,
    dumps,
    json_reply,
    mask_key,
)
from tui.simulator.knobs import KnobError, Knobs, describe, parse_knobs

log = logging.getLogger(__name__)

DEFAULT_API_KEY = "sim-key"
MAX_LINE = 256 * 1024
MAX_HEADERS = 200
MAX_BODY = 64 * 1024 * 1024
DRIP_DELAY = 0.001  # seconds between the pieces of a dripped event
MIDSTREAM_FAULTS = ("cut", "malformed", "error_event", "stall")
REASONS = {529: "Site Overloaded"}


class _BadRequest(Exception):
    pass


def _reason(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _frame(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _drip_pieces(data: bytes, event_index: int) -> list[bytes]:
    """How ``fault=drip`` cuts one event: the first byte by byte, the others at a few awkward places
    (inside a multi-byte UTF-8 character, right before the blank line that ends the event)."""
    if event_index == 0:
        return [data[i : i + 1] for i in range(len(data))]
    cuts = {len(data) // 3, 2 * len(data) // 3, len(data) - 1}
    for i, byte in enumerate(data):
        if byte >= 0x80:
            cuts.add(i + 1)
            break
    points = [0, *sorted(c for c in cuts if 0 < c < len(data)), len(data)]
    return [data[a:b] for a, b in zip(points, points[1:]) if b > a]


def _parse_body(raw: bytes, content_type: str) -> tuple[dict[str, Any] | None, bool]:
    """(body, parsed_ok): form bodies become a dict of strings, JSON objects a dict; else None."""
    if not raw:
        return None, True
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)), True
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, False
    if isinstance(value, dict):
        return value, True
    return None, False


class Simulator:
    """A loopback fake of OpenAI, Azure OpenAI (+ Entra ID), Anthropic and Databricks model serving.

    ``async with Simulator() as sim: ... sim.base_url`` or, from sync code,
    ``with Simulator().running_in_thread() as sim: ...``. Every request is recorded in ``sim.requests``.
    """

    def __init__(self, api_key: str = DEFAULT_API_KEY, port: int = 0, host: str = "127.0.0.1") -> None:
        self.api_key = api_key
        self.host = host
        self.port = port
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
        return [
            f"{route.method:<5} {route.template:<52} {dialect.title}"
            for dialect in self.dialects
            for route in dialect.routes
        ]

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

    # ------------------------------------------------------------------------------------- HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns[task] = writer
        try:
            while not self._closing:
                try:
                    parsed = await self._read_request(reader, writer)
                except _BadRequest as err:
                    body = dumps({"error": {"message": f"Bad HTTP request: {err}", "type": "invalid_request_error"}})
                    writer.write(self._head(400, {}, "application/json", length=len(body), keep_alive=False) + body)
                    await writer.drain()
                    break
                if parsed is None:
                    break
                request, keep_alive = parsed
                self.requests.append(request)
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

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[RecordedRequest, bool] | None:
        try:
            line = await reader.readline()
            while line in (b"\r\n", b"\n"):
                line = await reader.readline()
            if not line.endswith(b"\n"):
                return None  # EOF
            parts = line.decode("latin-1").strip().split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/"):
                raise _BadRequest("malformed request line")
            method, target, version = parts
            headers: dict[str, str] = {}
            for _ in range(MAX_HEADERS + 1):
                raw = await reader.readline()
                if not raw.endswith(b"\n"):
                    return None
                if raw in (b"\r\n", b"\n"):
                    break
                name, sep, value = raw.decode("latin-1").partition(":")
                if not sep or not name.strip():
                    raise _BadRequest("malformed header line")
                key = name.strip().lower()
                headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
            else:
                raise _BadRequest("too many headers")
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = await self._read_body(reader, headers)
        except ValueError as err:  # a line over the limit
            raise _BadRequest(str(err)) from None
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        url = urlsplit(target)
        parsed_body, _ = _parse_body(body, headers.get("content-type", ""))
        request = RecordedRequest(
            method=method.upper(),
            path=unquote(url.path) or "/",
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=headers,
            body=parsed_body,
            raw_body=body,
        )
        return request, keep_alive

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            total = 0
            while True:
                size_line = await reader.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise _BadRequest("body too large")
                chunks.append(await reader.readexactly(size))
                await reader.readline()
        length = headers.get("content-length")
        if not length:
            return b""
        if not length.strip().isdigit():
            raise _BadRequest("bad content-length")
        n = int(length)
        if n > MAX_BODY:
            raise _BadRequest("body too large")
        return await reader.readexactly(n)

    def _head(
        self,
        status: int,
        headers: dict[str, str],
        content_type: str,
        *,
        length: int | None = None,
        keep_alive: bool = True,
    ) -> bytes:
        merged = {
            "date": formatdate(usegmt=True),
            "server": "switchboard-simulator",
            "content-type": content_type,
            **headers,
        }
        if length is None:
            merged["transfer-encoding"] = "chunked"
            merged["cache-control"] = "no-cache"
        else:
            merged["content-length"] = str(length)
        merged["connection"] = "keep-alive" if keep_alive else "close"
        merged["x-simulator"] = "switchboard"
        lines = [f"HTTP/1.1 {status} {_reason(status)}", *(f"{k}: {v}" for k, v in merged.items()), "", ""]
        return "\r\n".join(lines).encode("latin-1", "replace")

    # ---------------------------------------------------------------------------------- routing
    def _dispatch(self, request: RecordedRequest) -> tuple[Dialect | None, Call | None, Reply | StreamReply]:
        if request.method == "GET" and request.path == "/":
            return None, None, json_reply(200, self._index())
        for dialect in self.dialects:
            found = dialect.resolve(request)
            if found is not None:
                break
        else:
            message = (
                f"The simulator has no route for {request.method} {request.path}. "
                "GET / lists the routes."
            )
            body = {"error": {"message": message, "type": "not_found_error", "param": None, "code": "unknown_route"}}
            return None, None, json_reply(404, body)
        route, params = found
        if route is None:
            return dialect, None, dialect.render_error(dialect.not_found(request), None)
        call = Call(request=request, route=route, params=params, sim=self, op=route.op)
        try:
            if route.op == "method_not_allowed":
                raise ApiError(405, f"Method {request.method} is not allowed for {request.path}")
            if route.auth:
                dialect.check_access(call)
            if route.body == "form":
                call.body = dict(parse_qsl(request.raw_body.decode("utf-8", "replace"), keep_blank_values=True))
            else:
                body, ok = _parse_body(request.raw_body, "application/json")
                if not ok:
                    raise dialect.bad_json()
                call.body = body or {}
            call.op = dialect.operation(call)
            if route.knobs:
                try:
                    call.model, call.knobs = parse_knobs(dialect.model_spec(call), request.headers)
                except KnobError as err:
                    raise ApiError(400, str(err)) from None
                status = call.knobs.status_fault
                if status is not None:
                    raise dialect.fault_error(status, call)
            dialect.validate(call)
            reply = dialect.respond(call)
        except ApiError as err:
            reply = dialect.render_error(err, call)
        reply.headers = {**dialect.response_headers(call), **reply.headers}
        return dialect, call, reply

    def _index(self) -> dict[str, Any]:
        return {
            "simulator": "switchboard",
            "routes": self.routes(),
            "knobs": "model suffix '@k=v,k=v' or headers 'x-sim-<knob>: value'",
            "knob_list": describe().splitlines(),
        }

    # ---------------------------------------------------------------------------------- answers
    async def _serve(self, writer: asyncio.StreamWriter, request: RecordedRequest, keep_alive: bool) -> bool:
        try:
            dialect, call, reply = self._dispatch(request)
        except Exception as err:  # a simulator bug: say so rather than hang the client
            log.exception("simulator failed on %s %s", request.method, request.path)
            body = dumps({"error": {"message": f"simulator internal error: {err!r}", "type": "server_error"}})
            writer.write(self._head(500, {}, "application/json", length=len(body), keep_alive=False) + body)
            await writer.drain()
            return False
        succeeded = reply.status == 200 and call is not None and dialect is not None
        knobs = call.knobs if succeeded and call is not None else Knobs()
        if isinstance(reply, StreamReply) and succeeded:
            assert dialect is not None and call is not None
            return await self._send_stream(writer, dialect, call, reply, knobs, keep_alive)
        assert isinstance(reply, Reply)
        return await self._send_reply(writer, dialect, reply, knobs, keep_alive, succeeded)

    async def _send_reply(
        self,
        writer: asyncio.StreamWriter,
        dialect: Dialect | None,
        reply: Reply,
        knobs: Knobs,
        keep_alive: bool,
        succeeded: bool,
    ) -> bool:
        fault = knobs.fault if succeeded else None
        if fault in ("stall", "slow_headers"):
            await asyncio.sleep(knobs.stall_s)
        if succeeded:
            delay = knobs.ttft + (reply.tokens / knobs.tps if knobs.tps else 0.0)
            if delay > 0:
                await asyncio.sleep(delay)
        body = reply.body
        if fault == "malformed" and dialect is not None:
            body = dialect.malformed_body(body)
        head = self._head(reply.status, reply.headers, reply.content_type, length=len(body), keep_alive=keep_alive)
        if fault == "cut":
            writer.write(head + body[: len(body) // 2])
            await writer.drain()
            writer.close()
            return False
        if fault == "drip":
            writer.write(head)
            step = max(1, len(body) // 8)
            for i in range(0, len(body), step):
                writer.write(body[i : i + step])
                await writer.drain()
                await asyncio.sleep(DRIP_DELAY)
        else:
            writer.write(head + body)
        await writer.drain()
        return keep_alive

    async def _write_event(self, writer: asyncio.StreamWriter, data: bytes, drip: bool, index: int) -> None:
        if writer.transport.is_closing():
            raise ConnectionResetError("client went away")
        if not drip:
            writer.write(_frame(data))
            await writer.drain()
            await asyncio.sleep(0)  # let other streams run, even at tps=0
            return
        for piece in _drip_pieces(data, index):
            writer.write(_frame(piece))
            await writer.drain()
            await asyncio.sleep(DRIP_DELAY)

    async def _send_stream(
        self,
        writer: asyncio.StreamWriter,
        dialect: Dialect,
        call: Call,
        reply: StreamReply,
        knobs: Knobs,
        keep_alive: bool,
    ) -> bool:
        fault = knobs.fault
        if fault == "slow_headers":
            await asyncio.sleep(knobs.stall_s)
        writer.write(self._head(reply.status, reply.headers, reply.content_type, keep_alive=keep_alive))
        await writer.drain()
        loop = asyncio.get_running_loop()
        drip = fault == "drip"
        if knobs.cut_after is not None:
            point = knobs.cut_after
        else:
            point = 0 if fault == "stall" else reply.token_count // 2
        pending = fault in MIDSTREAM_FAULTS
        sent = 0
        first_token_at: float | None = None
        index = 0
        for event in reply.events:
            if pending and ((event.kind == "token" and sent >= point) or event.kind in ("tail", "terminal")):
                pending = False
                if fault == "cut":
                    writer.close()  # no terminating chunk: the client sees a truncated body
                    return False
                if fault == "stall":
                    await asyncio.sleep(knobs.stall_s)
                elif fault == "malformed":
                    await self._write_event(writer, dialect.malformed_event(event.data), drip, index)
                    index += 1
                elif fault == "error_event":
                    await self._write_event(writer, dialect.stream_error_event(call), drip, index)
                    break
            if event.kind == "terminal" and fault == "nodone":
                continue
            if event.kind == "token":
                if first_token_at is None:
                    if knobs.ttft:
                        await asyncio.sleep(knobs.ttft)
                    first_token_at = loop.time()
                elif knobs.tps:
                    delay = first_token_at + sent / knobs.tps - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
            await self._write_event(writer, event.data, drip, index)
            index += 1
            if event.kind == "token":
                sent += 1
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return keep_alive


def serve_forever(port: int, api_key: str) -> None:
    """``switchboard simulate``: serve on 127.0.0.1:port until Ctrl-C, after printing where and what."""

    async def main() -> None:
        async with Simulator(api_key=api_key, port=port) as sim:
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
