"""The tables of serve_throughput.py: what each target did, and what every process spent doing it."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field

from _common import pct


@dataclass
class Figures:
    """What one target did over every round, for one kind of call."""

    server: bool  # False for ``direct``: the upstream is the server
    rates: list[float] = field(default_factory=list)  # per round: invocations/s or chunks/s
    latencies: list[float] = field(default_factory=list)  # seconds: whole request, or to the first chunk
    totals: list[float] = field(default_factory=list)  # streams only: seconds to the end of the stream
    chunks: list[int] = field(default_factory=list)  # streams only: data: events per stream
    wall: float = 0.0
    cpu_server: float = 0.0
    cpu_upstream: float = 0.0
    cpu_client: float = 0.0

    def units(self) -> int:
        return sum(self.chunks) if self.chunks else len(self.latencies)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def cost_cells(f: Figures, base: Figures | None, scale: float) -> list[str]:
    """Wall; CPU seconds (and % of one core) of the server, the upstream and the client; server CPU per unit;
    rate and CPU ratios."""
    used = [f"{c:.2f} ({100 * c / f.wall:.0f}%)" for c in (f.cpu_server, f.cpu_upstream, f.cpu_client)]
    if not f.server:
        used[0] = "-"
    per_unit = f"{scale * f.cpu_server / f.units():.3f}" if f.server else "-"
    ratios = ["-", "-"]
    if base is not None:
        ratios[0] = f"{statistics.median(f.rates) / statistics.median(base.rates):.2f}"
        if f.server and f.cpu_server:
            ratios[1] = f"{(base.cpu_server / base.units()) / (f.cpu_server / f.units()):.2f}"
    return [f"{f.wall:.2f}", *used, per_unit, *ratios]


COST_HEADER = ["wall s", "srv CPU s", "up CPU s", "cli CPU s"]
RATIO_HEADER = ["x mlflow", "cpu x"]


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
        latency = [ms(pct(f.latencies, 0.5)), ms(pct(f.latencies, 0.99))]
        cells = cost_cells(f, base[0] if base else None, 1e3)
        rows.append([name, f"{statistics.median(f.rates):,.0f}", *latency, *cells])
    print_table(["target", "inv/s", "p50 ms", "p99 ms", *COST_HEADER, "srv ms/inv", *RATIO_HEADER], rows)
    print(
        f"\nstreamed: {args.rounds} rounds x {args.streams} streams of {args.stream_tokens} tokens, "
        f"{args.concurrency} in flight"
    )
    rows = []
    for name, (_, f) in results.items():
        per_stream = f"{min(f.chunks)}" if min(f.chunks) == max(f.chunks) else f"{min(f.chunks)}-{max(f.chunks)}"
        latency = [ms(pct(v, q)) for v in (f.latencies, f.totals) for q in (0.5, 0.99)]
        cells = cost_cells(f, base[1] if base else None, 1e6)
        rows.append([name, f"{statistics.median(f.rates):,.0f}", per_stream, *latency, *cells])
    header = ["target", "chunks/s", "chunks/stream", "TTFC p50", "TTFC p99", "end p50", "end p99"]
    print_table([*header, *COST_HEADER, "srv us/chunk", *RATIO_HEADER], rows)
    print(
        "\nLatencies in ms (TTFC: to the first data: bytes; end: to the end of the stream). srv/up/cli CPU s: CPU "
        "seconds of the target's process tree, the upstream and the load generator over the wall seconds (in "
        "brackets: as % of one core; the bottleneck is the one near 100%). "
        "x mlflow: rate over the gateway's; cpu x: the gateway's server CPU per unit over the target's."
    )
