"""What a caller had in its context (under Textual: the worker, so its pane and answer) is not kept alive by
the transport once the call is over: not by the pooled connection's socket callback (made again when a
paused socket resumes), not by the idle watchdog's or the connect timeout's cancelled timers (which stay in
the loop's queue until their time comes)."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import weakref

import pytest

from tui.transport import network
from tui.transport.client import HttpRequest, Transport
from tui.transport.sse import SseEvent
from tui.transport.timeouts import Timeouts

EVENTS = 400
PAD = "x" * 4000  # 400 events of ~4 kB: well past the read buffer's high-water mark
CALLER: contextvars.ContextVar[object] = contextvars.ContextVar("caller")
protocols: list[network._Protocol] = []  # every connection the test opens


class Answer:
    """Stands for what a worker's context leads to."""


async def read_head(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return b""


async def serve_streams(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A long event stream for every request, keeping the connection open for the next (keep-alive)."""
    while await read_head(reader):
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
        for n in range(EVENTS):
            event = f'data: {{"n":{n},"pad":"{PAD}"}}\n\n'.encode()
            writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    writer.close()


async def stream_as_a_worker(tr: Transport, url: str, paused: list[bool]) -> weakref.ref[Answer]:
    """Streams in a task whose context refers to an answer (as a Textual worker's does); a weak reference to it."""
    answer = Answer()
    CALLER.set(answer)
    count = 0
    async for event in tr.stream(HttpRequest("GET", url), provider="p"):
        assert isinstance(event, SseEvent)
        if count == 0:  # a slow first step: the socket's buffer fills and reading pauses (bounded wait)
            for _ in range(100):
                if any(p.reading_paused for p in protocols):
                    break
                await asyncio.sleep(0.05)
            paused.append(any(p.reading_paused for p in protocols))
        count += 1
    assert count == EVENTS
    return weakref.ref(answer)


async def test_a_finished_stream_leaves_nothing_of_its_caller_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    made = network._Protocol.__init__

    def remember(self: network._Protocol) -> None:
        made(self)
        protocols.append(self)

    monkeypatch.setattr(network._Protocol, "__init__", remember)
    server = await asyncio.start_server(serve_streams, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/stream"
    tr = Transport(Timeouts(connect=30, read=30, idle=30))  # timers due long after the test
    # an earlier timer, as the app always has: the loop drops cancelled timers only from the queue's head
    earlier = asyncio.get_running_loop().call_later(10, lambda: None)
    try:
        paused: list[bool] = []
        worker = asyncio.get_running_loop().create_task(stream_as_a_worker(tr, url, paused))
        answer = await worker
        del worker  # the task keeps its context, as a Textual worker does while it is kept
        await asyncio.sleep(0)  # and so does the loop's handle that woke this task, while it runs
        assert paused == [True], "the case needs the socket paused and resumed"
        assert len(protocols) == 1 and not protocols[0].eof, "the connection is still pooled"
        gc.collect()
        assert answer() is None, "the caller's answer is kept alive"
    finally:
        earlier.cancel()
        protocols.clear()
        await tr.aclose()
        server.close()
