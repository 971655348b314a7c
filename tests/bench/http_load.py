"""A lean HTTP/1.1 load generator for benchmarks, in a process of its own: never the bottleneck.

Keep-alive connections over raw asyncio protocols (uvloop when installed); every request is pre-encoded bytes,
sent again as soon as its answer is complete; an answer is read by ``content-length`` or to the end of its
chunked body, and its SSE ``data:`` events are counted once at the end (``[DONE]`` not counted). There is no JSON
decoding and no header parsing beyond the status and the framing, so a call costs the client a few tens of µs.

Driven by a parent process over stdin/stdout (so the request, which may hold a token, is never on a command line):

1. the parent writes one JSON line: ``{"port", "request" (latin-1 text of the whole request), "count",
   "concurrency", "stream"}``;
2. this process connects ``concurrency`` connections and prints ``ready``;
3. the parent reads what it needs (the CPU times of the other processes) and writes ``go``;
4. this process makes ``count`` calls and prints one JSON line: ``wall`` and ``cpu`` seconds of the batch,
   ``latencies`` (to the whole answer), and for streams ``firsts`` (to the first ``data:`` bytes) and ``chunks``
   (``data:`` events per stream), or ``error``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
import time
from typing import Any, cast

MAX_ANSWER = 64 * 1024 * 1024
END_OF_CHUNKED = b"\r\n0\r\n\r\n"


class Failed(Exception):
    pass


class Load:
    """What every connection shares: the request, the calls left, what was measured."""

    def __init__(self, request: bytes, count: int, stream: bool) -> None:
        self.request = request
        self.left = count
        self.stream = stream
        self.latencies: list[float] = []
        self.firsts: list[float] = []
        self.chunks: list[int] = []

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Caller(asyncio.Protocol):
    """One keep-alive connection making calls one after another until the load has none left."""

    def __init__(self, load: Load, connected: asyncio.Future[None], done: asyncio.Future[None]) -> None:
        self.load = load
        self.connected = connected
        self.done = done
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.head_end = -1
        self.length = -1  # content-length; -1 while unknown, -2 for a chunked body
        self.started = 0.0
        self.first = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.connected.set_result(None)

    def begin(self) -> None:
        assert self.transport is not None
        if not self.load.take():
            self.transport.close()
            if not self.done.done():
                self.done.set_result(None)
            return
        self.buffer.clear()
        self.head_end = -1
        self.first = 0.0
        self.started = time.perf_counter()
        self.transport.write(self.load.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.head_end < 0 and not self._head():
            return
        if self.length == -2:
            if not self.first and b"data:" in data:
                self.first = time.perf_counter() - self.started
            if not self.buffer.endswith(END_OF_CHUNKED):
                self._bounded()
                return
        elif len(self.buffer) < self.head_end + self.length:
            return
        self._finish()

    def _head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            self._bounded()
            return False
        self.head_end = end + 4
        head = bytes(self.buffer[:end]).lower()
        if not head.startswith((b"http/1.1 200", b"http/1.0 200")):
            self._fail(f"answer {bytes(self.buffer[:500])!r}")
            return False
        if b"\r\ntransfer-encoding: chunked" in head:
            self.length = -2
        else:
            at = head.find(b"\r\ncontent-length:")
            if at < 0:
                self._fail("an answer with neither content-length nor chunked encoding")
                return False
            line_end = head.find(b"\r\n", at + 2)
            self.length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
        return True

    def _finish(self) -> None:
        load = self.load
        load.latencies.append(time.perf_counter() - self.started)
        if load.stream:
            load.chunks.append(self.buffer.count(b"data:") - self.buffer.count(b"data: [DONE]"))
            load.firsts.append(self.first)
        self.begin()

    def _bounded(self) -> None:
        if len(self.buffer) > MAX_ANSWER:
            self._fail("an answer over 64 MiB")

    def _fail(self, why: str) -> None:
        if not self.done.done():
            self.done.set_exception(Failed(why))
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(Failed(f"connection closed by the server ({exc})"))


def _same(caller: Caller) -> Caller:
    return caller


async def run(job: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    load = Load(job["request"].encode("latin-1"), job["count"], job["stream"])
    callers: list[Caller] = []
    dones: list[asyncio.Future[None]] = []
    for _ in range(min(job["concurrency"], job["count"])):
        connected: asyncio.Future[None] = loop.create_future()
        done: asyncio.Future[None] = loop.create_future()
        caller = Caller(load, connected, done)
        await loop.create_connection(functools.partial(_same, caller), "127.0.0.1", job["port"])
        await connected
        callers.append(caller)
        dones.append(done)
    print("ready", flush=True)
    if (await loop.run_in_executor(None, sys.stdin.readline)).strip() != "go":
        raise SystemExit("expected go")
    cpu, start = time.process_time(), time.perf_counter()
    for caller in callers:
        caller.begin()
    try:
        await asyncio.gather(*dones)
    except Failed as err:
        return {"error": str(err)}
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "latencies": load.latencies, "firsts": load.firsts, "chunks": load.chunks}


def main() -> None:
    job = json.loads(sys.stdin.readline())
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run(job))
    else:
        result = uvloop.run(run(job))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
