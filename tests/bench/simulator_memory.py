"""Benchmark: the provider simulator's memory while it streams long answers, one checkout against another.

Run by hand (not collected by pytest):

    python tests/bench/simulator_memory.py                          # this checkout only
    python tests/bench/simulator_memory.py --base /tmp/demo-base     # and another one, rounds alternated
    python tests/bench/simulator_memory.py --tokens 50000 --streams 8 --rounds 3

Each measurement starts ``switchboard simulate``'s server (``serve_forever``) from the checkout under test
in a process of its own, streams ``--streams`` OpenAI chat answers of ``--tokens`` tokens at once (as fast
as it sends, read and dropped by httpx), and reads the server's peak resident memory (VmHWM) and CPU time
from /proc. Printed: the server's RSS when idle and its peak, the growth, the wall time of the streams, the
server's CPU time, the client's CPU time, and the chunks per second received.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from _common import free_port

ROOT = str(Path(__file__).resolve().parents[2])
KEY = "sim-key"


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def stream(client: httpx.AsyncClient, tokens: int, index: int) -> int:
    body = {"model": f"gpt-4o@tokens={tokens}", "messages": [{"role": "user", "content": f"q{index}"}], "stream": True}
    chunks = 0
    async with client.stream(
        "POST", "/v1/chat/completions", json=body, headers={"authorization": f"Bearer {KEY}"}
    ) as r:
        r.raise_for_status()
        async for _ in r.aiter_raw():
            chunks += 1
    return chunks


async def drive(base: str, tokens: int, streams: int) -> int:
    limits = httpx.Limits(max_connections=streams)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        return sum(await asyncio.gather(*(stream(client, tokens, i) for i in range(streams))))


def measure(tree: str, tokens: int, streams: int) -> dict[str, float]:
    port = free_port()
    code = f"from tui.simulator import serve_forever; serve_forever({port}, {KEY!r})"
    env = {**os.environ, "PYTHONPATH": tree}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tree, env=env, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # its banner: it is serving
        base = f"http://127.0.0.1:{port}"
        asyncio.run(drive(base, 10, 1))  # warm: first-request imports and buffers
        idle = status_kib(proc.pid, "VmRSS")
        cpu0, client0, wall0 = cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
        chunks = asyncio.run(drive(base, tokens, streams))
        wall = time.perf_counter() - wall0
        return {
            "idle": idle / 1024,
            "peak": status_kib(proc.pid, "VmHWM") / 1024,
            "wall": wall,
            "sim_cpu": cpu_seconds(proc.pid) - cpu0,
            "client_cpu": time.process_time() - client0,
            "chunks_s": chunks / wall,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="another checkout to compare with (e.g. an export of the base commit)")
    parser.add_argument("--tokens", type=int, default=50_000)
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"this": ROOT, **({"base": args.base} if args.base else {})}
    print(f"{args.streams} stream(s) x {args.tokens} tokens; load average {Path('/proc/loadavg').read_text().strip()}")
    header = f"{'tree':<5} {'round':>5} {'idle MiB':>8} {'peak MiB':>8} {'growth':>7} {'wall s':>7} {'sim CPU':>7} {'cli CPU':>7} {'chunks/s':>9}"
    print(header)
    print("-" * len(header))
    for round_ in range(1, args.rounds + 1):
        for name, tree in trees.items():
            r = measure(tree, args.tokens, args.streams)
            print(
                f"{name:<5} {round_:>5} {r['idle']:>8.1f} {r['peak']:>8.1f} {r['peak'] - r['idle']:>7.1f} "
                f"{r['wall']:>7.2f} {r['sim_cpu']:>7.2f} {r['client_cpu']:>7.2f} {r['chunks_s']:>9.0f}",
                flush=True,
            )
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
