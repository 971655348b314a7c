"""A loopback HTTP server for benchmarks that is never the bottleneck: it replays the simulator's answers.

The project's simulator (``tui.simulator``) builds every answer as it goes and writes one chunk per event with
a drain and a yield after each; at tens of thousands of chunks a second it takes more CPU than the client it
serves, so a benchmark reading from it measures the simulator. This server runs the simulator in a thread of
its own process only to *record*: the first request for a given method, target and ``@tokens=N`` knob (in
the path or the body) is forwarded to it and the whole answer (head and body, chunked framing and all) is
kept; that request and every later one are answered by writing those bytes in one ``transport.write``. So
each provider's wire format (OpenAI SSE, Gemini ``alt=sse``, Bedrock's binary event stream, plain JSON) is
the simulator's, byte for byte, and serving costs a buffer copy per answer. The key check happens once, on
the recorded request. Answers are the same for every request with the same key: for benchmarks only.

Other benchmarks read the simulator for throughput and could take this server the same way:
``serve_throughput.py`` (its ``direct`` target *is* the simulator, and ``serve``'s streams come from it) and the
``burst`` case of ``playground_render.py`` (there the simulator takes CPU on the cores the app needs too).

``GET /_stats`` answers ``{"cpu": <process CPU seconds>, "answers": <answers written>}`` so a benchmark can
print how little of its time the server was busy. Use :func:`minimal_server_process`; standalone::

    python tests/bench/_minimal_server.py PORT [--key KEY] [--cpu N] [--uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import free_port, wait_for_port

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
_TOKENS = re.compile(rb"(?:@|%40)tokens(?:=|%3D)(\d+)", re.IGNORECASE)


# ------------------------------------------------------------------------------------------- the server
def _read_answer(sock: socket.socket) -> bytes:
    """One whole HTTP answer from ``sock``: its head and a body by ``Content-Length`` or chunked framing."""
    data = bytearray()

    def need(size: int) -> None:
        while len(data) < size:
            piece = sock.recv(1 << 16)
            if not piece:
                raise ConnectionError("the simulator closed the connection mid-answer")
            data.extend(piece)

    while (end := data.find(b"\r\n\r\n")) < 0:
        need(len(data) + 1)
    head = bytes(data[:end]).decode("latin-1").lower()
    at = end + 4
    if "transfer-encoding: chunked" not in head:
        length = re.search(r"content-length: *(\d+)", head)
        need(at + int(length.group(1) if length else 0))
        return bytes(data[: at + int(length.group(1) if length else 0)])
    while True:  # size line, data, CRLF ... up to the zero-size chunk and its CRLF
        while (eol := data.find(b"\r\n", at)) < 0:
            need(len(data) + 1)
        size = int(data[at:eol].split(b";")[0], 16)
        need(eol + 2 + size + 2)
        at = eol + 2 + size + 2
        if size == 0:
            return bytes(data[:at])


class Replayer:
    """Answers by key, recording each new key's answer from the simulator at ``upstream`` (host, port)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.answers: dict[tuple[str, str, bytes | None], bytes] = {}
        self.served = 0

    def answer(self, method: str, target: str, raw: bytes, body: bytes) -> bytes:
        if target == "/_stats":
            stats = json.dumps({"cpu": time.process_time(), "answers": self.served}).encode()
            return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(stats), stats)
        knob = _TOKENS.search(body)
        key = (method, target.split("?")[0], knob.group(1) if knob else None)
        answer = self.answers.get(key)
        if answer is None:  # the first of its kind: blocking, but only while a benchmark warms up
            with socket.create_connection(self.upstream, timeout=60) as sock:
                sock.sendall(raw)
                answer = self.answers[key] = _read_answer(sock)
        self.served += 1
        return answer


class _Connection(asyncio.Protocol):
    """HTTP/1.1 keep-alive requests with a ``Content-Length`` body (what httpx sends), answered in order."""

    def __init__(self, replayer: Replayer) -> None:
        self.replayer = replayer
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        while (end := buffer.find(b"\r\n\r\n")) >= 0:
            lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length > MAX_BODY:
                self.transport.close()  # type: ignore[union-attr]
                return
            stop = end + 4 + length
            if len(buffer) < stop:
                return
            raw, body = bytes(buffer[:stop]), bytes(buffer[end + 4 : stop])
            del buffer[:stop]
            self.transport.write(self.replayer.answer(method, target, raw, body))  # type: ignore[union-attr]
        if len(buffer) > MAX_HEAD:
            self.transport.close()  # type: ignore[union-attr]


async def serve(port: int, key: str) -> None:
    from tui.simulator import Simulator

    with Simulator(key).running_in_thread() as sim:
        host, _, sim_port = sim.base_url.rpartition(":")
        replayer = Replayer((host.split("//")[1], int(sim_port)))
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _Connection(replayer), "127.0.0.1", port, reuse_address=True)
        async with server:
            await server.serve_forever()


# ----------------------------------------------------------------------------------- for the benchmarks
@dataclass
class MinimalServer:
    base: str
    pid: int

    def cpu(self) -> float:
        """The server process's CPU seconds so far (user + system, every thread)."""
        with socket.create_connection(("127.0.0.1", int(self.base.rsplit(":", 1)[1])), timeout=10) as sock:
            sock.sendall(b"GET /_stats HTTP/1.1\r\nhost: x\r\n\r\n")
            return float(json.loads(_read_answer(sock).split(b"\r\n\r\n", 1)[1])["cpu"])


@contextmanager
def minimal_server_process(key: str, *, cpu: int | None = None, uvloop: bool = True) -> Iterator[MinimalServer]:
    """The replaying server in a process of its own, pinned to core ``cpu`` when given."""
    port = free_port()
    argv = [sys.executable, str(Path(__file__)), str(port), "--key", key]
    argv += ["--cpu", str(cpu)] if cpu is not None else []
    argv += ["--uvloop"] if uvloop else []
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, "the minimal server")
        yield MinimalServer(f"http://127.0.0.1:{port}", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--key", default="sim-key", help="the API key the simulator checks on recorded requests")
    parser.add_argument("--cpu", type=int, help="pin this process to this core")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.uvloop:
        import uvloop

        uvloop.run(serve(args.port, args.key))
    else:
        asyncio.run(serve(args.port, args.key))


if __name__ == "__main__":
    main()
