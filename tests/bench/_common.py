"""Helpers shared by the hand-run benchmarks: a simulator in its own process, percentiles, lag and key probes."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import Any

from textual import events

from tui.simulator.endpoints import SIM_KEY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 20) -> None:
    """Until ``proc`` (``what``, for the message) accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.05)


@contextmanager
def simulator_process(key: str = SIM_KEY, cpu: int | None = None) -> Iterator[str]:
    """The provider simulator in a process of its own (so it does not share our GIL), pinned to core ``cpu``
    when given; yields its base URL."""
    port = free_port()
    code = f"from tui.simulator import serve_forever; serve_forever({port}, {key!r})"
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pin
    )
    try:
        wait_for_port(port, proc, "the simulator")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of values; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def probe_lag(lags: list[float], done: asyncio.Event) -> None:
    """Event-loop lag: how late a 10 ms sleep wakes up, sampled until ``done``."""
    while not done.is_set():
        start = perf_counter()
        await asyncio.sleep(0.010)
        lags.append(perf_counter() - start - 0.010)


async def probe_keys(app: Any, key: str, pings: list[float], keys: list[float], done: asyncio.Event) -> None:
    """Key latency: press ``key`` every 250 ms until ``done``; its action appends to ``pings``.

    Each press reaches the app as a terminal's does, through the app's driver, and nothing waits for it:
    Textual's ``Pilot.press`` would also poll the process's CPU time until the screen settles (every 20 ms for
    up to a second a press, since a burst never settles), work on the app's own event loop that no person's key
    press costs. Keys are handled in order, so ping i answers press i.
    """
    sent: list[float] = []
    await asyncio.sleep(0.1)
    while not done.is_set():
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        sent.append(perf_counter())
        app._driver.send_message(event)
        await asyncio.sleep(0.25)
    for _ in range(500):
        if len(pings) >= len(sent):
            break
        await asyncio.sleep(0.01)
    keys.extend(ping - start for ping, start in zip(pings, sent, strict=False))


def latency_figures(lags: list[float], keys: list[float]) -> dict[str, float]:
    """Event-loop lag and key latency (seconds) as the milliseconds the benchmarks print."""
    return {
        "lag_p50": pct(lags, 0.5) * 1000,
        "lag_p99": pct(lags, 0.99) * 1000,
        "lag_max": max(lags) * 1000,
        "key_p50": pct(keys, 0.5) * 1000,
        "key_p99": pct(keys, 0.99) * 1000,
        "keys": len(keys),
    }
