"""Benchmark: the memory of a long playground session, and whether a new chat gives it back.

Run by hand (not collected by pytest):

    python tests/bench/playground_memory.py                    # 8 panes x 50,000 tokens (about a minute)
    python tests/bench/playground_memory.py --tokens 10000     # shorter

The real app headless (``run_test``, 200x50) on a local workspace with 8 OpenAI-style chat endpoints; the
simulator runs in its own process, so its memory is not counted. One prompt is sent from the prompt box
and every pane streams its answer as fast as the simulator sends it. The process's resident memory (RSS,
from /proc) is read after a full garbage collection and glibc's ``malloc_trim`` (so what the allocator
merely keeps free in whole pages is not counted; what fragmentation pins is), at these points:

  cold      8 empty panes, before any answer
  idle      after a warm-up answer of ``--warmup`` tokens a pane and fresh panes: the renderer, its lexers
            and caches are loaded, so what follows grows with the answer's length only
  answered  every answer streamed, its final render shown and the GC policy applied
  new chat  after F8 (every pane starts fresh) and the app's memory release after it
  closed    after the panes are replaced by 2 empty ones (and the release after it)

Printed: each reading, the growth per 1,000 streamed tokens (steady: from idle; from cold: every token
streamed, one-time costs included), and what a new chat and closing the panes gave back. Target: growth
<= 0.08 MiB per 1,000 tokens; memory given back after a new chat.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import gc
import os
import resource
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

from _common import SIM_KEY, simulator_process

from tui.app.app import SwitchboardApp
from tui.app.playground.pane import Pane
from tui.app.playground.screen import RELEASE_DELAY
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.settings import Settings
from tui.transport.timeouts import Timeouts
from tui.widgets.prompt import PromptInput
from tui.workspace.local.workspace import LocalWorkspace

SIZE = (200, 50)
MIB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


_LIBC = ctypes.CDLL(ctypes.util.find_library("c"))


def rss_mib() -> float:
    """Resident memory now, after a full collection and glibc's trim (free whole pages returned)."""
    gc.collect()
    _LIBC.malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / MIB


def _endpoint(name: str, base: str, tokens: int) -> dict[str, Any]:
    external = {
        "name": f"gpt-4o@tokens={tokens}",
        "provider": "openai",
        "task": "llm/v1/chat",
        "openai_config": {"openai_api_key": "{{secrets/sim/key}}", "openai_api_base": f"{base}/v1"},
    }
    return {"name": name, "config": {"served_entities": [{"name": name, "external_model": external}]}}


async def _workspace(
    folder: Path, base: str, panes: int, tokens: dict[str, int]
) -> tuple[LocalWorkspace, dict[str, list[str]]]:
    """Endpoints ``{kind}-{index}`` answering ``tokens[kind]`` tokens each, ``panes`` of each kind."""
    ws = LocalWorkspace(folder / "bench.db", user="bench", timeouts=Timeouts(connect=5, read=120, idle=120))
    await ws.create_scope("sim")
    await ws.put_secret("sim", "key", SIM_KEY.encode())
    names = {kind: [f"{kind}-{index}" for index in range(panes)] for kind in tokens}
    for kind, count in tokens.items():
        for name in names[kind]:
            endpoint = _endpoint(name, base, count)
            await ws.create_endpoint(parse_user_input(CreateServingEndpoint, endpoint, "endpoint"))
    return ws, names


async def _until(pilot: Any, ready: Any, seconds: float) -> None:
    deadline = perf_counter() + seconds
    while not ready():
        if perf_counter() > deadline:
            raise SystemExit("timed out waiting for the app")
        await pilot.pause(0.05)


async def _answer(app: SwitchboardApp, pilot: Any, tokens: int) -> tuple[int, float]:
    """Send one prompt to every pane and wait for every final render: (tokens streamed, seconds)."""
    screen = app.screen
    screen.query_one(PromptInput).insert("Write a very long answer.")
    start = perf_counter()
    await pilot.press("enter")
    shown = list(screen.query(Pane))
    await _until(pilot, lambda: all(p.state == "done" and p.view.settled for p in shown), tokens / 500 + 120)
    elapsed = perf_counter() - start
    await pilot.pause(1.0)  # the GC policy runs half a second after the last stream
    return sum(p.run.completion_tokens for p in shown if p.run), elapsed


async def run(base: str, panes: int, tokens: int, warmup: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ws, names = await _workspace(Path(tmp), base, panes, {"long": tokens, "warm": warmup})
        app = SwitchboardApp(ws, Settings(hostname="bench"))
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await _until(pilot, lambda: len(screen.query(Pane)) == 2 and not app.workers, 20)
            await screen.use_endpoints(names["warm"])
            await pilot.pause(RELEASE_DELAY + 0.5)
            cold = rss_mib()
            warm_total = (await _answer(app, pilot, warmup))[0] if warmup else 0
            await screen.use_endpoints(names["long"])
            await pilot.pause(RELEASE_DELAY + 0.5)  # the warm-up panes' memory released
            idle = rss_mib()
            total, elapsed = await _answer(app, pilot, tokens)
            answered = rss_mib()
            shown = list(screen.query(Pane))
            await pilot.press("f8")
            await _until(pilot, lambda: all(not p.view.text for p in shown), 20)
            await pilot.pause(RELEASE_DELAY + 0.5)  # the app releases memory RELEASE_DELAY after a new chat
            new_chat = rss_mib()
            await screen.use_endpoints(names["long"][:2])
            await pilot.pause(RELEASE_DELAY + 0.5)
            closed = rss_mib()
        await ws.aclose()
    return {
        "cold": cold,
        "idle": idle,
        "answered": answered,
        "new_chat": new_chat,
        "closed": closed,
        "tokens": total,
        "warm_tokens": warm_total,
        "seconds": elapsed,
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panes", type=int, default=8, choices=range(1, 9), metavar="1..8")
    parser.add_argument("--tokens", type=int, default=50_000, help="tokens per pane (default 50,000)")
    parser.add_argument("--warmup", type=int, default=2_000, help="warm-up tokens per pane (default 2,000; 0: none)")
    args = parser.parse_args()
    with simulator_process() as base:
        r = asyncio.run(run(base, args.panes, args.tokens, args.warmup))
    per_k = (r["answered"] - r["idle"]) / (r["tokens"] / 1000)
    cold_per_k = (r["answered"] - r["cold"]) / ((r["tokens"] + r["warm_tokens"]) / 1000)
    print(
        f"{args.panes} panes, {r['tokens']:,.0f} tokens streamed in {r['seconds']:.1f} s (after {r['warm_tokens']:,.0f} warm-up)"
    )
    print(f"RSS MiB: cold {r['cold']:.1f} | idle {r['idle']:.1f} | answered {r['answered']:.1f} | ", end="")
    print(f"new chat {r['new_chat']:.1f} | 2 panes {r['closed']:.1f} | peak {r['peak']:.1f}")
    print(f"growth: {per_k:.3f} MiB per 1,000 tokens (target <= 0.08); from cold: {cold_per_k:.3f}")
    print(
        f"given back: new chat {r['answered'] - r['new_chat']:.1f} MiB, closing panes {r['new_chat'] - r['closed']:.1f} MiB"
    )


if __name__ == "__main__":
    main()
