"""The burst's floor on this machine: the same streams read with plain httpx and nothing else.

`playground_render.py --case burst` reads 8 answers of 10,000 tokens into the app. How fast that can be depends
as much on the machine as on the app (the same code has measured 1.7x apart on two days here), so after each
burst run the same answers are read again from the same server, in the same process, on the same core, by
plain httpx: ``aiter_lines`` and ``json.loads`` per event, counting content tokens, no app, no rendering. Its
tokens/s and CPU per 1,000 tokens are what any httpx-based client could reach here, and ``app / plain`` is a
ratio that carries from one machine to another.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from time import perf_counter, process_time
from typing import Any

import httpx

PROMPT = {"role": "user", "content": "Write a long answer with headings, lists and code."}


async def _read(client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    """Content tokens in one streamed answer (an OpenAI chunk or an Anthropic delta with text is one token)."""
    tokens = 0
    async with client.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if event.get("type") == "content_block_delta":  # Anthropic
                tokens += bool(event["delta"].get("text"))
            elif event.get("choices"):  # OpenAI
                tokens += bool(event["choices"][0]["delta"].get("content"))
    return tokens


def _request(base: str, key: str, index: int, tokens: int) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The request the bench's endpoint ``index`` sends (even: OpenAI, odd: Anthropic), as the app words it."""
    if index % 2:
        body = {
            "model": f"claude-3-5-haiku-{index}@tokens={tokens},tps=0",
            "max_tokens": tokens,
            "messages": [PROMPT],
            "stream": True,
        }
        return f"{base}/v1/messages", body, {"x-api-key": key, "anthropic-version": "2023-06-01"}
    body = {"model": f"gpt-4o-{index}@tokens={tokens},tps=0", "messages": [PROMPT], "stream": True}
    return f"{base}/v1/chat/completions", body, {"authorization": f"Bearer {key}"}


async def plain_read(base: str, key: str, streams: int, tokens: int) -> dict[str, float]:
    """Read ``streams`` answers of ``tokens`` tokens at once: tokens/s and CPU ms per 1,000 tokens."""
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=streams)) as client:
        await _read(client, *_request(base, key, 0, 5))  # connection set-up and imports, as the app's warm-up
        reads = [_read(client, *_request(base, key, i, tokens)) for i in range(streams)]
        return await timed_reads("plain read", reads, streams * tokens)


async def timed_reads(what: str, reads: list[Coroutine[Any, Any, int]], wanted: int) -> dict[str, float]:
    """Run ``reads`` (each returning the tokens it read) at once: tokens/s and CPU ms per 1,000 tokens."""
    start, cpu = perf_counter(), process_time()
    counts = await asyncio.gather(*reads)
    wall, cpu = perf_counter() - start, process_time() - cpu
    total = sum(counts)
    if total != wanted:
        raise RuntimeError(f"{what} got {total} tokens, wanted {wanted}")
    return {"tps": total / wall, "cpu_k": 1e6 * cpu / total}
