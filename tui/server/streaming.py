"""Server-sent events for a streamed invocation: ``data: {...}`` lines, then ``data: [DONE]``, nothing else.

The first chunk is awaited before the response starts, so a failure before it (unknown endpoint, rate limit,
provider 401) is an ordinary error response with its status. A failure after it can no longer change the
status: the stream ends with one ``data:`` line holding the Databricks error body ``{"error_code", "message"}``
plus the same as an OpenAI ``"error"`` object, and no ``[DONE]``. Databricks documents nothing for this case;
MLflow's parser hands the line on as a chunk, the ``openai`` SDK raises ``APIError`` on its ``"error"`` key, and
a client that waits for ``[DONE]`` sees the answer as incomplete.
If the client goes away, Starlette cancels the response task and the provider call is closed with it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from tui.domain.errors import SwitchboardError

DONE = b"data: [DONE]\n\n"


_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
"""``json.dumps`` with these options, without building an encoder per call (once per chunk here)."""


def event(data: dict[str, Any]) -> bytes:
    """One SSE event: a single ``data:`` line (compact JSON has no line break) and a blank line."""
    return b"data: " + _compact(data).encode() + b"\n\n"


async def sse_response(chunks: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    """The stream as ``text/event-stream``; raises (for a normal error response) if it fails before a chunk."""
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        first = None
    except BaseException:
        await _close(chunks)
        raise
    return StreamingResponse(
        _events(first, chunks),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(first: dict[str, Any] | None, chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    try:
        if first is not None:
            yield event(first)
            async for chunk in chunks:
                yield event(chunk)
    except SwitchboardError as err:
        yield event({**err.to_json(), "error": {"code": err.error_code, "message": err.message}})
        return
    finally:
        await _close(chunks)
    yield DONE


async def _close(chunks: AsyncIterator[dict[str, Any]]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()
