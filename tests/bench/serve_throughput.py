"""Benchmark: `switchboard serve` throughput vs a direct call to the upstream vs the MLflow AI Gateway.

Three targets (four with ``--baseline``) answer the same chat request from the same upstream, each in its own
process:

* ``direct`` -- the upstream itself, ``POST /v1/chat/completions``: the ceiling of the client and upstream;
* ``serve``  -- ``python -m tui serve`` (this checkout's code, 1 worker), ``POST /serving-endpoints/<name>/invocations``
  with a bearer token, an endpoint whose key is a secret reference;
* ``base``   -- with ``--baseline DIR``, ``serve`` as another checkout (an earlier version) has it, on the same
  workspace file: a before/after comparison in one run;
* ``mlflow`` -- the MLflow AI Gateway (``mlflow gateway start``, ``--mlflow-workers``, default 1), provider ``openai``
  with ``openai_api_base`` at the upstream, ``POST /gateway/<name>/invocations`` (``/endpoints/...`` on older versions).

What is measured must be the targets, never the load generator or the upstream:

* the upstream is ``loopback_openai.py`` (default): every answer pre-encoded, a call costs it a few µs; or, with
  ``--upstream simulator``, the project's provider simulator (``tui simulate``, far more CPU per call). The loopback
  writes a whole stream at once (a provider paces its tokens), so a target reads many events per socket read: the
  same for every target, but per-chunk costs that depend on read sizes come out lower than with a real provider;
* the client is ``http_load.py``, a process of its own per batch: raw asyncio sockets (uvloop), keep-alive
  connections opened before the batch, pre-encoded requests, no JSON decoding (a few tens of µs per call);
* on a machine with 2 or more CPUs (and without ``--no-pin``), the target's process tree is pinned to the last CPU
  and the client and upstream share the others, so the target has a core to itself;
* each batch adds up its wall time and the CPU time of every process (target, upstream, client): the tables show
  them in seconds and as % of one core; the target is the bottleneck when its % is near 100 and the others' not.

The body is the same chat request for all of them (``direct`` also names the model, which the other two take
from their endpoint's configuration). The targets take turns round by round (the order rotates), so a slow spell
on a shared machine hits all of them alike.

Figures, per target (latencies pooled over every round; rates are the median over rounds):

* ``inv/s``     -- non-streamed invocations answered per second (``--requests`` per round, ``--tokens`` tokens each);
* ``chunks/s``  -- SSE ``data:`` events per second over ``--streams`` streams per round of ``--stream-tokens`` tokens
  (``[DONE]`` not counted; ``chunks/stream`` shows what each target sends per stream);
* ``p50/p99 ms`` -- request latency; for streams, to the first ``data:`` bytes (TTFC) and to the end of the stream;
* ``wall s``, ``srv/up/cli CPU s`` -- wall time of the measured batches and the CPU time (user + system) that the
  target's process tree, the upstream and the load generator spent in them;
* ``srv ms/inv``, ``srv us/chunk`` -- the target's CPU time per invocation or chunk: the honest comparison, since
  it does not depend on what else the machine does (the load average is printed before and after);
* ``x mlflow`` -- the target's rate over the gateway's (the goal for ``serve``: at least 2), and ``cpu x`` the
  gateway's CPU per call over the target's (the same goal, without the machine's noise).

MLflow is not a dependency of Switchboard: install it in a separate venv, only for this benchmark::

    python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install 'mlflow[gateway]'

Run by hand, from tests/bench with Switchboard's venv active::

    python serve_throughput.py --mlflow-python /work/bench-venv/bin/python [--rounds 5] [--requests 2000] \
        [--concurrency 16] [--tokens 16] [--streams 32] [--stream-tokens 500] [--upstream simulator] [--no-pin] \
        [--baseline DIR]

Without ``--mlflow-python`` the gateway is looked for as ``mlflow`` on PATH; without either, it is left out (and
said so). Linux only: CPU times come from /proc. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# this checkout's code, here and in every process started (else an installed Switchboard may be the one measured)
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

from _common import free_port  # noqa: E402
from _processes import Server, pinned, started  # noqa: E402
from _throughput_report import Figures, report  # noqa: E402

import tui  # noqa: E402
from tui.simulator.endpoints import endpoint_body  # noqa: E402

SIM_KEY = "bench-sim-key"
MODEL = "gpt-4o-mini"
CHAT = {"messages": [{"role": "user", "content": "Tell me about switchboards."}]}
STATE_POLLS = 200  # endpoint-state polls, 50 ms apart, before giving up on READY


# ---------------------------------------------------------------------------------------------- set-up
def switchboard() -> list[str]:
    """This checkout's Switchboard (not the console script, which may be another checkout's)."""
    return [sys.executable, "-m", "tui"]


def create_token(workspace: Path) -> str:
    """A bearer token of ``switchboard serve`` for user ``bench`` (kept in memory, never printed)."""
    out = subprocess.run(
        [*switchboard(), "tokens", "create", "--user", "bench", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return str(json.loads(out)["token_value"])


def setup_serve_endpoints(base: str, token: str, upstream: str, endpoints: dict[str, int]) -> None:
    """Through the REST API: scope ``sim`` holding the upstream's key, one chat endpoint per name (tokens knob)."""
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30) as client:
        client.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).raise_for_status()
        client.post(
            "/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": SIM_KEY}
        ).raise_for_status()
        for name, tokens in endpoints.items():
            body = endpoint_body(upstream, "openai", "chat", model=f"{MODEL}@tokens={tokens}", name=name)
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


def gateway_config(path: Path, upstream: str, endpoints: dict[str, int]) -> None:
    """The gateway's config.yaml (JSON is YAML): one llm/v1/chat endpoint per name, provider openai."""
    config = {
        "endpoints": [
            {
                "name": name,
                "endpoint_type": "llm/v1/chat",
                "model": {
                    "provider": "openai",
                    "name": f"{MODEL}@tokens={tokens}",
                    "config": {"openai_api_key": SIM_KEY, "openai_api_base": f"{upstream}/v1"},
                },
            }
            for name, tokens in endpoints.items()
        ]
    }
    path.write_text(json.dumps(config, indent=2))


def gateway_prefix(base: str) -> str:
    """Where this MLflow version serves invocations: ``/gateway/<name>`` (2.x and later) or ``/endpoints/<name>``."""
    for prefix in ("/gateway", "/endpoints"):
        resp = httpx.post(f"{base}{prefix}/bench-chat/invocations", json=CHAT, timeout=60)
        if resp.status_code == 200:
            return prefix
    raise SystemExit(
        f"the MLflow gateway answers neither /gateway nor /endpoints: {resp.status_code} {resp.text[:500]}"
    )


# ---------------------------------------------------------------------------------------------- the load
@dataclass
class Target:
    name: str
    port: int
    invoke: bytes  # the whole pre-encoded HTTP request
    stream: bytes
    server: Server | None  # None: the upstream is the target

    def cpu(self) -> float:
        return self.server.cpu() if self.server else 0.0


def http_request(port: int, path: str, headers: dict[str, str], body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", f"host: 127.0.0.1:{port}", "content-type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()] + [f"content-length: {len(data)}", "", ""]
    return "\r\n".join(lines).encode() + data


def batch(
    figures: Figures, target: Target, upstream: Server, count: int, stream: bool, args: argparse.Namespace
) -> None:
    """``count`` calls by a fresh ``http_load.py``; its results and every process's CPU time go to ``figures``."""
    job = {
        "port": target.port,
        "request": (target.stream if stream else target.invoke).decode("latin-1"),
        "count": count,
        "concurrency": args.concurrency,
        "stream": stream,
    }
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "http_load.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pinned(args.side_cpus),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(job) + "\n")
    proc.stdin.flush()
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"{target.name}: the load generator did not start")
    before = (target.cpu(), upstream.cpu())
    proc.stdin.write("go\n")
    proc.stdin.flush()
    result = json.loads(proc.stdout.readline())
    after = (target.cpu(), upstream.cpu())
    proc.wait()
    if "error" in result:
        raise SystemExit(f"{target.name}: {result['error']}")
    figures.wall += result["wall"]
    figures.cpu_client += result["cpu"]
    figures.cpu_server += after[0] - before[0]
    figures.cpu_upstream += after[1] - before[1]
    if stream:
        figures.latencies.extend(result["firsts"])
        figures.totals.extend(result["latencies"])
        figures.chunks.extend(result["chunks"])
        figures.rates.append(sum(result["chunks"]) / result["wall"])
    else:
        figures.latencies.extend(result["latencies"])
        figures.rates.append(len(result["latencies"]) / result["wall"])


def benchmark(targets: list[Target], upstream: Server, args: argparse.Namespace) -> dict[str, tuple[Figures, Figures]]:
    results = {t.name: (Figures(t.server is not None), Figures(t.server is not None)) for t in targets}
    for target in targets:  # warm every path (imports, first-call caches), not counted
        warm = Figures(False), Figures(False)
        batch(warm[0], target, upstream, args.concurrency * 20, False, args)
        batch(warm[1], target, upstream, args.concurrency, True, args)
    for round_no in range(args.rounds):
        order = targets[round_no % len(targets) :] + targets[: round_no % len(targets)]
        for target in order:
            plain, streamed = results[target.name]
            batch(plain, target, upstream, args.requests, False, args)
            batch(streamed, target, upstream, args.streams, True, args)
        print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    return results


# ---------------------------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--rounds", type=int, default=5, help="rounds; each target runs once per round (default 5)")
    p.add_argument("--requests", type=int, default=2000, help="non-streamed invocations per round (default 2000)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--tokens", type=int, default=16, help="tokens in a non-streamed answer (default 16)")
    p.add_argument("--streams", type=int, default=32, help="streams per round (default 32)")
    p.add_argument("--stream-tokens", type=int, default=500, help="tokens (chunks) in a stream (default 500)")
    p.add_argument("--upstream", choices=["loopback", "simulator"], default="loopback", help="(default loopback)")
    p.add_argument("--no-pin", action="store_true", help="leave every process free to run on any CPU")
    p.add_argument(
        "--baseline",
        metavar="DIR",
        help="another checkout of Switchboard (e.g. `git archive REV | tar -x -C DIR`) served side by side as target "
        "`base`, to compare two versions in one run; DIR goes first on its PYTHONPATH",
    )
    p.add_argument("--mlflow-python", help="the python of a venv with mlflow[gateway] (default: mlflow on PATH)")
    p.add_argument("--mlflow-workers", type=int, default=1, help="the gateway's worker processes (default 1)")
    args = p.parse_args(argv)
    for name in ("rounds", "requests", "concurrency", "tokens", "streams", "stream_tokens", "mlflow_workers"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    cpus = sorted(os.sched_getaffinity(0))
    pin = not args.no_pin and len(cpus) >= 2
    args.target_cpus = {cpus[-1]} if pin else None
    args.side_cpus = set(cpus[:-1]) if pin else None
    return args


def upstream_argv(args: argparse.Namespace, port: int) -> list[str]:
    if args.upstream == "simulator":
        return [*switchboard(), "simulate", "--port", str(port), "--api-key", SIM_KEY]
    sizes = ["--tokens", str(args.tokens), "--stream-tokens", str(args.stream_tokens)]
    return [sys.executable, str(HERE / "loopback_openai.py"), "--port", str(port), *sizes]


def main(args: argparse.Namespace) -> None:
    endpoints = {"bench-chat": args.tokens, "bench-stream": args.stream_tokens}
    gateway = gateway_command(args.mlflow_python)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        logs = Path(tmp)
        port = free_port()
        upstream = stack.enter_context(started("upstream", upstream_argv(args, port), port, logs, cpus=args.side_cpus))
        direct = {"authorization": f"Bearer {SIM_KEY}"}
        path = "/v1/chat/completions"
        targets = [
            Target(
                "direct",
                port,
                http_request(port, path, direct, {**CHAT, "model": f"{MODEL}@tokens={args.tokens}"}),
                http_request(
                    port, path, direct, {**CHAT, "model": f"{MODEL}@tokens={args.stream_tokens}", "stream": True}
                ),
                None,
            )
        ]
        workspace = logs / "workspace.db"
        token = create_token(workspace)
        bearer = {"authorization": f"Bearer {token}"}
        serves = [("serve", None)] + ([("base", args.baseline)] if args.baseline else [])
        for name, root in serves:
            port = free_port()
            argv = [*switchboard(), "serve", "--port", str(port), "--workspace", str(workspace)]
            env = {**os.environ, "PYTHONPATH": str(Path(root).resolve())} if root else None
            server = stack.enter_context(started(name, argv, port, logs, env, cpus=args.target_cpus))
            if root is None:  # the baseline serves the same workspace file
                setup_serve_endpoints(server.base, token, upstream.base, endpoints)
            chat, stream = "/serving-endpoints/bench-chat/invocations", "/serving-endpoints/bench-stream/invocations"
            targets.append(
                Target(
                    name,
                    port,
                    http_request(port, chat, bearer, CHAT),
                    http_request(port, stream, bearer, {**CHAT, "stream": True}),
                    server,
                )
            )
        if gateway is None:
            print(
                "No MLflow AI Gateway (give --mlflow-python of a venv with mlflow[gateway], or put its mlflow on PATH): "
                "the gateway is left out",
                file=sys.stderr,
            )
        else:
            config = logs / "gateway.yaml"
            gateway_config(config, upstream.base, endpoints)
            port = free_port()
            # its own venv's packages, not ours; and no usage report leaves the machine
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
            options = ["--config-path", str(config), "--host", "127.0.0.1", "--port", str(port)]
            argv = [*gateway, *options, "--workers", str(args.mlflow_workers)]
            server = stack.enter_context(started("mlflow", argv, port, logs, env, cpus=args.target_cpus))
            prefix = gateway_prefix(server.base)
            targets.append(
                Target(
                    "mlflow",
                    port,
                    http_request(port, f"{prefix}/bench-chat/invocations", {}, CHAT),
                    http_request(port, f"{prefix}/bench-stream/invocations", {}, {**CHAT, "stream": True}),
                    server,
                )
            )
        before = describe_machine(targets, args)
        results = benchmark(targets, upstream, args)
    print(f"{before}\nload average after: {load_average()}")
    report(results, args)


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load: above its CPU count, other work competes with the benchmark."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def describe_machine(targets: list[Target], args: argparse.Namespace) -> str:
    names = ", ".join(t.name for t in targets)
    pins = (
        f"targets pinned to CPU {sorted(args.target_cpus)}, upstream and client to {sorted(args.side_cpus)}"
        if args.target_cpus
        else "not pinned"
    )
    return (
        f"{os.cpu_count()} CPUs, load average before: {load_average()}; targets: {names}; upstream: {args.upstream}; "
        f"{pins}; mlflow workers: {args.mlflow_workers}; Switchboard from {Path(tui.__file__).parent}"
    )


if __name__ == "__main__":
    main(parse_args())
