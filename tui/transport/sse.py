"""Server-sent events: the framing OpenAI, Azure, Anthropic, Databricks and most others stream in.

Lines end with \\n, \\r\\n or \\r (httpx's ``aiter_lines`` splits all three); a blank line dispatches
the event; ``data:`` lines of one event join with \\n; one space after the colon is dropped;
``event:`` names the event; lines starting with ``:`` are keep-alive comments.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(slots=True)
class SseEvent:
    event: str
    data: str


async def aiter_sse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """Events from a stream of lines. An event not closed by a blank line before EOF is dropped."""
    name = ""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(name or "message", "\n".join(data))
            name = ""
            data = []
            continue
        if line[0] == ":":
            continue
        field, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
