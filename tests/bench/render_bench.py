"""Benchmark: 8 StreamViews side by side, each streaming a markdown answer at the same time.

Run by hand (not collected by pytest):

    python tests/bench/render_bench.py                 # both cases, full size (paced run takes ~20 s)
    python tests/bench/render_bench.py --case burst --runs 3
    python tests/bench/render_bench.py --tokens 400    # a quick, shorter paced run
    python tests/bench/render_bench.py --no-gc-policy  # without tui.widgets.render_ticker's GC policy

Cases (headless `App.run_test(size=(200, 50))`, tokens from an in-process generator of realistic markdown:
headings, paragraphs with inline markup, lists, long code fences, quotes, tables):
  paced  8 panes x 100 tokens/s x 2,000 tokens (a 20 s stream per pane)
  burst  8 panes x 2,000 tokens, appended as fast as possible (one token per event-loop turn per pane)

Measured: wall time from the first token until every pane has finished its final render; tokens/s; the
event loop's lag (how late a 10 ms sleep wakes up, sampled continuously); the latency of a key press sent
every 250 ms while streaming, from `pilot.press` until the binding's action runs; the ticker's busy time.
Targets: paced <= 21 s, lag p99 <= 50 ms, key p50 <= 30 ms; burst >= 10,000 tokens/s, lag p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import re
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import latency_figures, probe_keys, probe_lag
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from tui.gc_policy import install_gc_policy, uninstall_gc_policy
from tui.widgets.render_ticker import RenderTicker
from tui.widgets.stream_view import StreamView

# ---------------------------------------------------------------------------------------- token generator

_WORDS = [
    "the",
    "switchboard",
    "routes",
    "each",
    "request",
    "to",
    "a",
    "provider",
    "and",
    "measures",
    "latency",
    "while",
    "the",
    "gateway",
    "keeps",
    "a",
    "budget",
    "of",
    "tokens",
    "per",
    "minute",
    "so",
    "that",
    "every",
    "caller",
    "gets",
    "a",
    "fair",
    "share",
    "of",
    "the",
    "shared",
    "quota",
    "when",
    "the",
    "queue",
    "is",
    "busy",
    "retries",
    "wait",
    "for",
    "the",
    "slowest",
    "limit",
    "and",
    "a",
    "stream",
    "can",
    "be",
    "cancelled",
    "at",
    "any",
    "time",
    "by",
    "the",
    "operator",
    "who",
    "watches",
    "the",
    "panel",
    "of",
    "endpoints",
    "café",
    "naïve",
    "résumé",
    "Zürich",
    "model",
    "answer",
    "signal",
    "buffer",
]
_IDENTS = ("route", "patch", "relay", "measure", "balance", "forward", "record", "answer", "quota", "window")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(words))
        words[i] = rng.choice((f"`{rng.choice(_IDENTS)}()`", f"**{words[i]}**", f"*{words[i]}*"))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".....?!")


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))


def _code(rng: random.Random) -> str:
    lines = [f"```{rng.choice(('python', 'python', 'javascript', 'bash', 'text'))}"]
    for n in range(rng.randint(20, 60)):
        name = rng.choice(_IDENTS)
        kind = rng.randrange(6)
        if kind == 0:
            lines.append(f"def {name}_{n}(request, budget={rng.randint(1, 99)}):")
        elif kind == 1:
            lines.append(f"    for item in {name}(request.items):")
        elif kind == 2:
            lines.append(
                f"        total += item.cost * {rng.random():.3f}  # {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
            )
        elif kind == 3:
            lines.append(f'    return {{"{name}": total, "ok": {rng.choice(("True", "False"))}}}')
        elif kind == 4:
            lines.append("")
        else:
            lines.append(f'    log.info("{rng.choice(_WORDS)} %s", {name})')
    lines.append("```")
    return "\n".join(lines)


def _block(rng: random.Random) -> str:
    kind = rng.choices(("h", "p", "ul", "ol", "code", "quote", "table"), (2, 6, 2, 1, 2, 0.5, 0.5))[0]
    if kind == "h":
        return f"{'#' * rng.randint(1, 3)} {' '.join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))).title()}"
    if kind == "p":
        return _paragraph(rng)
    if kind == "ul":
        return "\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 6)))
    if kind == "ol":
        return "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 6)))
    if kind == "code":
        return _code(rng)
    if kind == "quote":
        return "\n".join(f"> {_sentence(rng)}" for _ in range(rng.randint(1, 3)))
    rows = ["| name | calls | p99 |", "|---|---:|---:|"]
    rows += [
        f"| {rng.choice(_IDENTS)} | {rng.randint(1, 999)} | {rng.randint(5, 900)} ms |"
        for _ in range(rng.randint(2, 5))
    ]
    return "\n".join(rows)


_TOKEN_RE = re.compile(r"\s*\S+\s*?(?=\s|$)|\s+$")


def make_tokens(seed: int, count: int) -> list[str]:
    """`count` token-like pieces (a word and the whitespace before it) of a generated markdown answer."""
    rng = random.Random(seed)
    blocks: list[str] = []
    tokens: list[str] = []
    while len(tokens) < count:
        blocks.append(_block(rng))
        tokens = _TOKEN_RE.findall("\n\n".join(blocks) + "\n")
    return tokens[:count]


# ---------------------------------------------------------------------------------------- the app


class BenchApp(App[None]):
    CSS = "Horizontal > StreamView { width: 1fr; height: 1fr; }"
    BINDINGS = [Binding("x", "ping", "Ping")]

    def __init__(self, panes: int) -> None:
        super().__init__()
        self.panes = panes
        self.pings: list[float] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            for index in range(self.panes):
                yield StreamView(id=f"pane{index}")

    def action_ping(self) -> None:
        self.pings.append(perf_counter())


async def run_case(
    case: str, panes: int, tokens_per_pane: int, rate: float, views_per_tick: int | None = None
) -> dict[str, float]:
    streams = [make_tokens(1000 + index, tokens_per_pane) for index in range(panes)]
    app = BenchApp(panes)
    result: dict[str, float] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        views = list(app.query(StreamView))
        ticker = RenderTicker.for_app(app)
        if views_per_tick is not None:
            ticker.views_per_tick = views_per_tick
        done = asyncio.Event()
        lags: list[float] = []
        keys: list[float] = []

        async def feed(view: StreamView, tokens: list[str], start: float) -> None:
            if case == "paced":
                for index, token in enumerate(tokens):
                    delay = start + index / rate - perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    view.append(token)
            else:
                for token in tokens:
                    view.append(token)
                    await asyncio.sleep(0)
            view.finish()

        gc_before = [s["collections"] for s in gc.get_stats()]
        busy_before, ticks_before = ticker.busy_seconds, ticker.ticks
        probes = [
            asyncio.create_task(probe_lag(lags, done)),
            asyncio.create_task(probe_keys(app, "x", app.pings, keys, done)),
        ]
        start = perf_counter()
        await asyncio.gather(*(feed(view, tokens, start) for view, tokens in zip(views, streams, strict=False)))
        fed = perf_counter() - start
        while not all(view.settled for view in views):
            await asyncio.sleep(0.005)
        elapsed = perf_counter() - start
        done.set()
        await asyncio.gather(*probes)
        gc_after = [s["collections"] for s in gc.get_stats()]
        for view, tokens in zip(views, streams, strict=False):
            assert view.text == "".join(tokens), "streamed text differs"
            assert view.finished and view.lines, "not rendered"
        total = sum(len(tokens) for tokens in streams)
        result = {
            "wall": elapsed,
            "fed": fed,
            "tokens": total,
            "tps": total / elapsed,
            **latency_figures(lags, keys),
            "busy": (ticker.busy_seconds - busy_before) / elapsed * 100,
            "ticks": ticker.ticks - ticks_before,
            "gc2": gc_after[2] - gc_before[2],
            "gc1": gc_after[1] - gc_before[1],
            "lines": sum(len(view.lines) for view in views),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=("paced", "burst", "both"), default="both")
    parser.add_argument("--panes", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=2000, help="tokens per pane")
    parser.add_argument("--rate", type=float, default=100.0, help="tokens/s per pane (paced)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--views-per-tick", type=int, help="override the ticker's limit (default: its own)")
    parser.add_argument("--no-gc-policy", action="store_true")
    parser.add_argument("--gc-thresholds", help="e.g. 50000,20,100 (default: the policy's)")
    args = parser.parse_args()
    if args.no_gc_policy:
        uninstall_gc_policy()
    elif args.gc_thresholds:
        install_gc_policy(tuple(int(part) for part in args.gc_thresholds.split(",")))  # type: ignore[arg-type]
    else:
        install_gc_policy()
    cases = ("paced", "burst") if args.case == "both" else (args.case,)
    header = (
        f"{'case':<6} {'run':>3} {'panes':>5} {'tokens':>6} {'wall s':>7} {'fed s':>6} {'tok/s':>7} "
        f"{'lag p50':>7} {'lag p99':>7} {'lag max':>7} {'key p50':>7} {'key p99':>7} {'keys':>4} "
        f"{'busy%':>5} {'ticks':>5} {'gc1':>4} {'gc2':>4}"
    )
    policy = "off (Python's defaults)" if args.no_gc_policy else f"on, thresholds {gc.get_threshold()}"
    print(f"GC policy: {policy}; times in ms unless noted")
    print(header)
    print("-" * len(header))
    for case in cases:
        for run in range(1, args.runs + 1):
            r = asyncio.run(run_case(case, args.panes, args.tokens, args.rate, args.views_per_tick))
            print(
                f"{case:<6} {run:>3} {args.panes:>5} {r['tokens']:>6.0f} {r['wall']:>7.2f} {r['fed']:>6.2f} "
                f"{r['tps']:>7.0f} {r['lag_p50']:>7.1f} {r['lag_p99']:>7.1f} {r['lag_max']:>7.1f} "
                f"{r['key_p50']:>7.1f} {r['key_p99']:>7.1f} {r['keys']:>4.0f} {r['busy']:>5.1f} "
                f"{r['ticks']:>5.0f} {r['gc1']:>4.0f} {r['gc2']:>4.0f}",
                flush=True,
            )
    print("targets: paced wall <= 21 s, lag p99 <= 50 ms, key p50 <= 30 ms; burst >= 10,000 tok/s, lag p99 <= 100 ms")


if __name__ == "__main__":
    main()
