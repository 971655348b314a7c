"""Sending an answer as the knobs say: pacing (time to first token, tokens per second) and the faults
that happen on the wire (stall, slow headers, drip, cut, malformed, an error event, no ``[DONE]``)."""

from __future__ import annotations

import asyncio
import itertools

from tui.simulator.dialects.base import Call, Dialect, Reply, StreamReply
from tui.simulator.framing import frame, response_head
from tui.simulator.knobs import Knobs

DRIP_DELAY = 0.001  # seconds between the pieces of a dripped event
MIDSTREAM_FAULTS = ("cut", "malformed", "error_event", "stall")


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
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


async def send_reply(
    writer: asyncio.StreamWriter,
    dialect: Dialect | None,
    reply: Reply,
    knobs: Knobs,
    keep_alive: bool,
    succeeded: bool,
) -> bool:
    """Send a whole answer; faults and pacing apply only to a successful one. Returns keep-alive."""
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
    head = response_head(reply.status, reply.headers, reply.content_type, length=len(body), keep_alive=keep_alive)
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


async def _write_event(writer: asyncio.StreamWriter, data: bytes, drip: bool, index: int) -> None:
    if writer.transport.is_closing():
        raise ConnectionResetError("client went away")
    if not drip:
        writer.write(frame(data))
        await writer.drain()
        await asyncio.sleep(0)  # let other streams run, even at tps=0
        return
    for piece in _drip_pieces(data, index):
        writer.write(frame(piece))
        await writer.drain()
        await asyncio.sleep(DRIP_DELAY)


async def send_stream(
    writer: asyncio.StreamWriter,
    dialect: Dialect,
    call: Call,
    reply: StreamReply,
    knobs: Knobs,
    keep_alive: bool,
) -> bool:
    """Send a stream one chunk per event, paced, with a mid-stream fault where the knobs put it."""
    fault = knobs.fault
    if fault == "slow_headers":
        await asyncio.sleep(knobs.stall_s)
    writer.write(response_head(reply.status, reply.headers, reply.content_type, keep_alive=keep_alive))
    await writer.drain()
    loop = asyncio.get_running_loop()
    drip = fault == "drip"
    pending = fault in MIDSTREAM_FAULTS
    if knobs.cut_after is not None:
        point = knobs.cut_after
    elif fault == "stall" or not pending:
        point = 0
    else:
        point = reply.token_count // 2  # a counting pass of its own, only for this fault at its default point
    sent = 0
    first_token_at: float | None = None
    index = 0
    for event in reply.events():
        if pending and ((event.kind == "token" and sent >= point) or event.kind in ("tail", "terminal")):
            pending = False
            if fault == "cut":
                writer.close()  # no terminating chunk: the client sees a truncated body
                return False
            if fault == "stall":
                await asyncio.sleep(knobs.stall_s)
            elif fault == "malformed":
                await _write_event(writer, dialect.malformed_event(event.data), drip, index)
                index += 1
            elif fault == "error_event":
                await _write_event(writer, dialect.stream_error_event(call), drip, index)
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
        await _write_event(writer, event.data, drip, index)
        index += 1
        if event.kind == "token":
            sent += 1
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    return keep_alive
