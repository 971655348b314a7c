"""A response body is handed on in the pieces that arrived together (`tui.transport.coalesce`): the same bytes
in the same order, the same end and the same errors as h11 gives chunk by chunk, for our connections only."""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.cuts import cut_at
from tui.transport.coalesce import ChunkRunReader, CoalescingConnection
from tui.transport.network import http_transport

REQUEST = h11.Request(method="POST", target="/v1/chat/completions", headers=[("Host", "127.0.0.1")])


def chunked(pieces: list[bytes], trailer: bytes = b"") -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces if piece)
    return head + body + b"0\r\n" + trailer + b"\r\n"


def read(connection: h11.Connection, arrivals: list[bytes]) -> tuple[list[bytes], list[Any]]:
    """The body pieces and the other events (or the error) a client reads as ``arrivals`` come in."""
    connection.send(REQUEST)
    connection.send(h11.EndOfMessage())
    data: list[bytes] = []
    others: list[Any] = []
    pending = list(arrivals)
    try:
        for _ in range(10_000):
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(pending.pop(0) if pending else b"")
            elif isinstance(event, h11.Data):
                data.append(bytes(event.data))
            else:
                others.append(event)
                if isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                    break
    except h11.RemoteProtocolError as err:
        others.append(f"error: {err}")
    return data, [repr(event) if not isinstance(event, str) else event for event in others]


@given(
    pieces=st.lists(st.binary(min_size=1, max_size=40), max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=2_000), max_size=8),
    trailer=st.sampled_from([b"", b"X-Usage: 12\r\n"]),
)
@settings(max_examples=300, deadline=None)
def test_the_body_and_its_end_are_h11_s_however_the_bytes_arrive(
    pieces: list[bytes], cuts: list[int], trailer: bytes
) -> None:
    arrivals = cut_at(chunked(pieces, trailer), cuts)
    ours, our_end = read(CoalescingConnection(our_role=h11.CLIENT), arrivals)
    theirs, their_end = read(h11.Connection(our_role=h11.CLIENT), arrivals)
    assert b"".join(ours) == b"".join(theirs) == b"".join(pieces)
    assert our_end == their_end
    assert len(ours) <= len(theirs)
    assert len(ours) <= len(arrivals)  # never more pieces than arrivals: what came together goes on together


SIZE_LINES = {
    "plain": lambda n: b"%x" % n,
    "upper case": lambda n: b"%X" % n,
    "leading zeros": lambda n: b"000%x" % n,
    "an extension": lambda n: b"%x;name=value" % n,
    "padding": lambda n: b"%x \t" % n,
    "not hex": lambda n: b"z%x" % n,
    "too long": lambda n: b"0" * 20 + b"%x" % n,
}
FOOTERS = {"CRLF": b"\r\n", "a bad footer": b"X\n", "none": b""}


@given(
    chunks=st.lists(
        st.tuples(st.binary(min_size=1, max_size=30), st.sampled_from(sorted(SIZE_LINES))),
        max_size=12,
    ),
    footer=st.sampled_from(sorted(FOOTERS)),
    last_line=st.sampled_from([b"0", b"0;ext=1", b"000", b"0 "]),
    cuts=st.lists(st.integers(min_value=0, max_value=800), max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_odd_chunk_lines_are_read_or_refused_as_h11_does(
    chunks: list[tuple[bytes, str]], footer: str, last_line: bytes, cuts: list[int]
) -> None:
    """Extensions, padding and malformed lines are h11's to read or refuse; the chunks before them are ours."""
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = b"".join(SIZE_LINES[kind](len(piece)) + b"\r\n" + piece + b"\r\n" for piece, kind in chunks)
    if chunks:  # the last data chunk's footer
        body = body[:-2] + FOOTERS[footer]
    arrivals = cut_at(head + body + last_line + b"\r\n\r\n", cuts)
    ours, our_end = read(CoalescingConnection(our_role=h11.CLIENT), arrivals)
    theirs, their_end = read(h11.Connection(our_role=h11.CLIENT), arrivals)
    assert b"".join(ours) == b"".join(theirs)
    assert our_end == their_end


def test_the_reader_takes_the_whole_chunks_received_and_leaves_a_partial_one_to_h11() -> None:
    buffer = h11._receivebuffer.ReceiveBuffer()
    buffer += b"5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n8\r\npart"
    reader = ChunkRunReader()
    first = reader(buffer)
    assert isinstance(first, h11.Data) and bytes(first.data) == b"hello world"
    rest = reader(buffer)  # h11's own reader: the part of the chunk that is there
    assert isinstance(rest, h11.Data) and bytes(rest.data) == b"part" and not rest.chunk_end
    assert reader(buffer) is None
    buffer += b"ial!\r\n3\r\nabc\r\n"
    assert bytes(reader(buffer).data) == b"ial!"  # type: ignore[union-attr]
    assert bytes(reader(buffer).data) == b"abc"  # type: ignore[union-attr]  # back at a boundary: ours again
    assert len(buffer) == 0


def test_a_chunked_body_is_read_by_the_chunk_run_reader() -> None:
    connection = CoalescingConnection(our_role=h11.CLIENT)
    connection.send(REQUEST)
    connection.send(h11.EndOfMessage())
    connection.receive_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert isinstance(connection.next_event(), h11.Response)
    assert type(connection._reader) is ChunkRunReader


def test_chunks_that_arrived_together_are_one_piece() -> None:
    events = [b'data: {"n": %d}\n\n' % n for n in range(50)]
    ours, end = read(CoalescingConnection(our_role=h11.CLIENT), [chunked(events)])
    assert ours == [b"".join(events)]
    assert [item.split("(")[0] for item in end] == ["Response", "EndOfMessage"]


def test_a_malformed_chunk_after_good_ones_gives_the_good_data_then_h11_s_error() -> None:
    raw = chunked([b"first", b"second"])[: -len(b"0\r\n\r\n")] + b"zz\r\nbroken\r\n"
    ours, our_end = read(CoalescingConnection(our_role=h11.CLIENT), [raw])
    theirs, their_end = read(h11.Connection(our_role=h11.CLIENT), [raw])
    assert ours == [b"firstsecond"] and theirs == [b"first", b"second"]
    assert our_end[-1] == their_end[-1] and our_end[-1].startswith("error: illegal chunk header")


def test_an_end_read_ahead_is_not_taken_for_the_next_response_s() -> None:
    connection = CoalescingConnection(our_role=h11.CLIENT)
    first, _ = read(connection, [chunked([b"one", b"two"])])  # reads the Data; its end is read ahead and held
    assert first == [b"onetwo"]
    # the reader stopped at EndOfMessage here; a reader that closes early instead leaves it held: simulate that
    connection._held = h11.EndOfMessage()
    connection.start_next_cycle()
    second, end = read(connection, [chunked([b"three"])])
    assert second == [b"three"]
    assert [item.split("(")[0] for item in end] == ["Response", "EndOfMessage"]


async def serve_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A loopback server answering every request with 200 small chunks written at once."""
    while await reader.readline() not in (b"\r\n", b""):
        pass
    writer.write(chunked([b"data: %d\n\n" % n for n in range(200)]))
    await writer.drain()
    writer.close()


@pytest.mark.parametrize("ours", [True, False], ids=["our transport", "plain httpx"])
async def test_only_connections_over_our_backend_coalesce(ours: bool) -> None:
    server = await asyncio.start_server(serve_chunked, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = http_transport(httpx.Limits(max_connections=1)) if ours else httpx.AsyncHTTPTransport()
    try:
        async with (
            httpx.AsyncClient(transport=transport) as client,
            client.stream("GET", f"http://127.0.0.1:{port}/") as response,
        ):
            connection = transport._pool.connections[0]._connection
            assert isinstance(connection._h11_state, CoalescingConnection) is ours
            pieces = [piece async for piece in response.aiter_raw()]
    finally:
        server.close()
        await server.wait_closed()
    assert b"".join(pieces) == b"".join(b"data: %d\n\n" % n for n in range(200))
    if ours:
        assert len(pieces) < 50  # 200 chunks, read a few socket reads at a time
    else:
        assert len(pieces) == 200  # h11's own: one piece per chunk
