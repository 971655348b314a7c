"""The burst's ceiling for the app on this machine: the same streams read through the workspace, no screen.

`_plain_read.py` gives what plain httpx reaches here. This gives what the app's own reading path reaches with
nothing drawn: each answer through ``Workspace.stream`` (transport, SSE parsing, the provider's mapper, rate
limits, usage) and the pane's ``StreamMetrics.on_chunk``, as a pane's worker reads it, but no ``StreamView``,
no rendering and no compositing. The app's tokens/s can only come near this figure; the gap between the two is
what showing the answers costs.
"""

from __future__ import annotations

from time import perf_counter

from _plain_read import PROMPT, timed_reads

from tui.playground.metrics import StreamMetrics
from tui.workspace.local.workspace import LocalWorkspace


async def _read(ws: LocalWorkspace, name: str, tokens: int) -> int:
    """Completion tokens of one streamed answer, counted by the pane's own metrics."""
    request = {"messages": [PROMPT], "max_tokens": tokens, "stream": True}
    metrics = StreamMetrics(endpoint=name, provider="bench", task="llm/v1/chat", request=request)
    metrics.start(perf_counter())
    async for chunk in ws.stream(name, request):
        metrics.on_chunk(chunk, perf_counter())
    metrics.finish(perf_counter())
    return metrics.completion_tokens


async def workspace_read(ws: LocalWorkspace, names: list[str], tokens: int) -> dict[str, float]:
    """Read one answer of ``tokens`` tokens from each endpoint at once: tokens/s and CPU ms per 1,000 tokens."""
    await _read(ws, names[0], 5)  # warm: connections and the provider path, as the app's warm-up does
    return await timed_reads("workspace read", [_read(ws, name, tokens) for name in names], len(names) * tokens)
