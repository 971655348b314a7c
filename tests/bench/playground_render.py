"""Benchmark: the real playground streaming 8 endpoints from the provider simulator, side by side.

Run by hand (not collected by pytest):

    python tests/bench/playground_render.py                  # both cases (the paced one takes ~20 s)
    python tests/bench/playground_render.py --case burst --runs 3
    python tests/bench/playground_render.py --tokens 400      # a quick, shorter paced run

Everything is the product's own path: ``SwitchboardApp`` headless (``run_test``, 200x50) on a local
workspace with 8 chat endpoints (4 OpenAI-style, 4 Anthropic-style), the simulator in its own process
on 127.0.0.1, one prompt sent from the prompt box with Enter; each pane's worker streams through the
workspace, provider and transport layers into its ``StreamView``. The simulator's answers are markdown
(headings, paragraphs, bullet and numbered lists, python code fences).

Cases:
  paced  8 panes x 100 tokens/s x 2,000 tokens (a 20 s stream per pane), from the simulator (it paces)
  burst  8 panes x 10,000 tokens, sent at once by the minimal replaying server (tests/bench/_minimal_server.py),
         which is never the bottleneck: it records both kinds of answer from the simulator before the first
         timed run, and its CPU over each run's wall time is printed. After each run the same answers
         are read by plain httpx (``_plain_read.py``): what any httpx client reaches on this machine, and the
         app's tokens/s as a ratio of it, which carries between machines; then through the workspace and the
         panes' metrics with nothing drawn (``_workspace_read.py``): the most the app could reach here

Where the machine has two cores or more, the app runs pinned to core 0 and the server to core 1. With
``--runs N`` a last row per case pools every run's samples, so its p99 is a p99 (a burst run alone gives
100-160 lag samples and 11-20 key presses: use ``--runs 3`` or more for its p99).

Measured: wall time from Enter until every pane is done and its final render is on screen; tokens/s
over all panes; the event loop's lag (how late a 10 ms sleep wakes up) p50/p99; the latency of a key
press (an app binding, with the prompt focused) sent every 250 ms during streaming, from the press until
its action runs; the app's CPU time per 1,000 tokens (steadier than tokens/s on a shared machine: compare
changes by it). Targets: paced <= 21 s, lag p99 <= 50 ms, key p50 <= 30 ms; burst >= 16,000 tokens/s,
lag p99 <= 60 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import tempfile
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from _common import SIM_KEY, latency_figures, probe_keys, probe_lag, simulator_process
from _minimal_server import minimal_server_process
from _plain_read import plain_read
from _processes import tree_cpu
from _workspace_read import workspace_read
from textual.binding import Binding
from textual.widgets import Input

import tui.app.app as app_module
from tui.app.app import SwitchboardApp
from tui.app.playground.pane import Pane
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.settings import Settings
from tui.transport.timeouts import Timeouts
from tui.widgets.prompt import PromptInput
from tui.workspace.local.workspace import LocalWorkspace

SIZE = (200, 50)


class BenchApp(SwitchboardApp):
    """The app plus one binding whose action notes when it ran, for the key-latency probe."""

    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # relative paths follow the subclass
    BINDINGS = [Binding("f12", "ping", "Ping", show=False)]

    def __init__(self, workspace: LocalWorkspace) -> None:
        super().__init__(workspace, Settings(hostname="bench"))
        self.pings: list[float] = []

    def action_ping(self) -> None:
        self.pings.append(perf_counter())


def _endpoint(name: str, base: str, model: str, anthropic: bool) -> dict[str, Any]:
    key = "{{secrets/sim/key}}"
    if anthropic:
        external = {
            "name": model,
            "provider": "anthropic",
            "task": "llm/v1/chat",
            "anthropic_config": {"anthropic_api_key": key, "anthropic_api_base": f"{base}/v1"},
        }
    else:
        external = {
            "name": model,
            "provider": "openai",
            "task": "llm/v1/chat",
            "openai_config": {"openai_api_key": key, "openai_api_base": f"{base}/v1"},
        }
    return {"name": name, "config": {"served_entities": [{"name": name, "external_model": external}]}}


def _open_workspace(folder: Path) -> LocalWorkspace:
    return LocalWorkspace(folder / "bench.db", user="bench", timeouts=Timeouts(connect=5, read=60, idle=60))


async def _workspace(folder: Path, base: str, panes: int, tokens: int, rate: float) -> tuple[LocalWorkspace, list[str]]:
    ws = _open_workspace(folder)
    await ws.create_scope("sim")
    await ws.put_secret("sim", "key", SIM_KEY.encode())
    names = []
    for index in range(panes):
        anthropic = index % 2 == 1
        model = f"{'claude-3-5-haiku' if anthropic else 'gpt-4o'}-{index}@tokens={tokens},tps={rate:g}"
        name = f"bench-{index}"
        await ws.create_endpoint(
            parse_user_input(CreateServingEndpoint, _endpoint(name, base, model, anthropic), "endpoint")
        )
        names.append(name)
    return ws, names


async def run_case(base: str, case: str, panes: int, tokens: int, rate: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ws, names = await _workspace(Path(tmp), base, panes, tokens, rate if case == "paced" else 0)
        app = BenchApp(ws)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            for _ in range(200):  # the playground opens on two endpoints; the provider path loads meanwhile
                if len(screen.query(Pane)) == 2 and not app.workers:
                    break
                await pilot.pause(0.05)
            await screen.use_endpoints(names)
            views = [pane.view for pane in screen.query(Pane)]
            assert len(views) == panes, f"{len(views)} panes, wanted {panes}"
            screen.query_one("#param-max_tokens", Input).value = str(tokens)  # Anthropic's default is 4,096
            prompt = screen.query_one(PromptInput)
            prompt.insert("Write a long answer with headings, lists and code.")
            await pilot.pause(0.5)  # as a person types: the new panes are drawn before Enter
            done = asyncio.Event()
            lags: list[float] = []
            keys: list[float] = []

            gc_before = [s["collections"] for s in gc.get_stats()]
            probes = [
                asyncio.create_task(probe_lag(lags, done)),
                asyncio.create_task(probe_keys(app, "f12", app.pings, keys, done)),
            ]
            start, cpu_start = perf_counter(), process_time()
            await pilot.press("enter")
            limit = start + tokens / (rate if case == "paced" else 1000) + 60
            panes_now = list(screen.query(Pane))
            while perf_counter() < limit:
                if all(p.run is not None and not p.busy for p in panes_now) and all(v.settled for v in views):
                    break
                await asyncio.sleep(0.005)
            elapsed, cpu = perf_counter() - start, process_time() - cpu_start
            done.set()
            await asyncio.gather(*probes)
            gc_after = [s["collections"] for s in gc.get_stats()]
            for pane in panes_now:
                assert pane.run is not None and pane.state == "done", f"{pane.endpoint}: {pane.state}"
                assert pane.run.completion_tokens == tokens, f"{pane.endpoint}: {pane.run.completion_tokens} tokens"
                assert pane.view.finished and pane.view.lines, "not rendered"
            total = sum(p.run.completion_tokens for p in panes_now if p.run)
        await ws.aclose()
        ceiling = None
        if case == "burst":  # the same answers again, through the same endpoints (the app closed its workspace)
            reader = _open_workspace(Path(tmp))
            try:
                ceiling = await workspace_read(reader, names, tokens)
            finally:
                await reader.aclose()
    return {
        "wall": elapsed,
        "tokens": total,
        "tps": total / elapsed,
        "cpu": cpu,
        "cpu_k": 1e6 * cpu / total,  # ms per 1,000 tokens
        "lags": lags,
        "keys_s": keys,
        **latency_figures(lags, keys),
        "gc2": gc_after[2] - gc_before[2],
        "lines": sum(len(view.lines) for view in views),
        "ceiling": ceiling,
    }


ROW = (
    "{case:<6} {run:>3} {panes:>5} {tokens:>6.0f} {wall:>7.2f} {tps:>7.0f} {cpu_k:>7.1f} {lag_p50:>7.1f} {lag_p99:>7.1f} "
    "{lag_max:>7.1f} {key_p50:>7.1f} {key_p99:>7.1f} {keys:>4.0f} {lag_n:>5} {gc2:>4.0f} {server:>6}"
)


def pin_cores() -> tuple[int | None, int | None]:
    """(the app's core, the server's core) on a machine with two or more; (None, None) elsewhere."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) < 2:
        return None, None
    os.sched_setaffinity(0, {cores[0]})
    return cores[0], cores[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=("paced", "burst", "both"), default="both")
    parser.add_argument("--panes", type=int, default=8, choices=range(2, 9), metavar="2..8")
    parser.add_argument("--tokens", type=int, help="tokens per pane (default 2,000 paced, 10,000 burst)")
    parser.add_argument("--rate", type=float, default=100.0, help="tokens/s per pane when paced (default 100)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    cases = ("paced", "burst") if args.case == "both" else (args.case,)
    _, server_core = pin_cores()
    header = (
        f"{'case':<6} {'run':>3} {'panes':>5} {'tokens':>6} {'wall s':>7} {'tok/s':>7} {'cpu/1k':>7} {'lag p50':>7} "
        f"{'lag p99':>7} {'lag max':>7} {'key p50':>7} {'key p99':>7} {'keys':>4} {'lag n':>5} {'gc2':>4} {'server':>6}"
    )
    print(f"times in ms unless noted; app on core {os.sched_getaffinity(0)}, server on core {server_core}")
    print("cpu/1k: the app process's CPU time (all its threads) per 1,000 tokens, from Enter to the last render")
    print("server: the server's CPU over the run's wall time (it must stay well below 100%)")
    print("plain read (burst): the same answers read by plain httpx in this process, no app (see _plain_read.py)")
    print("through the workspace (burst): the same answers through Workspace.stream and pane metrics, nothing drawn")
    print(header)
    print("-" * len(header))
    for case in cases:
        tokens = args.tokens or (2000 if case == "paced" else 10_000)
        paced = case == "paced"
        with (
            simulator_process(cpu=server_core) if paced else minimal_server_process(SIM_KEY, cpu=server_core) as server
        ):
            base, pid = (server, None) if isinstance(server, str) else (server.base, server.pid)
            if not paced:  # the minimal server records each kind of answer from the simulator on its first
                # request (~1.5 s for 10,000 tokens): have it record both now, not in the first timed run
                asyncio.run(plain_read(base, SIM_KEY, 2, tokens))
            lags: list[float] = []
            keys: list[float] = []
            walls = totals = cpus = 0.0
            floors: list[float] = []
            for run in range(1, args.runs + 1):
                cpu_before = tree_cpu(pid) if pid else 0.0
                r = asyncio.run(run_case(base, case, args.panes, tokens, args.rate))
                busy = f"{(tree_cpu(pid) - cpu_before) / r['wall']:.0%}" if pid else "-"
                run_lags = r.pop("lags")
                ceiling = r.pop("ceiling")
                lags += run_lags
                keys += r.pop("keys_s")
                walls += r["wall"]
                totals += r["tokens"]
                cpus += r["cpu"]
                print(
                    ROW.format(case=case, run=run, panes=args.panes, lag_n=len(run_lags), server=busy, **r), flush=True
                )
                if not paced:
                    floor = asyncio.run(plain_read(base, SIM_KEY, args.panes, tokens))
                    floors.append(floor["tps"])
                    print(
                        f"{'':>10} plain read of the same streams: {floor['tps']:,.0f} tok/s, {floor['cpu_k']:.1f} ms "
                        f"CPU/1k; the app at {r['tps'] / floor['tps']:.2f}x",
                        flush=True,
                    )
                    print(
                        f"{'':>10} through the workspace, nothing drawn: {ceiling['tps']:,.0f} tok/s, "
                        f"{ceiling['cpu_k']:.1f} ms CPU/1k; the app at {r['tps'] / ceiling['tps']:.2f}x",
                        flush=True,
                    )
            if args.runs > 1:
                pooled = latency_figures(lags, keys)
                row = {
                    "tokens": totals,
                    "wall": walls,
                    "tps": totals / walls,
                    "cpu_k": 1e6 * cpus / totals,
                    "gc2": float("nan"),
                    **pooled,
                }
                print(ROW.format(case=case, run="all", panes=args.panes, lag_n=len(lags), server="", **row))
                if floors:
                    plain = len(floors) / sum(1 / tps for tps in floors)  # harmonic mean: runs of equal tokens
                    print(f"{'':>10} plain read, all runs: {plain:,.0f} tok/s; the app at {row['tps'] / plain:.2f}x")
    print("targets: paced wall <= 21 s, lag p99 <= 50 ms, key p50 <= 30 ms; burst >= 16,000 tok/s, lag p99 <= 60 ms")


if __name__ == "__main__":
    main()
