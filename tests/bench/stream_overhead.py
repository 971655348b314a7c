"""Benchmark: what Switchboard's streaming path costs over a plain httpx read of the same stream.

Chunks/s, client CPU per stream and time to first chunk (TTFC) through ``Workspace.stream`` (transport + SSE
or event-stream parsing + the provider's mapper + rate limiting + usage) against a plain ``httpx`` read of the
same bytes, for 1 and 8 concurrent streams of 2,000 chunks, for three wire formats:

* OpenAI chat (SSE; plain = httpx ``aiter_lines`` + ``json.loads``);
* Anthropic on Amazon Bedrock (binary event stream; plain = httpx + botocore's ``EventStreamBuffer``);
* Google Gemini (``alt=sse``; plain = httpx ``aiter_lines`` + ``json.loads``).

The streams come from the replaying server of ``_minimal_server.py`` (the simulator's answers recorded once,
then written in one go), in a process of its own: the simulator itself would be the bottleneck and flatter
the ratio. Its CPU time over each table's wall time is printed (``server busy``): near 0 % means it idled
and the figures are the client's. Where the machine has two cores or more, this process is pinned to one
and the server to another. Plain and ours take turns round by round.

Columns: ``chunks/s`` over all streams (median of rounds) and ``ratio`` = ours / plain; ``TTFC`` the median
time from starting a stream to its first content chunk; ``CPU/stream`` this process's CPU time per stream
(user + system, all threads) and ``us/chunk`` the same per chunk.

Targets: >= 0.8x the plain-httpx throughput, TTFC delta <= +1 ms at 8 streams.
Run by hand from tests/bench (with the worktree first on PYTHONPATH, so its ``tui`` is the one measured):
    PYTHONPATH=../.. python stream_overhead.py [rounds]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from _minimal_server import MinimalServer, minimal_server_process

import tui
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.workspace.local.workspace import LocalWorkspace

CHUNKS = 2000
KEY = "sim-key"
BODY = {"messages": [{"role": "user", "content": "Write a long answer."}]}
Read = Callable[[], Awaitable[tuple[int, float, float]]]
"""One read of one stream: (content chunks, seconds to first chunk, total seconds)."""


class Firsts:
    """Counts content chunks and notes when the first one came."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first = 0.0
        self.chunks = 0

    def saw(self) -> None:
        self.chunks += 1
        if self.chunks == 1:
            self.first = time.perf_counter() - self.start

    def result(self) -> tuple[int, float, float]:
        return self.chunks, self.first, time.perf_counter() - self.start


# -- the plain reads: what a user of httpx alone would write ------------------------------------------------
async def plain_openai(client: httpx.AsyncClient, base: str, tokens: int) -> tuple[int, float, float]:
    seen = Firsts()
    # the same request Workspace.stream sends
    body = {**BODY, "model": f"gpt-4o-mini@tokens={tokens}", "stream": True, "stream_options": {"include_usage": True}}
    headers = {"authorization": f"Bearer {KEY}"}
    async with client.stream("POST", f"{base}/v1/chat/completions", json=body, headers=headers) as resp:
        async for line in resp.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                chunk = json.loads(line[6:])
                if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    seen.saw()
    return seen.result()


BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


async def plain_bedrock(client: httpx.AsyncClient, base: str, tokens: int) -> tuple[int, float, float]:
    """ConverseStream with httpx and botocore's EventStreamBuffer (a Bedrock API key, no signing)."""
    from botocore.eventstream import EventStreamBuffer

    seen = Firsts()
    body = {"messages": [{"role": "user", "content": [{"text": BODY["messages"][0]["content"]}]}]}
    url = f"{base}/model/{quote(f'{BEDROCK_MODEL}@tokens={tokens}', safe='-_.~')}/converse-stream"
    buffer = EventStreamBuffer()
    async with client.stream("POST", url, json=body, headers={"authorization": f"Bearer {KEY}"}) as resp:
        async for data in resp.aiter_bytes():
            buffer.add_data(data)
            for message in buffer:
                if (
                    message.headers[":event-type"] == "contentBlockDelta"
                    and json.loads(message.payload)["delta"]["text"]
                ):
                    seen.saw()
    return seen.result()


GEMINI_MODEL = "gemini-2.0-flash"


async def plain_gemini(client: httpx.AsyncClient, base: str, tokens: int) -> tuple[int, float, float]:
    """streamGenerateContent with httpx: ``data:`` lines, ``json.loads``, the part's text."""
    seen = Firsts()
    body = {"contents": [{"role": "user", "parts": [{"text": BODY["messages"][0]["content"]}]}]}
    url = f"{base}/v1beta/models/{quote(f'{GEMINI_MODEL}@tokens={tokens}', safe='-_.~')}:streamGenerateContent"
    headers = {"x-goog-api-key": KEY}
    async with client.stream("POST", url, params={"alt": "sse"}, json=body, headers=headers) as resp:
        async for line in resp.aiter_lines():
            if line.startswith("data: "):
                parts = json.loads(line[6:])["candidates"][0].get("content", {}).get("parts") or []
                if any(part.get("text") for part in parts):
                    seen.saw()
    return seen.result()


async def through_workspace(ws: LocalWorkspace, name: str) -> tuple[int, float, float]:
    seen = Firsts()
    async for chunk in ws.stream(name, BODY):
        if chunk["choices"] and chunk["choices"][0].get("delta", {}).get("content"):
            seen.saw()
    return seen.result()


# -- the endpoints: the same streams through the workspace --------------------------------------------------
def openai_model(base: str, tokens: int) -> dict[str, Any]:
    config = {"openai_api_key": "{{secrets/sim/key}}", "openai_api_base": f"{base}/v1"}
    return {"name": f"gpt-4o-mini@tokens={tokens}", "provider": "openai", "openai_config": config}


def bedrock_model(base: str, tokens: int) -> dict[str, Any]:
    config = {
        "aws_region": "us-east-1",
        "bedrock_provider": "anthropic",
        "bedrock_api_key": "{{secrets/sim/key}}",
        "bedrock_api_base": base,
    }
    return {"name": f"{BEDROCK_MODEL}@tokens={tokens}", "provider": "amazon-bedrock", "amazon_bedrock_config": config}


def gemini_model(base: str, tokens: int) -> dict[str, Any]:
    config = {"gemini_api_key": "{{secrets/sim/key}}", "gemini_api_base": base}
    return {"name": f"{GEMINI_MODEL}@tokens={tokens}", "provider": "gemini", "gemini_config": config}


@dataclass
class Case:
    title: str
    plain: Callable[[httpx.AsyncClient, str, int], Awaitable[tuple[int, float, float]]]
    model: Callable[[str, int], dict[str, Any]]


CASES = [
    Case("OpenAI chat (SSE)", plain_openai, openai_model),
    Case("Anthropic on Amazon Bedrock (binary event stream)", plain_bedrock, bedrock_model),
    Case("Google Gemini (SSE)", plain_gemini, gemini_model),
]


async def add_endpoint(ws: LocalWorkspace, name: str, model: dict[str, Any]) -> None:
    entity = {"name": "sim", "external_model": {**model, "task": "llm/v1/chat"}}
    request = {"name": name, "config": {"served_entities": [entity]}}
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, request, "endpoint"))


# -- measuring ---------------------------------------------------------------------------------------------
@dataclass
class Round:
    rate: float  # chunks per second over all streams
    first_ms: float  # median time to first chunk
    cpu_ms: float  # this process's CPU per stream


async def measure(concurrency: int, read: Read, chunks: int) -> Round:
    cpu, start = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(read() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert all(r[0] == chunks for r in results), [r[0] for r in results]
    return Round(
        sum(r[0] for r in results) / elapsed, statistics.median(r[1] for r in results) * 1000, cpu / concurrency * 1000
    )


HEADER = (
    f"{'streams':>7} | {'chunks/s plain':>14} | {'ours':>7} | {'ratio':>5} | {'TTFC ms plain':>13} | {'ours':>6} | "
    f"{'delta':>6} | {'CPU/stream ms plain':>19} | {'ours':>6} | {'us/chunk plain':>14} | {'ours':>5}"
)


def row(concurrency: int, plains: list[Round], ours: list[Round]) -> str:
    def med(rounds: list[Round], field: str) -> float:
        return statistics.median(getattr(r, field) for r in rounds)

    p, o = med(plains, "rate"), med(ours, "rate")
    pf, of = med(plains, "first_ms"), med(ours, "first_ms")
    pc, oc = med(plains, "cpu_ms"), med(ours, "cpu_ms")
    return (
        f"{concurrency:>7} | {p:>14,.0f} | {o:>7,.0f} | {o / p:>5.2f} | {pf:>13.2f} | {of:>6.2f} | {of - pf:>+6.2f} | "
        f"{pc:>19.1f} | {oc:>6.1f} | {pc * 1000 / CHUNKS:>14.2f} | {oc * 1000 / CHUNKS:>5.2f}"
    )


async def run_case(
    case: Case, ws: LocalWorkspace, client: httpx.AsyncClient, server: MinimalServer, rounds: int
) -> None:
    name = case.model("", 0)["provider"]
    await add_endpoint(ws, name, case.model(server.base, CHUNKS))

    def plain() -> Awaitable[tuple[int, float, float]]:
        return case.plain(client, server.base, CHUNKS)

    def ours() -> Awaitable[tuple[int, float, float]]:
        return through_workspace(ws, name)

    for _ in range(2):  # warm both paths, and open the 8 pooled connections of each
        await measure(8, plain, CHUNKS)
        await measure(8, ours, CHUNKS)
    print(f"\n{case.title}:\n{HEADER}")
    server_cpu, wall = server.cpu(), time.perf_counter()
    for concurrency in (1, 8):
        plains: list[Round] = []
        mine: list[Round] = []
        for _ in range(rounds):
            plains.append(await measure(concurrency, plain, CHUNKS))
            mine.append(await measure(concurrency, ours, CHUNKS))
        print(row(concurrency, plains, mine))
    wall = time.perf_counter() - wall
    busy = server.cpu() - server_cpu
    print(f"server busy: {busy:.3f} s CPU over {wall:.2f} s wall ({busy / wall:.1%})")


async def short_ttfc(ws: LocalWorkspace, client: httpx.AsyncClient, server: MinimalServer, rounds: int = 200) -> None:
    """The first chunk of a 5-token answer, one stream at a time, alternated many times: what our path adds
    before the first chunk when nothing else competes."""
    await add_endpoint(ws, "short", openai_model(server.base, 5))
    plain, ours = [], []
    for _ in range(rounds):
        plain.append((await plain_openai(client, server.base, 5))[1])
        ours.append((await through_workspace(ws, "short"))[1])
    p, o = statistics.median(plain) * 1000, statistics.median(ours) * 1000
    print(
        f"\ntime to first chunk of a 5-token answer, median of {rounds}: "
        f"plain {p:.3f} ms, ours {o:.3f} ms, delta {o - p:+.3f} ms"
    )


def pin() -> int | None:
    """Pin this process to its first allowed core; the core for the server, when there is another."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    os.sched_setaffinity(0, {cores[0]})
    return cores[1]


async def main(rounds: int) -> None:
    server_core = pin()
    print(f"tui from {Path(tui.__file__).parent}; load average {os.getloadavg()}")
    print(
        f"pinned: client on core {sorted(os.sched_getaffinity(0))}, server on core {server_core}"
        if server_core is not None
        else "one core: not pinned"
    )
    with minimal_server_process(KEY, cpu=server_core) as server, tempfile.TemporaryDirectory() as tmp:
        ws = LocalWorkspace(Path(tmp) / "w.db", user="bench")
        await ws.create_scope("sim")
        await ws.put_secret("sim", "key", KEY.encode())
        async with httpx.AsyncClient(timeout=60) as client:
            for case in CASES:
                await run_case(case, ws, client, server, rounds)
            await short_ttfc(ws, client, server)
        await ws.aclose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
