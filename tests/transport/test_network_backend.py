"""The asyncio-native network backend (tui.transport.network), through ``Transport`` and on its own.

Every failure case runs twice, on our backend and on httpx's default (anyio) client, so the typed error a
user sees is shown to be the same as before. The module runs on asyncio's loop; ``test_on_uvloop`` runs the
same cases again on uvloop (the loop of ``switchboard serve``).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tui.domain.errors import ProviderProtocolError, ProviderTimeout, ProviderUnreachable, StreamInterrupted
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY
from tui.transport import network
from tui.transport.client import HttpRequest, Transport
from tui.transport.network import AsyncioBackend, AsyncioStream
from tui.transport.sse import SseEvent
from tui.transport.timeouts import Timeouts

TIMEOUTS = Timeouts(connect=2, read=0.5, idle=5.0)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def make_transport(backend: str, timeouts: Timeouts = TIMEOUTS) -> Transport:
    """Our Transport as the app builds it, or one on httpx's default transport (the behaviour before)."""
    if backend == "asyncio":
        return Transport(timeouts)
    return Transport(timeouts, client=httpx.AsyncClient(timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect)))


@pytest.fixture(params=["asyncio", "anyio"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    tr = make_transport(request.param)
    try:
        yield tr
    finally:
        await tr.aclose()


def _pattern_transport(tr: Transport, url: str) -> httpx.AsyncBaseTransport:
    return tr._client._transport_for_url(httpx.URL(url))


async def test_the_transport_pool_uses_our_backend() -> None:
    """Fails loudly if an httpx/httpcore release moves the pool's backend attribute."""
    tr = Transport()
    try:
        chosen = _pattern_transport(tr, "https://api.example.com/v1")
        assert isinstance(chosen, httpx.AsyncHTTPTransport)
        assert isinstance(chosen._pool, httpcore.AsyncConnectionPool)
        assert isinstance(chosen._pool._network_backend, AsyncioBackend)
    finally:
        await tr.aclose()


async def test_a_proxy_from_the_environment_still_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    monkeypatch.delenv("ALL_PROXY", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    tr = Transport()
    try:
        proxied = _pattern_transport(tr, "https://api.example.com/v1")
        assert isinstance(proxied, httpx.AsyncHTTPTransport)
        assert isinstance(proxied._pool, httpcore.AsyncHTTPProxy)
        direct = _pattern_transport(tr, "http://127.0.0.1:9/v1")
        assert isinstance(direct, httpx.AsyncHTTPTransport)
        assert isinstance(direct._pool._network_backend, AsyncioBackend)
    finally:
        await tr.aclose()


# --- against the project's simulator --------------------------------------------------------------------


def chat(sim: Simulator, model: str, *, stream: bool = False) -> HttpRequest:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    return HttpRequest("POST", sim.base_url + "/v1/chat/completions", {"authorization": f"Bearer {SIM_KEY}"}, body)


async def test_plain_request_and_long_stream_against_the_simulator() -> None:
    tr = make_transport("asyncio")
    try:
        async with Simulator(api_key=SIM_KEY) as sim:
            resp = await tr.send(chat(sim, "gpt-4o-mini@tokens=16"), provider="openai")
            assert resp.status == 200 and resp.body["choices"][0]["message"]["content"]
            texts: list[str] = []
            async for event in tr.stream(chat(sim, "gpt-4o-mini@tokens=20000", stream=True), provider="openai"):
                assert isinstance(event, SseEvent)
                if event.data != "[DONE]":
                    texts += [c["delta"].get("content") or "" for c in json.loads(event.data)["choices"]]
            assert len([t for t in texts if t]) == 20000
            again = await tr.send(chat(sim, "gpt-4o-mini@tokens=4"), provider="openai")
            assert again.status == 200
    finally:
        await tr.aclose()


# --- a small scripted HTTP server, plain or TLS ---------------------------------------------------------


async def read_head(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return b""


def answer(body: bytes, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n{extra}\r\n".encode()
        + body
    )


async def serve_json(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection (keep-alive) with a small JSON body."""
    while await read_head(reader):
        writer.write(answer(b'{"ok":true}'))
        await writer.drain()
    writer.close()


async def serve_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    for n in range(3000):
        event = f'data: {{"n":{n},"pad":"{"x" * 200}"}}\n\n'.encode()
        writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    writer.close()


class Server:
    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, ssl.SSLError):
            writer.close()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        return f"{'https' if self.tls else 'http'}://{'localhost' if self.tls else '127.0.0.1'}:{port}"

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()


def get(url: str) -> HttpRequest:
    return HttpRequest("GET", url)


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def answer_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(answer(b'{"n":1}'))  # keep-alive by default, then the server hangs up anyway
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        closed.set()

    closed = asyncio.Event()
    server = Server(answer_then_close)
    tr = make_transport("asyncio")
    try:
        async with server as base:
            assert (await tr.send(get(base + "/a"), provider="p")).body == {"n": 1}
            await closed.wait()
            assert (await tr.send(get(base + "/b"), provider="p")).body == {"n": 1}
            assert server.connections == 2
    finally:
        await tr.aclose()


async def test_keep_alive_reuses_one_connection() -> None:
    server = Server(serve_json)
    tr = make_transport("asyncio")
    try:
        async with server as base:
            for _ in range(5):
                assert (await tr.send(get(base + "/"), provider="p")).body == {"ok": True}
            assert server.connections == 1
    finally:
        await tr.aclose()


# --- failures: the same typed errors as before ----------------------------------------------------------


async def test_connect_refused(transport: Transport) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        with pytest.raises(ProviderUnreachable, match="connection refused"):
            await transport.send(get(f"http://127.0.0.1:{port}/"), provider="p")


@pytest.mark.parametrize("backend", ["asyncio", "anyio"])
async def test_connect_timeout_on_a_full_backlog(backend: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):  # fill the accept queue until a connect hangs (never accepted)
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(listener.getsockname())
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel accepted every connection into the backlog")
        tr = make_transport(backend, Timeouts(connect=0.2, read=1, idle=1))
        try:
            with pytest.raises(ProviderTimeout, match=r"did not connect within 0\.2 s"):
                await tr.send(get(f"http://127.0.0.1:{listener.getsockname()[1]}/"), provider="p")
        finally:
            await tr.aclose()
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


async def test_read_timeout_when_the_server_stalls(transport: Transport) -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        await reader.read()  # until the client gives up and closes

    async with Server(stall) as base:
        with pytest.raises(ProviderTimeout, match=r"did not answer within 0\.5 s"):
            await transport.send(get(base + "/"), provider="p")


async def cut_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_head(reader)
    writer.write(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"partial":')
    await writer.drain()
    writer.close()


async def test_server_closing_mid_body(transport: Transport) -> None:
    async with Server(cut_body) as base:
        with pytest.raises(ProviderProtocolError, match="closed the connection before the whole answer"):
            await transport.send(get(base + "/"), provider="p")


async def test_server_closing_mid_stream(transport: Transport) -> None:
    async def cut_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        event = b'data: {"n":1}\n\n'
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        await writer.drain()
        writer.close()

    events: list[object] = []
    async with Server(cut_stream) as base:
        with pytest.raises(StreamInterrupted, match="cut after 1 event"):
            async for event in transport.stream(get(base + "/"), provider="p"):
                events.append(event)
    assert events == [SseEvent("message", '{"n":1}')]


# --- HTTPS ----------------------------------------------------------------------------------------------


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


async def test_https_request_and_stream_with_a_trusted_self_signed_cert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path, "trusted")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx's trust_env: the Transport trusts this cert
    tr = make_transport("asyncio")
    try:
        async with Server(serve_json, server_context(cert, key)) as base:
            assert (await tr.send(get(base + "/"), provider="p")).body == {"ok": True}
        async with Server(serve_stream, server_context(cert, key)) as base:
            numbers = [json.loads(e.data)["n"] async for e in tr.stream(get(base + "/"), provider="p")]  # type: ignore[union-attr]
            assert numbers == list(range(3000))
    finally:
        await tr.aclose()


async def test_https_with_an_untrusted_cert_is_unreachable(tmp_path: Path, transport: Transport) -> None:
    cert, key = self_signed(tmp_path, "untrusted")
    async with Server(serve_json, server_context(cert, key)) as base:
        with pytest.raises(ProviderUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
            await transport.send(get(base + "/"), provider="p")


# --- the backend on its own: flow control both ways -----------------------------------------------------


async def test_read_back_pressure_pauses_and_resumes_the_socket() -> None:
    size = 4 * 1024 * 1024

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(bytes(range(256)) * (size // 256))
        await writer.drain()
        writer.close()

    async with Server(flood) as base:
        port = int(base.rsplit(":", 1)[1])
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)
        assert isinstance(stream, AsyncioStream)
        protocol = stream._protocol
        for _ in range(500):  # let the loop fill the buffer up to the high-water mark
            if protocol.reading_paused:
                break
            await asyncio.sleep(0.01)
        assert protocol.reading_paused
        assert len(protocol.buffer) < network.READ_HIGH_WATER + 1024 * 1024
        received = bytearray()
        while chunk := await stream.read(65536, timeout=2):
            received += chunk
        assert received == bytes(range(256)) * (size // 256)
        await stream.aclose()


async def test_a_reader_with_a_backlog_takes_turns_with_other_tasks() -> None:
    """Data already buffered is handed out in slices, and a reader that keeps finding it lets other tasks
    run every few slices instead of draining the whole backlog first (the first chunk of the other streams,
    and the app's screen, would wait for it)."""
    size = 1024 * 1024

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"x" * size)
        await writer.drain()
        writer.close()

    async with Server(flood) as base:
        port = int(base.rsplit(":", 1)[1])
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2)
        assert isinstance(stream, AsyncioStream)
        for _ in range(500):  # a backlog: the buffer up to its high-water mark
            if stream._protocol.reading_paused:
                break
            await asyncio.sleep(0.01)
        turns = 0
        stop = False

        async def other_task() -> None:
            nonlocal turns
            while not stop:
                turns += 1
                await asyncio.sleep(0)

        other = asyncio.create_task(other_task())
        await asyncio.sleep(0)
        turns_at_start, received = turns, 0
        while received < network.READ_HIGH_WATER // 2:
            chunk = await stream.read(65536, timeout=2)
            assert 0 < len(chunk) <= network.READ_SLICE
            received += len(chunk)
            until = time.perf_counter() + network.TURN_S / 2  # what parsing the slice would cost
            while time.perf_counter() < until:
                pass
        # 128 KiB in 8 KiB slices at half a turn each: the other task ran about every other slice
        assert turns - turns_at_start >= 4
        stop = True
        await other
        await stream.aclose()


async def test_write_flow_control_and_write_timeout() -> None:
    got = asyncio.Queue[int]()

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        total = 0
        while data := await reader.read(1 << 20):
            total += len(data)
        await got.put(total)
        writer.close()

    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await released.wait()
        writer.close()

    released = asyncio.Event()
    payload = b"z" * (32 * 1024 * 1024)
    async with Server(count) as base:
        port = int(base.rsplit(":", 1)[1])
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=2, local_address="127.0.0.1")
        assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
        assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
        await stream.write(payload, timeout=5)
        await stream.aclose()
        assert await got.get() == len(payload)
    async with Server(never_read) as base:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=2)
        with pytest.raises(httpcore.WriteTimeout):
            await stream.write(payload, timeout=0.2)
        await stream.aclose()
        released.set()


async def test_extra_info_and_unix_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    server = await asyncio.start_unix_server(serve_json, path)
    try:
        stream = await AsyncioBackend().connect_unix_socket(path, timeout=2)
        assert stream.get_extra_info("is_readable") is False
        await stream.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        assert (await stream.read(65536, timeout=2)).startswith(b"HTTP/1.1 200 OK")
        assert stream.get_extra_info("ssl_object") is None
        assert stream.get_extra_info("socket") is not None
        await stream.aclose()
    finally:
        server.close()


# --- the same cases on uvloop ---------------------------------------------------------------------------


async def with_transport(case: Callable[[Transport], Awaitable[None]]) -> None:
    tr = make_transport("asyncio")
    try:
        await case(tr)
    finally:
        await tr.aclose()


UVLOOP_CASES: dict[str, Callable[[Path, pytest.MonkeyPatch], Coroutine[Any, Any, None]]] = {
    "simulator": lambda tmp, mp: test_plain_request_and_long_stream_against_the_simulator(),
    "idle close": lambda tmp, mp: test_a_connection_the_server_closed_while_idle_is_not_reused(),
    "keep-alive": lambda tmp, mp: test_keep_alive_reuses_one_connection(),
    "refused": lambda tmp, mp: with_transport(test_connect_refused),
    "read timeout": lambda tmp, mp: with_transport(test_read_timeout_when_the_server_stalls),
    "cut body": lambda tmp, mp: with_transport(test_server_closing_mid_body),
    "cut stream": lambda tmp, mp: with_transport(test_server_closing_mid_stream),
    "https": test_https_request_and_stream_with_a_trusted_self_signed_cert,
    "untrusted": lambda tmp, mp: with_transport(lambda tr: test_https_with_an_untrusted_cert_is_unreachable(tmp, tr)),
    "read back-pressure": lambda tmp, mp: test_read_back_pressure_pauses_and_resumes_the_socket(),
    "write flow control": lambda tmp, mp: test_write_flow_control_and_write_timeout(),
    "unix socket": lambda tmp, mp: test_extra_info_and_unix_socket(tmp),
}


@pytest.mark.parametrize("case", list(UVLOOP_CASES))
def test_on_uvloop(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uvloop = pytest.importorskip("uvloop")

    async def run() -> None:
        assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
        await UVLOOP_CASES[case](tmp_path, monkeypatch)

    uvloop.run(run())


def test_building_the_transport_loads_what_the_first_request_would() -> None:
    # The app builds the transport in its warm-up thread; the pool lock's anyio backend, imported on the
    # first request otherwise, must come with it (a fresh interpreter: here it is loaded already).
    probe = (
        "import sys; from tui.transport.client import Transport; "
        "assert 'anyio._backends._asyncio' not in sys.modules; Transport(); "
        "print('anyio._backends._asyncio' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
