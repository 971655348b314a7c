"""Benchmark: the playground streaming 8 long answers from the ``--demo`` environment's simulator.

Run by hand (not collected by pytest):

    python tests/bench/demo_stream.py                                   # this checkout only
    python tests/bench/demo_stream.py --base /tmp/demo-base --rounds 2  # and another checkout, alternated
    python tests/bench/demo_stream.py --case paced --tokens 2000
    python tests/bench/demo_stream.py --openai --tokens 20000          # answers longer than Anthropic's 4096

Where ``playground_render.py`` runs the simulator in a process of its own, this runs it as ``--demo``
does: ``tui.app.demo.demo_environment`` of the checkout under test (a simulator on a thread of the app's
process before issue 13, a child process after). The app and the measurement are
``playground_render.run_case``: ``SwitchboardApp`` headless on 8 chat endpoints of that simulator, one
prompt, every pane streaming ``--tokens`` tokens (``burst``: as fast as it goes; ``paced``: 100 tokens/s).
Half the panes are Anthropic-style, which the app asks for at most 4,096 tokens; ``--openai`` makes them
all OpenAI-style, for longer answers.

Each measurement is a fresh process (``PYTHONPATH`` = the checkout) so that peak memory is its own.
Printed: tokens/s, event-loop lag p50/p99, key-press latency p50/p99 (ms), the app process's peak RSS
(``ru_maxrss``, the simulator included when it is a thread) and the simulator process's peak RSS (when it
has one), the app process's CPU time and wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
HERE = str(Path(__file__).resolve().parent)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_here(case: str, tokens: int, openai: bool) -> dict[str, float]:
    """One measurement in this process, on the ``tui`` found first on the path."""
    import playground_render
    from playground_render import run_case

    if openai:
        endpoint = playground_render._endpoint
        playground_render._endpoint = lambda name, base, model, anthropic: endpoint(name, base, model, False)

    import tui
    from tui.app.demo import demo_environment

    assert tui.__file__ is not None
    with demo_environment() as (_path, sim):
        wait_ready = getattr(sim, "wait_ready", None)  # only a simulator in a process of its own has one
        if wait_ready is not None:
            wait_ready()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        figures = asyncio.run(run_case(sim.base_url, case, 8, tokens, 100.0))
        pid = getattr(sim, "pid", 0)
        sim_peak = _peak_mib(pid) if pid else float("nan")
        figures |= {"cpu": time.process_time() - cpu0, "run_wall": time.perf_counter() - wall0}
    app_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**figures, "app_peak": app_peak, "sim_peak": sim_peak, "tui": str(Path(tui.__file__).parents[1])}  # type: ignore[dict-item]


def measure(tree: str, case: str, tokens: int, openai: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tree, HERE])}
    out = subprocess.run(
        [sys.executable, __file__, "--one", "--case", case, "--tokens", str(tokens), *(["--openai"] if openai else [])],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"the measurement on {tree} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tui"] == tree, (result["tui"], tree)  # type: ignore[comparison-overlap]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="another checkout to compare with (e.g. an export of the base commit)")
    parser.add_argument("--case", choices=("burst", "paced"), default="burst")
    parser.add_argument(
        "--tokens",
        type=int,
        default=4000,
        help="tokens per pane (default 4000; the app asks Anthropic for at most 4096)",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--openai", action="store_true", help="every pane OpenAI-style (answers over 4096 tokens)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_here(args.case, args.tokens, args.openai)))
        return
    trees = {"this": ROOT, **({"base": str(Path(args.base).resolve())} if args.base else {})}
    kinds = "OpenAI" if args.openai else "OpenAI and Anthropic"
    print(
        f"{args.case}: 8 {kinds} panes x {args.tokens} tokens; load average {Path('/proc/loadavg').read_text().strip()}"
    )
    header = (
        f"{'tree':<5} {'round':>5} {'wall s':>7} {'CPU s':>6} {'tok/s':>7} {'lag p50':>7} {'lag p99':>7} "
        f"{'key p50':>7} {'key p99':>7} {'keys':>4} {'app MiB':>7} {'sim MiB':>7}"
    )
    print("lag and key in ms; app MiB: the app process's peak RSS, sim MiB: the simulator process's")
    print(header)
    print("-" * len(header))
    for round_ in range(1, args.rounds + 1):
        for name, tree in trees.items():
            r = measure(tree, args.case, args.tokens, args.openai)
            print(
                f"{name:<5} {round_:>5} {r['wall']:>7.2f} {r['cpu']:>6.2f} {r['tps']:>7.0f} {r['lag_p50']:>7.1f} "
                f"{r['lag_p99']:>7.1f} {r['key_p50']:>7.1f} {r['key_p99']:>7.1f} {r['keys']:>4.0f} "
                f"{r['app_peak']:>7.0f} {r['sim_peak']:>7.0f}",
                flush=True,
            )
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
