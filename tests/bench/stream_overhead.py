"""Benchmark: what Switchboard's streaming path costs over a plain httpx read of the same stream.

Chunks/s and time to first chunk through ``Workspace.stream`` (transport + SSE + OpenAI mapper +
rate limiting + usage records) vs a plain ``httpx`` read (``aiter_lines`` + ``json.loads``) of the
same simulator stream; 1 and 8 concurrent streams of 2,000 chunks. Two more tables do the same for
Anthropic on Amazon Bedrock (binary event stream; plain = httpx + botocore's ``EventStreamBuffer``) and
Google Gemini (``alt=sse``; plain = httpx ``aiter_lines`` + ``json.loads``).
The simulator runs in its own process so it does not share this process's CPU time.

Targets: >= 0.8x the plain-httpx throughput, <= +0.3 ms to the first chunk.
Run by hand:  python tests/bench/stream_overhead.py [rounds]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from _common import simulator_process

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.workspace.local.workspace import LocalWorkspace

CHUNKS = 2000
Plain = Callable[[httpx.AsyncClient, str], Awaitable[tuple[int, float, float]]]
"""A plain read of one stream: (content chunks, seconds to first chunk, total seconds)."""
KEY = "sim-key"
BODY = {"messages": [{"role": "user", "content": "Write a long answer."}]}


async def plain_httpx(client: httpx.AsyncClient, base: str) -> tuple[int, float, float]:
    """(content chunks, seconds to first chunk, total seconds) for one plain read."""
    start = time.perf_counter()
    first = 0.0
    chunks = 0
    # the same request Workspace.stream sends, so both read the very same stream
    body = {**BODY, "model": f"gpt-4o-mini@tokens={CHUNKS}", "stream": True, "stream_options": {"include_usage": True}}
    async with client.stream(
        "POST", f"{base}/v1/chat/completions", json=body, headers={"authorization": f"Bearer {KEY}"}
    ) as resp:
        async for line in resp.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                chunk = json.loads(line[6:])
                if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    chunks += 1
                    if chunks == 1:
                        first = time.perf_counter() - start
    return chunks, first, time.perf_counter() - start


async def through_workspace(ws: LocalWorkspace, name: str = "bench") -> tuple[int, float, float]:
    start = time.perf_counter()
    first = 0.0
    chunks = 0
    async for chunk in ws.stream(name, BODY):
        if chunk["choices"] and chunk["choices"][0].get("delta", {}).get("content"):
            chunks += 1
            if chunks == 1:
                first = time.perf_counter() - start
    return chunks, first, time.perf_counter() - start


async def short_ttfc(ws: LocalWorkspace, client: httpx.AsyncClient, base: str, rounds: int = 200) -> None:
    global CHUNKS
    saved, CHUNKS = CHUNKS, 5
    request = {
        "name": "short",
        "config": {
            "served_entities": [
                {
                    "name": "sim",
                    "external_model": {
                        "name": "gpt-4o-mini@tokens=5",
                        "provider": "openai",
                        "task": "llm/v1/chat",
                        "openai_config": {"openai_api_key": "{{secrets/sim/key}}", "openai_api_base": f"{base}/v1"},
                    },
                }
            ]
        },
    }
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, request, "endpoint"))
    plain, ours = [], []
    try:
        for _ in range(rounds):
            plain.append((await plain_httpx(client, base))[1])
            ours.append((await through_workspace(ws, "short"))[1])
    finally:
        CHUNKS = saved
    p, o = statistics.median(plain) * 1000, statistics.median(ours) * 1000
    print(
        f"time to first chunk of a 5-token answer, median of {rounds}: plain {p:.3f} ms, ours {o:.3f} ms, delta {o - p:+.3f} ms"
    )


async def measure(concurrency: int, run_one, *args) -> tuple[float, float]:
    """(chunks per second over all streams, median time to first chunk in ms)."""
    start = time.perf_counter()
    results = await asyncio.gather(*(run_one(*args) for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    assert all(r[0] == CHUNKS for r in results), [r[0] for r in results]
    return sum(r[0] for r in results) / elapsed, statistics.median(r[1] for r in results) * 1000


# -- Anthropic on Amazon Bedrock: the binary event stream (AWS event-stream framing, CRC-checked) --------------
BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


async def plain_bedrock(client: httpx.AsyncClient, base: str) -> tuple[int, float, float]:
    """The same ConverseStream read with httpx and botocore's EventStreamBuffer (a Bedrock API key, no signing)."""
    from botocore.eventstream import EventStreamBuffer

    start = time.perf_counter()
    first = 0.0
    chunks = 0
    body = {"messages": [{"role": "user", "content": [{"text": BODY["messages"][0]["content"]}]}]}
    url = f"{base}/model/{quote(f'{BEDROCK_MODEL}@tokens={CHUNKS}', safe='-_.~')}/converse-stream"
    buffer = EventStreamBuffer()
    async with client.stream("POST", url, json=body, headers={"authorization": f"Bearer {KEY}"}) as resp:
        async for data in resp.aiter_bytes():
            buffer.add_data(data)
            for message in buffer:
                if (
                    message.headers[":event-type"] == "contentBlockDelta"
                    and json.loads(message.payload)["delta"]["text"]
                ):
                    chunks += 1
                    if chunks == 1:
                        first = time.perf_counter() - start
    return chunks, first, time.perf_counter() - start


def bedrock_request(base: str) -> dict[str, Any]:
    config = {
        "aws_region": "us-east-1",
        "bedrock_provider": "anthropic",
        "bedrock_api_key": "{{secrets/sim/key}}",
        "bedrock_api_base": base,
    }
    return {"name": f"{BEDROCK_MODEL}@tokens={CHUNKS}", "provider": "amazon-bedrock", "amazon_bedrock_config": config}


# -- Google Gemini: SSE (alt=sse), candidates[].content.parts[].text --------------------------------------------
GEMINI_MODEL = "gemini-2.0-flash"


async def plain_gemini(client: httpx.AsyncClient, base: str) -> tuple[int, float, float]:
    """The same streamGenerateContent read with httpx: ``data:`` lines, ``json.loads``, the part's text."""
    start = time.perf_counter()
    first = 0.0
    chunks = 0
    body = {"contents": [{"role": "user", "parts": [{"text": BODY["messages"][0]["content"]}]}]}
    url = f"{base}/v1beta/models/{quote(f'{GEMINI_MODEL}@tokens={CHUNKS}', safe='-_.~')}:streamGenerateContent"
    headers = {"x-goog-api-key": KEY}
    async with client.stream("POST", url, params={"alt": "sse"}, json=body, headers=headers) as resp:
        async for line in resp.aiter_lines():
            if line.startswith("data: "):
                parts = json.loads(line[6:])["candidates"][0].get("content", {}).get("parts") or []
                if any(part.get("text") for part in parts):
                    chunks += 1
                    if chunks == 1:
                        first = time.perf_counter() - start
    return chunks, first, time.perf_counter() - start


def gemini_request(base: str) -> dict[str, Any]:
    config = {"gemini_api_key": "{{secrets/sim/key}}", "gemini_api_base": base}
    return {"name": f"{GEMINI_MODEL}@tokens={CHUNKS}", "provider": "gemini", "gemini_config": config}


async def provider_rows(
    title: str,
    ws: LocalWorkspace,
    client: httpx.AsyncClient,
    base: str,
    rounds: int,
    model: dict[str, Any],
    plain: Plain,
) -> None:
    """The table's rows for one more provider: its plain read against the same stream through the workspace."""
    name = model["provider"]
    entity = {"name": "sim", "external_model": {**model, "task": "llm/v1/chat"}}
    request = {"name": name, "config": {"served_entities": [entity]}}
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, request, "endpoint"))
    await plain(client, base)  # warm both paths
    await through_workspace(ws, name)
    print(title)
    for concurrency in (1, 8):
        plains, ours = [], []
        for _ in range(rounds):
            plains.append(await measure(concurrency, plain, client, base))
            ours.append(await measure(concurrency, through_workspace, ws, name))
        p, o = statistics.median(r for r, _ in plains), statistics.median(r for r, _ in ours)
        pf, of = statistics.median(f for _, f in plains), statistics.median(f for _, f in ours)
        print(
            f"{concurrency:>7} | {p:>14,.0f} | {o:>13,.0f} | {o / p:>5.2f} | {pf:>13.2f} | {of:>12.2f} | {of - pf:>+8.2f}"
        )


async def main(rounds: int) -> None:
    with simulator_process(KEY) as base, tempfile.TemporaryDirectory() as tmp:
        ws = LocalWorkspace(Path(tmp) / "w.db", user="bench")
        await ws.create_scope("sim")
        await ws.put_secret("sim", "key", KEY.encode())
        request = {
            "name": "bench",
            "config": {
                "served_entities": [
                    {
                        "name": "sim",
                        "external_model": {
                            "name": f"gpt-4o-mini@tokens={CHUNKS}",
                            "provider": "openai",
                            "task": "llm/v1/chat",
                            "openai_config": {"openai_api_key": "{{secrets/sim/key}}", "openai_api_base": f"{base}/v1"},
                        },
                    }
                ]
            },
        }
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, request, "endpoint"))
        async with httpx.AsyncClient(timeout=60) as client:
            await plain_httpx(client, base)  # warm both paths
            await through_workspace(ws)
            print(
                f"{'streams':>7} | {'plain chunks/s':>14} | {'ours chunks/s':>13} | {'ratio':>5} | "
                f"{'plain TTFC ms':>13} | {'ours TTFC ms':>12} | {'delta ms':>8}"
            )
            for concurrency in (1, 8):
                plain, ours, plain_first, ours_first = [], [], [], []
                for _ in range(rounds):
                    rate, first = await measure(concurrency, plain_httpx, client, base)
                    plain.append(rate)
                    plain_first.append(first)
                    rate, first = await measure(concurrency, through_workspace, ws)
                    ours.append(rate)
                    ours_first.append(first)
                p, o = statistics.median(plain), statistics.median(ours)
                pf, of = statistics.median(plain_first), statistics.median(ours_first)
                print(
                    f"{concurrency:>7} | {p:>14,.0f} | {o:>13,.0f} | {o / p:>5.2f} | {pf:>13.2f} | {of:>12.2f} | {of - pf:>+8.2f}"
                )
            await provider_rows(
                "Anthropic on Amazon Bedrock (binary event stream):",
                ws,
                client,
                base,
                rounds,
                bedrock_request(base),
                plain_bedrock,
            )
            await provider_rows("Google Gemini (SSE):", ws, client, base, rounds, gemini_request(base), plain_gemini)
            # the first chunk of a 2,000-token answer waits on the simulator writing it (~10 ms, noisy):
            # short answers, alternated many times, isolate what our path adds before the first chunk
            await short_ttfc(ws, client, base)
        await ws.aclose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
