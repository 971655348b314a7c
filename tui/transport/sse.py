"""Server-sent events: the framing OpenAI, Azure, Anthropic, Databricks and most others stream in.

Lines end with \\n, \\r\\n or \\r; a blank line dispatches the event; ``data:`` lines of one event join
with \\n; one space after the colon is dropped; ``event:`` names the event; lines starting with ``:`` are
keep-alive comments.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(slots=True)
class SseEvent:
    event: str
    data: str


async def aiter_sse(chunks: AsyncIterator[bytes]) -> AsyncIterator[SseEvent]:
    """Events from the body's bytes as they arrive. An event not closed by a blank line before EOF is dropped.

    Split here rather than by httpx's ``aiter_lines``: its text and line decoders are two more generator layers
    per chunk (stream_overhead.py: ~4 us of the ~25 us a chunk cost). Lines are split before they are decoded
    (an ASCII line end never falls inside a UTF-8 character), as UTF-8 as the SSE format prescribes.
    """
    name = ""
    data: list[str] = []
    rest = b""  # the start of a line not ended yet
    after_cr = False  # the last chunk ended with \r: a \n the next one starts with ends no second line
    async for chunk in chunks:
        if after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        if not chunk:
            continue
        after_cr = chunk[-1] == 13  # \r
        if rest:
            chunk = rest + chunk
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, rest = chunk.split(b"\n")
        for raw in lines:
            if not raw:
                if data:
                    yield SseEvent(name or "message", "\n".join(data))
                name = ""
                data = []
                continue
            line = raw.decode("utf-8", "replace")
            if line[0] == ":":
                continue
            field, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
