"""Benchmark: `switchboard serve` throughput vs a direct call to the simulator vs the MLflow AI Gateway.

Three (or four) targets answer the same chat request from the same provider simulator, each in its own process:

* ``direct``   -- the simulator itself (``switchboard simulate``), ``POST /v1/chat/completions``: the ceiling;
* ``serve``    -- ``switchboard serve`` (its default, 1 worker), ``POST /serving-endpoints/<name>/invocations``
  with a bearer token, an endpoint whose key is a secret reference;
* ``serve-w2`` -- the same with ``--workers 2``, only when this version of serve has ``--workers``;
* ``mlflow``   -- the MLflow AI Gateway (``mlflow gateway start``), provider ``openai`` with ``openai_api_base``
  at the simulator, ``POST /gateway/<name>/invocations`` (``/endpoints/...`` on older versions).

The body is the same chat request for all of them (``direct`` also names the model, which the other two take
from their endpoint's configuration). The targets take turns round by round (and the order rotates), so a
slow spell on the machine hits all of them alike. The load generator is this process: httpx with a keep-alive
pool (a fresh one per batch, its connections included in the batch's time), ``--concurrency`` requests in flight.

Figures, per target (latencies pooled over every round; rates are the median over rounds):

* ``inv/s``         -- non-streamed invocations answered per second (``--requests`` per round, each answer
  ``--tokens`` tokens long);
* ``chunks/s``      -- SSE ``data:`` events per second over ``--streams`` streams per round of ``--stream-tokens``
  tokens each (``[DONE]`` not counted; ``chunks/stream`` shows what each target sends per stream);
* ``p50/p99 ms``    -- request latency; for streams, time to the first ``data:`` event and to the end of the stream;
* ``wall s``, ``srv CPU s`` -- wall time of the measured batches, and CPU time (user + system) the target's server
  process tree spent in them;
* ``srv``, ``sim``, ``cli`` -- CPU seconds over those wall seconds, for the target's server process tree, the
  simulator and this client. 100% is one core. A side near 100% (or the three adding up to the machine's cores)
  is the bottleneck; the point of the columns is to show it is the target and not the load generator or the
  simulator;
* ``srv ms/inv``, ``srv us/chunk`` -- the server's CPU time per invocation or per chunk: what one call costs the
  target whatever else the machine is doing, so steadier than the rates when the machine is shared (the load
  average is printed before and after: above the CPU count, other work competed with the benchmark);
* ``x mlflow``      -- the target's rate over the gateway's (the goal for ``serve``: at least 2).

MLflow is not a dependency of Switchboard: install it in a separate venv, only for this benchmark::

    python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install 'mlflow[gateway]'

Run by hand (from the repository, with Switchboard's venv active)::

    python tests/bench/serve_throughput.py --mlflow-python /work/bench-venv/bin/python [--rounds 5] \
        [--requests 2000] [--concurrency 16] [--tokens 16] [--streams 32] [--stream-tokens 500]

The gateway runs ``--mlflow-workers`` processes (default 1, like serve's default; MLflow's own default is 2):
compare ``serve`` with ``--mlflow-workers 1`` and ``serve-w2`` with ``--mlflow-workers 2``.
Without ``--mlflow-python`` the gateway is looked for as ``mlflow`` on PATH; without either, it is left out
(and said so). Linux only: CPU times come from /proc, in clock ticks (10 ms), so tiny runs give coarse CPU
figures. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _common import free_port, pct

from tui.simulator.endpoints import endpoint_body

SIM_KEY = "bench-sim-key"
MODEL = "gpt-4o-mini"
CHAT = {"messages": [{"role": "user", "content": "Tell me about switchboards."}]}
START_TIMEOUT = 60.0  # seconds for a server to accept connections (MLflow imports a lot)
STATE_POLLS = 200  # endpoint-state polls, 50 ms apart, before giving up on READY
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------- processes
@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    base: str

    def cpu(self) -> float:
        return tree_cpu(self.proc.pid)


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (gateway and serve workers are children)."""
    total = 0.0
    pending: list[int] = [pid]
    seen: set[int] = set()
    while pending and len(seen) < 1000:
        current = pending.pop()
        seen.add(current)
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; state is field 3
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split() if int(c) not in seen)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # gone since it was listed
    return total


@contextmanager
def started(
    name: str, argv: Sequence[str], port: int, logs: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Run ``argv`` (which listens on 127.0.0.1:port) until the block ends; its output goes to a log file."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(name, proc, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                httpx.get(server.base + "/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"{name} did not start in {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """End ``proc`` and every process it started (its own session, so its group): the gateway's CLI leaves its
    gunicorn running when it alone is told to stop. SIGTERM, then SIGKILL for what is left after 15 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        for _ in range(150):
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)  # reap the leader, so an empty group is seen as gone
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return


def switchboard() -> list[str]:
    script = shutil.which("switchboard") or str(Path(sys.executable).parent / "switchboard")
    return [script]


def serve_has_workers() -> bool:
    help_text = subprocess.run([*switchboard(), "serve", "--help"], capture_output=True, text=True, check=True).stdout
    return "--workers" in help_text


def create_token(workspace: Path) -> str:
    """A bearer token of ``switchboard serve`` for user ``bench`` (kept in memory, never printed)."""
    out = subprocess.run(
        [*switchboard(), "tokens", "create", "--user", "bench", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return str(json.loads(out)["token_value"])


def setup_serve_endpoints(base: str, token: str, sim: str, endpoints: dict[str, int]) -> None:
    """Through the REST API: scope ``sim`` holding the simulator's key, one chat endpoint per name (tokens knob)."""
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30) as client:
        client.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).raise_for_status()
        client.post(
            "/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": SIM_KEY}
        ).raise_for_status()
        for name, tokens in endpoints.items():
            body = endpoint_body(sim, "openai", "chat", model=f"{MODEL}@tokens={tokens}", name=name)
            client.post("/api/2.0/serving-endpoints", json=body).raise_for_status()
        for name in endpoints:
            for _ in range(STATE_POLLS):
                state = client.get(f"/api/2.0/serving-endpoints/{name}").raise_for_status().json()["state"]
                if state.get("ready") == "READY" and state.get("config_update") == "NOT_UPDATING":
                    break
                time.sleep(0.05)
            else:
                raise SystemExit(f"serve: endpoint {name} never became READY ({state})")


def gateway_command(python: str | None) -> list[str] | None:
    """How to start the gateway: ``mlflow gateway start`` (MLflow 2 and 3) or ``mlflow deployments start-server``,
    with ``python -m mlflow`` for ``--mlflow-python``, else ``mlflow`` on PATH; None without a gateway."""
    found = shutil.which("mlflow")
    mlflow = [python, "-m", "mlflow"] if python else [found] if found else None
    if mlflow is None:
        return None
    for command in (["gateway", "start"], ["deployments", "start-server"]):
        if subprocess.run([*mlflow, *command, "--help"], capture_output=True).returncode == 0:
            return [*mlflow, *command]
    return None  # e.g. mlflow-skinny, without the gateway


def gateway_config(path: Path, sim: str, endpoints: dict[str, int]) -> None:
    """The gateway's config.yaml (JSON is YAML): one llm/v1/chat endpoint per name, provider openai."""
    config = {
        "endpoints": [
            {
                "name": name,
                "endpoint_type": "llm/v1/chat",
                "model": {
                    "provider": "openai",
                    "name": f"{MODEL}@tokens={tokens}",
                    "config": {"openai_api_key": SIM_KEY, "openai_api_base": f"{sim}/v1"},
                },
            }
            for name, tokens in endpoints.items()
        ]
    }
    path.write_text(json.dumps(config, indent=2))


# ---------------------------------------------------------------------------------------------- the load
@dataclass
class Target:
    name: str
    invoke_url: str
    stream_url: str
    headers: dict[str, str]
    invoke_body: dict[str, Any]
    stream_body: dict[str, Any]
    server: Server | None  # None: the simulator is the target

    def cpu(self) -> float:
        return self.server.cpu() if self.server else 0.0


@dataclass
class Figures:
    """What one target did over every round, for one kind of call."""

    server: bool  # False for ``direct``: the simulator is the server
    rates: list[float] = field(default_factory=list)  # per round: invocations/s or chunks/s
    latencies: list[float] = field(default_factory=list)  # seconds: whole request, or to the first chunk
    totals: list[float] = field(default_factory=list)  # streams only: seconds to the end of the stream
    chunks: list[int] = field(default_factory=list)  # streams only: data: events per stream
    wall: float = 0.0
    cpu_server: float = 0.0
    cpu_sim: float = 0.0
    cpu_client: float = 0.0


async def invoke_once(client: httpx.AsyncClient, target: Target) -> float:
    start = time.perf_counter()
    resp = await client.post(target.invoke_url, json=target.invoke_body, headers=target.headers)
    if resp.status_code != 200:
        raise SystemExit(f"{target.name}: {resp.status_code} {resp.text[:500]}")
    return time.perf_counter() - start


async def stream_once(client: httpx.AsyncClient, target: Target) -> tuple[float, float, int]:
    """(seconds to the first data: event, seconds to the end, data: events other than [DONE])."""
    start = time.perf_counter()
    first = 0.0
    chunks = 0
    async with client.stream("POST", target.stream_url, json=target.stream_body, headers=target.headers) as resp:
        if resp.status_code != 200:
            raise SystemExit(f"{target.name}: {resp.status_code} {(await resp.aread())[:500]!r}")
        async for line in resp.aiter_lines():
            if line.startswith("data:") and line[5:].strip() != "[DONE]":
                chunks += 1
                if chunks == 1:
                    first = time.perf_counter() - start
    return first, time.perf_counter() - start, chunks


async def run_batch(count: int, concurrency: int, call: Any, target: Target) -> tuple[list[Any], float]:
    """``count`` calls of ``target``, ``concurrency`` at a time; (their results, wall seconds).

    Each batch has a keep-alive pool of its own: a connection left idle while the other targets ran may be
    closed by its server just as it is reused.
    """
    counter = itertools.count()
    results: list[Any] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while next(counter) < count:
            try:
                results.append(await call(client, target))
            except httpx.HTTPError as err:
                raise SystemExit(f"{target.name}: {type(err).__name__} {err}") from None

    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(min(concurrency, count))))
        return results, time.perf_counter() - start


async def measured(figures: Figures, sim: Server, target: Target, batch: Any) -> list[Any]:
    """Run ``batch`` (a coroutine giving (results, wall)), adding its wall and every side's CPU to ``figures``."""
    cpu = (target.cpu(), sim.cpu(), time.process_time())
    results, wall = await batch
    figures.wall += wall
    figures.cpu_server += target.cpu() - cpu[0]
    figures.cpu_sim += sim.cpu() - cpu[1]
    figures.cpu_client += time.process_time() - cpu[2]
    return list(results)


async def benchmark(targets: list[Target], sim: Server, args: argparse.Namespace) -> dict[str, tuple[Figures, Figures]]:
    results = {t.name: (Figures(t.server is not None), Figures(t.server is not None)) for t in targets}
    for target in targets:  # warm every path (imports, first-call caches)
        await run_batch(args.concurrency * 4, args.concurrency, invoke_once, target)
        await run_batch(min(args.concurrency, args.streams), args.concurrency, stream_once, target)
    for round_no in range(args.rounds):
        order = targets[round_no % len(targets) :] + targets[: round_no % len(targets)]
        for target in order:
            plain, streamed = results[target.name]
            before = plain.wall
            latencies = await measured(
                plain, sim, target, run_batch(args.requests, args.concurrency, invoke_once, target)
            )
            plain.latencies.extend(latencies)
            plain.rates.append(len(latencies) / (plain.wall - before))
            before = streamed.wall
            streams = await measured(
                streamed, sim, target, run_batch(args.streams, args.concurrency, stream_once, target)
            )
            streamed.latencies.extend(s[0] for s in streams)
            streamed.totals.extend(s[1] for s in streams)
            streamed.chunks.extend(s[2] for s in streams)
            streamed.rates.append(sum(s[2] for s in streams) / (streamed.wall - before))
        print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return results


# ---------------------------------------------------------------------------------------------- report
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def cost_cells(f: Figures, ratio: str, units: float, scale: float) -> list[str]:
    """Wall, CPU (server seconds, then % of one core for server, simulator, client), server CPU per unit, ratio."""
    server = [f"{f.cpu_server:.1f}", f"{100 * f.cpu_server / f.wall:.0f}%"] if f.server else ["-", "-"]
    per_unit = f"{scale * f.cpu_server / units:.3f}" if f.server else "-"
    others = [f"{100 * c / f.wall:.0f}%" for c in (f.cpu_sim, f.cpu_client)]
    return [f"{f.wall:.1f}", *server, *others, per_unit, ratio]


COST_HEADER = ["wall s", "srv CPU s", "srv", "sim", "cli"]


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def report(results: dict[str, tuple[Figures, Figures]], args: argparse.Namespace) -> None:
    base = results.get("mlflow")
    print(
        f"\nnon-streamed: {args.rounds} rounds x {args.requests} invocations, {args.concurrency} in flight, "
        f"{args.tokens}-token answers"
    )
    rows = []
    for name, (f, _) in results.items():
        rate = statistics.median(f.rates)
        ratio = f"{rate / statistics.median(base[0].rates):.2f}" if base else "-"
        latency = [ms(pct(f.latencies, 0.5)), ms(pct(f.latencies, 0.99))]
        rows.append([name, f"{rate:,.0f}", *latency, *cost_cells(f, ratio, len(f.latencies), 1e3)])
    print_table(["target", "inv/s", "p50 ms", "p99 ms", *COST_HEADER, "srv ms/inv", "x mlflow"], rows)
    print(
        f"\nstreamed: {args.rounds} rounds x {args.streams} streams of {args.stream_tokens} tokens, "
        f"{args.concurrency} in flight"
    )
    rows = []
    for name, (_, f) in results.items():
        rate = statistics.median(f.rates)
        ratio = f"{rate / statistics.median(base[1].rates):.2f}" if base else "-"
        per_stream = f"{min(f.chunks)}" if min(f.chunks) == max(f.chunks) else f"{min(f.chunks)}-{max(f.chunks)}"
        latency = [
            ms(pct(f.latencies, 0.5)),
            ms(pct(f.latencies, 0.99)),
            ms(pct(f.totals, 0.5)),
            ms(pct(f.totals, 0.99)),
        ]
        rows.append([name, f"{rate:,.0f}", per_stream, *latency, *cost_cells(f, ratio, sum(f.chunks), 1e6)])
    header = ["target", "chunks/s", "chunks/stream", "TTFC p50", "TTFC p99", "end p50", "end p99"]
    print_table([*header, *COST_HEADER, "srv us/chunk", "x mlflow"], rows)
    print(
        "\nLatencies in ms (TTFC: to the first data: event; end: to the end of the stream). srv/sim/cli: CPU as % of "
        "one core over the wall time; srv ms/inv, us/chunk: the server's CPU time per invocation or chunk."
    )


# ---------------------------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=5, help="rounds; each target runs once per round (default 5)")
    p.add_argument("--requests", type=int, default=2000, help="non-streamed invocations per round (default 2000)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--tokens", type=int, default=16, help="tokens in a non-streamed answer (default 16)")
    p.add_argument("--streams", type=int, default=32, help="streams per round (default 32)")
    p.add_argument("--stream-tokens", type=int, default=500, help="tokens (chunks) in a stream (default 500)")
    p.add_argument("--mlflow-python", help="the python of a venv with mlflow[gateway] (default: mlflow on PATH)")
    p.add_argument("--mlflow-workers", type=int, default=1, help="the gateway's worker processes (default 1)")
    args = p.parse_args(argv)
    for name in ("rounds", "requests", "concurrency", "tokens", "streams", "stream_tokens", "mlflow_workers"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(args: argparse.Namespace) -> None:
    endpoints = {"bench-chat": args.tokens, "bench-stream": args.stream_tokens}
    gateway = gateway_command(args.mlflow_python)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        logs = Path(tmp)
        port = free_port()
        sim = stack.enter_context(
            started("simulator", [*switchboard(), "simulate", "--port", str(port), "--api-key", SIM_KEY], port, logs)
        )
        direct = {"authorization": f"Bearer {SIM_KEY}"}
        targets = [
            Target(
                "direct",
                f"{sim.base}/v1/chat/completions",
                f"{sim.base}/v1/chat/completions",
                direct,
                {**CHAT, "model": f"{MODEL}@tokens={args.tokens}"},
                {**CHAT, "model": f"{MODEL}@tokens={args.stream_tokens}", "stream": True},
                None,
            )
        ]
        workspace = logs / "workspace.db"
        token = create_token(workspace)
        bearer = {"authorization": f"Bearer {token}"}
        variants: list[tuple[str, list[str]]] = [("serve", [])] + (
            [("serve-w2", ["--workers", "2"])] if serve_has_workers() else []
        )
        for name, extra in variants:
            port = free_port()
            argv = [*switchboard(), "serve", "--port", str(port), "--workspace", str(workspace), *extra]
            server = stack.enter_context(started(name, argv, port, logs))
            if name == "serve":
                setup_serve_endpoints(server.base, token, sim.base, endpoints)
            targets.append(
                Target(
                    name,
                    f"{server.base}/serving-endpoints/bench-chat/invocations",
                    f"{server.base}/serving-endpoints/bench-stream/invocations",
                    bearer,
                    CHAT,
                    {**CHAT, "stream": True},
                    server,
                )
            )
        if len(variants) == 1:
            print("serve has no --workers option yet: only its default (1 worker) is measured", file=sys.stderr)
        if gateway is None:
            print(
                "No MLflow AI Gateway (give --mlflow-python of a venv with mlflow[gateway], or put its mlflow on PATH): "
                "the gateway is left out",
                file=sys.stderr,
            )
        else:
            config = logs / "gateway.yaml"
            gateway_config(config, sim.base, endpoints)
            port = free_port()
            # its own venv's packages, not ours; and no usage report leaves the machine
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
            options = ["--config-path", str(config), "--host", "127.0.0.1", "--port", str(port)]
            argv = [*gateway, *options, "--workers", str(args.mlflow_workers)]
            server = stack.enter_context(started("mlflow", argv, port, logs, env))
            prefix = gateway_prefix(server.base)
            targets.append(
                Target(
                    "mlflow",
                    f"{server.base}{prefix}/bench-chat/invocations",
                    f"{server.base}{prefix}/bench-stream/invocations",
                    {},
                    CHAT,
                    {**CHAT, "stream": True},
                    server,
                )
            )
        before = describe_machine(targets, args)
        results = asyncio.run(benchmark(targets, sim, args))
    print(f"{before}\nload average after: {load_average()}")
    report(results, args)


def gateway_prefix(base: str) -> str:
    """Where this MLflow version serves invocations: ``/gateway/<name>`` (2.x and later) or ``/endpoints/<name>``."""
    for prefix in ("/gateway", "/endpoints"):
        resp = httpx.post(f"{base}{prefix}/bench-chat/invocations", json=CHAT, timeout=60)
        if resp.status_code == 200:
            return prefix
    raise SystemExit(
        f"the MLflow gateway answers neither /gateway nor /endpoints: {resp.status_code} {resp.text[:500]}"
    )


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load: above its CPU count, other work competes with the benchmark."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def describe_machine(targets: list[Target], args: argparse.Namespace) -> str:
    names = ", ".join(t.name for t in targets)
    return (
        f"{os.cpu_count()} CPUs, load average before: {load_average()}; targets: {names}; "
        f"mlflow workers: {args.mlflow_workers}"
    )


if __name__ == "__main__":
    main(parse_args())
