"""Benchmark processes: started in their own session (pinned to chosen CPUs), waited for, stopped with every
child, and their CPU time read from /proc (Linux only; clock ticks of 10 ms)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 60.0  # seconds for a server to accept connections (MLflow imports a lot)
CLK_TCK = os.sysconf("SC_CLK_TCK")


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


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that pins the child (and so every process it starts) to ``cpus``; None: not pinned."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


@contextmanager
def started(
    name: str,
    argv: Sequence[str],
    port: int,
    logs: Path,
    env: dict[str, str] | None = None,
    cpus: set[int] | None = None,
) -> Iterator[Server]:
    """Run ``argv`` (which listens on 127.0.0.1:port) until the block ends; its output goes to a log file."""
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=pinned(cpus),  # the preexec_fn runs before exec: no thread here holds a lock
        )
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
