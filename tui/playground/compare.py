"""The comparison summary shown when every pane is done, and the formatting of its numbers.

:func:`summarize` turns a :class:`~tui.playground.model.Comparison` into a :class:`Summary`: one row
per metric with a formatted cell per pane (the best one starred), rankings, the fastest and slowest
pane, the errors, and for embeddings the dimensions, norms and cosine similarities.
:func:`headline` and :func:`notes` give what a table of it leaves out. Everything here is a pure function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from tui.domain.text import printable
from tui.playground.model import Comparison, PaneRun, is_embeddings, task_kind

BEST = "★"
MISSING = "—"
MAX_SIMILARITY_INPUTS = 16  # cosine tables cover at most this many inputs (keeps summarize instant)

Row = tuple[str, dict[str, str]]


# -- formatting ------------------------------------------------------------------------------------
def format_seconds(seconds: float | None) -> str:
    """``0.0123 -> "12 ms"``, ``0.213 -> "0.21 s"``, ``12.34 -> "12.3 s"``, ``75 -> "1 m 15 s"``; None -> "—"."""
    if seconds is None or math.isnan(seconds):
        return MISSING
    seconds = max(0.0, seconds)
    if seconds < 0.001:
        return "<1 ms"
    if seconds < 0.1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} m {rest:02d} s"


def format_rate(tokens_per_s: float | None) -> str:
    """``153.2 -> "153 tok/s"``, ``9.46 -> "9.5 tok/s"``; None -> "—"."""
    if tokens_per_s is None or math.isnan(tokens_per_s):
        return MISSING
    if tokens_per_s < 10:
        return f"{tokens_per_s:.1f} tok/s"
    return f"{tokens_per_s:,.0f} tok/s"


def format_tokens(count: int | None) -> str:
    """``1234 -> "1,234 tok"``; None -> "—"."""
    return MISSING if count is None else f"{count:,} tok"


def format_similarity(value: float | None) -> str:
    """A cosine similarity with 4 decimals (``0.9987``); None -> "—"."""
    return MISSING if value is None else f"{value:.4f}"


def format_norm(value: float) -> str:
    return f"{value:.4f}"


# -- ranking -----------------------------------------------------------------------------------------
def rank(values: Mapping[str, float | None], *, higher_is_better: bool) -> list[str]:
    """The keys that have a value, best first; ties keep the mapping's order."""
    present = [(key, value) for key, value in values.items() if value is not None and not math.isnan(value)]
    present.sort(key=lambda kv: -kv[1] if higher_is_better else kv[1])
    return [key for key, _ in present]


def pane_labels(panes: Sequence[PaneRun]) -> list[str]:
    """One unique label per pane: the endpoint name, with ' (2)', ' (3)'... when a name repeats."""
    seen: dict[str, int] = {}
    labels = []
    for pane in panes:
        name = pane.endpoint or "?"
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return labels


# -- vectors -----------------------------------------------------------------------------------------
def l2_norm(vector: Sequence[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in vector))


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float | None:
    """cos(a, b) in [-1, 1]; None when either vector is all zeros. Raises ValueError when dimensions differ.

    The same sum computes ``a·a`` and ``a·b``, so identical vectors give exactly 1.0.
    """
    if len(a) != len(b):
        raise ValueError(f"dimensions differ: {len(a)} vs {len(b)}")
    aa = math.fsum(x * x for x in a)
    bb = math.fsum(y * y for y in b)
    if aa == 0.0 or bb == 0.0:
        return None
    dot = math.fsum(x * y for x, y in zip(a, b, strict=False))
    return max(-1.0, min(1.0, dot / math.sqrt(aa * bb)))


def similarity_cell(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, str]:
    """(value, text): ``(0.93, "0.9300")``, ``(None, "n/a: 1536 vs 8 dims")`` or ``(None, "n/a: zero vector")``."""
    if len(a) != len(b):
        return None, f"n/a: {len(a)} vs {len(b)} dims"
    value = cosine_similarity(a, b)
    return value, format_similarity(value) if value is not None else "n/a: zero vector"


def similarity_matrix(vectors: Sequence[Sequence[float]]) -> list[list[float | None]]:
    """cos between every pair of ``vectors`` (None where dimensions differ or a vector is zero)."""
    n = len(vectors)
    matrix: list[list[float | None]] = [[None] * n for _ in range(n)]
    for i in range(n):
        matrix[i][i] = similarity_cell(vectors[i], vectors[i])[0]
        for j in range(i + 1, n):
            matrix[i][j] = matrix[j][i] = similarity_cell(vectors[i], vectors[j])[0]
    return matrix


# -- summary -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CrossSimilarity:
    """cos between two panes' vectors for the same input (``input_index`` counts from 0)."""

    input_index: int
    a: str
    b: str
    value: float | None
    text: str  # formatted value, or "n/a: 1536 vs 8 dims"


@dataclass(frozen=True)
class EmbeddingSummary:
    dims: dict[str, int | None]  # label -> dimension of its vectors (None: no vector)
    norms: dict[str, list[float]]  # label -> L2 norm per input
    cross: list[CrossSimilarity]  # between panes, per input
    within: dict[str, list[list[float | None]]]  # label -> inputs x inputs matrix (panes with 2+ inputs)


@dataclass(frozen=True)
class Summary:
    """What a widget renders: ``rows`` is one ``(metric, {label: cell})`` per line, in pane order."""

    task: str
    labels: list[str]
    rows: list[Row]
    rankings: dict[str, list[str]] = field(default_factory=dict)  # metric -> labels, best first
    fastest: str | None = None  # by total time, among panes that finished normally (2+ needed)
    slowest: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (label, "CODE: message")
    embeddings: EmbeddingSummary | None = None

    def row(self, metric: str) -> dict[str, str]:
        """The cells of ``metric`` ({} when there is no such row)."""
        return next((cells for name, cells in self.rows if name == metric), {})


@dataclass(frozen=True)
class _Metric:
    name: str
    value: Callable[[PaneRun], float | None]
    format: Callable[[float | None], str]
    higher_is_better: bool
    star: bool = True


_TEXT_METRICS = (
    _Metric("TTFT", lambda r: r.ttft_s, format_seconds, higher_is_better=False),
    _Metric("Tokens/s", lambda r: r.tokens_per_s, format_rate, higher_is_better=True),
    _Metric("Total time", lambda r: r.elapsed_s, format_seconds, higher_is_better=False),
    # more tokens is not better: ranked (longest first) but never starred
    _Metric(
        "Completion tokens",
        lambda r: float(r.completion_tokens),
        lambda v: format_tokens(None if v is None else int(v)),
        higher_is_better=True,
        star=False,
    ),
)
_EMBEDDING_METRICS = (_Metric("Total time", lambda r: r.elapsed_s, format_seconds, higher_is_better=False),)


def state_text(run: PaneRun) -> str:
    """``done``, ``done (incomplete)``, ``error REQUEST_LIMIT_EXCEEDED``, ``cancelled``..."""
    text = run.state
    if run.state == "error" and run.error_code:
        text += f" {run.error_code}"
    if run.incomplete:
        text += " (incomplete)"
    return text


def error_text(run: PaneRun) -> str:
    """``"CODE: message (retry in 3 s)"`` for a failed pane."""
    text = f"{run.error_code}: {run.error_message}" if run.error_code else (run.error_message or "failed")
    if run.retry_after:
        text += f" (retry in {math.ceil(run.retry_after)} s)"
    return text


def _metric_row(metric: _Metric, runs: Mapping[str, PaneRun]) -> tuple[Row, list[str]]:
    """The row of one metric (best cell starred when 2+ panes are ranked) and its ranking.

    Every pane with a value gets a cell; only panes that finished normally are ranked, so a cut
    stream's numbers never win.
    """
    values = {label: metric.value(run) for label, run in runs.items()}
    ranking = rank(
        {label: v for label, v in values.items() if runs[label].ok}, higher_is_better=metric.higher_is_better
    )
    cells = {label: metric.format(value) for label, value in values.items()}
    if metric.star and len(ranking) >= 2:
        cells[ranking[0]] += f" {BEST}"
    return (metric.name, cells), ranking


def summarize(comparison: Comparison) -> Summary:
    """The summary of a comparison's panes (works on unfinished panes too: their cells show what is known)."""
    labels = pane_labels(comparison.panes)
    runs = dict(zip(labels, comparison.panes, strict=False))
    embeddings = is_embeddings(comparison.task)
    rows: list[Row] = [
        ("State", {label: state_text(run) for label, run in runs.items()}),
        ("Model", {label: run.model or MISSING for label, run in runs.items()}),
    ]
    rankings: dict[str, list[str]] = {}
    for metric in _EMBEDDING_METRICS if embeddings else _TEXT_METRICS:
        row, ranking = _metric_row(metric, runs)
        rows.append(row)
        rankings[metric.name] = ranking
    embedding_summary = None
    if embeddings:
        embedding_summary = summarize_embeddings(runs)
        rows.append(
            ("Dimensions", {label: str(d) if d is not None else MISSING for label, d in embedding_summary.dims.items()})
        )
        rows.append(
            (
                "L2 norm",
                {label: " / ".join(map(format_norm, n)) or MISSING for label, n in embedding_summary.norms.items()},
            )
        )
        rows.append(("Prompt tokens", {label: _usage_cell(run, "prompt_tokens") for label, run in runs.items()}))
    else:
        rows.append(("Finish", {label: run.finish_reason or MISSING for label, run in runs.items()}))
    by_time = rankings.get("Total time", [])
    return Summary(
        task=comparison.task,
        labels=labels,
        rows=rows,
        rankings=rankings,
        fastest=by_time[0] if len(by_time) >= 2 else None,
        slowest=by_time[-1] if len(by_time) >= 2 else None,
        errors=[(label, error_text(run)) for label, run in runs.items() if run.state == "error"],
        embeddings=embedding_summary,
    )


def _usage_cell(run: PaneRun, key: str) -> str:
    value = (run.usage or {}).get(key)
    return format_tokens(int(value)) if value is not None else MISSING


def summarize_embeddings(runs: Mapping[str, PaneRun]) -> EmbeddingSummary:
    """Dimensions and norms per pane, cosines between panes per input, and within each pane across inputs."""
    vectors = {label: (run.embeddings or [])[:MAX_SIMILARITY_INPUTS] for label, run in runs.items()}
    cross = [
        CrossSimilarity(i, a, b, *similarity_cell(vectors[a][i], vectors[b][i]))
        for i in range(max((len(v) for v in vectors.values()), default=0))
        for a, b in combinations(vectors, 2)
        if i < len(vectors[a]) and i < len(vectors[b])
    ]
    return EmbeddingSummary(
        dims={label: len(vs[0]) if vs else None for label, vs in vectors.items()},
        norms={label: [l2_norm(v) for v in vs] for label, vs in vectors.items()},
        cross=cross,
        within={label: similarity_matrix(vs) for label, vs in vectors.items() if len(vs) >= 2},
    )


# -- text rendering ----------------------------------------------------------------------------------
def headline(summary: Summary) -> str:
    """``Comparison · chat · 2 panes · fastest a · slowest b`` (printable: names come from outside)."""
    count = len(summary.labels)
    head = f"Comparison · {task_kind(summary.task) or '?'} · {count} pane{'' if count == 1 else 's'}"
    if summary.fastest and summary.slowest:
        head += f" · fastest {summary.fastest} · slowest {summary.slowest}"
    return printable(head)


def notes(summary: Summary) -> list[str]:
    """What does not fit a measure-by-endpoint table: one line per failed pane, cosine similarities."""
    lines = [printable(f"{label}: {text}") for label, text in summary.errors]
    if summary.embeddings is not None:
        lines.extend(printable(line) for line in _similarity_lines(summary.embeddings))
    return lines


def _similarity_lines(emb: EmbeddingSummary) -> list[str]:
    lines = []
    by_input: dict[int, list[CrossSimilarity]] = {}
    for item in emb.cross:
        by_input.setdefault(item.input_index, []).append(item)
    for index, items in by_input.items():
        pairs = " · ".join(f"{c.a} ↔ {c.b} {c.text}" for c in items)
        lines.append(f"Cosine, input {index + 1}: {pairs}")
    for label, matrix in emb.within.items():
        pairs = " · ".join(
            f"{i + 1}↔{j + 1} {format_similarity(matrix[i][j])}" for i, j in combinations(range(len(matrix)), 2)
        )
        lines.append(f"Cosine within {label}: {pairs}")
    return lines
