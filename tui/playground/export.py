"""Export a comparison as Markdown (for people) or JSON (for tools), and name the file safely.

Answers and inputs are written verbatim inside fences longer than any run of backticks they contain,
so an answer full of code blocks survives intact. The model holds no keys, headers or credentials
(see :func:`tui.playground.model.scrub`), so nothing secret can reach an export.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from tui.domain.text import printable
from tui.playground.compare import (
    EmbeddingSummary,
    Summary,
    error_text,
    format_norm,
    format_rate,
    format_seconds,
    format_similarity,
    format_tokens,
    l2_norm,
    summarize,
)
from tui.playground.model import Comparison, PaneRun, content_text, is_chat, is_embeddings, task_kind

SLUG_MAX = 40


# -- Markdown building blocks ------------------------------------------------------------------------
def fence(text: str, info: str = "") -> str:
    """``text`` in a fenced code block whose fence is longer than any backtick run inside (at least ```)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{marks}{info}\n{body}{marks}"


def code_span(text: str) -> str:
    """``text`` as inline code, with a backtick run longer than any inside it (and padding when needed)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{marks}{pad}{text}{pad}{marks}"


def table_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, line breaks flattened."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def one_line(text: str) -> str:
    return " ".join(text.split())


def local_time(epoch_s: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return dt.datetime.fromtimestamp(epoch_s).strftime(fmt)


def param_value(value: Any) -> str:
    """A parameter value as inline code: strings and lists as JSON (so ``"\\n"`` stays visible)."""
    return code_span(json.dumps(value, ensure_ascii=False))


# -- sections ----------------------------------------------------------------------------------------
def _heading(comparison: Comparison) -> list[str]:
    title = one_line(comparison.title) or "Comparison"
    endpoints = ", ".join(comparison.endpoints) or "no endpoints"
    return [
        f"# {title}",
        "",
        f"{local_time(comparison.created)} · {task_kind(comparison.task)} · {endpoints}",
    ]


def _input_section(comparison: Comparison) -> list[str]:
    lines = ["", "## Input"]
    if comparison.system:
        lines += ["", "**System prompt**", "", fence(comparison.system)]
    if is_chat(comparison.task) and comparison.turns:
        for turn in comparison.turns:
            lines += ["", f"**{table_cell(str(turn.get('role', '?')))}**", "", fence(content_text(turn.get("content")))]
    elif is_embeddings(comparison.task) and comparison.inputs:
        for number, text in enumerate(comparison.inputs, 1):
            lines += ["", f"**Input {number}**", "", fence(text)]
    elif comparison.prompt is not None:
        lines += ["", "**Prompt**", "", fence(comparison.prompt)]
    return lines


def _params_section(comparison: Comparison) -> list[str]:
    lines = ["", "## Parameters", ""]
    if comparison.params:
        lines += [f"- {name}: {param_value(value)}" for name, value in comparison.params.items()]
    else:
        lines.append("- endpoint defaults")
    for endpoint, values in comparison.overrides.items():
        if values:
            shown = ", ".join(f"{name}={param_value(value)}" for name, value in values.items())
            lines.append(f"- overrides for {endpoint}: {shown}")
    return lines


def metrics_line(run: PaneRun) -> str:
    """``TTFT 210 ms · 153 tok/s · 1.20 s total · 120 tok · usage 12 + 120 · finish: stop``."""
    parts = []
    if run.ttft_s is not None:
        parts.append(f"TTFT {format_seconds(run.ttft_s)}")
    if run.tokens_per_s is not None:
        parts.append(format_rate(run.tokens_per_s))
    if run.elapsed_s is not None:
        parts.append(f"{format_seconds(run.elapsed_s)} total")
    if not is_embeddings(run.task):
        parts.append(format_tokens(run.completion_tokens))
    usage = run.usage or {}
    if usage:
        parts.append(f"usage {usage.get('prompt_tokens', 0)} + {usage.get('completion_tokens', 0)}")
    if run.finish_reason:
        parts.append(f"finish: {run.finish_reason}")
    return " · ".join(parts) or "no numbers"


def _pane_section(number: int, run: PaneRun, task: str) -> list[str]:
    lines = [
        "",
        f"## {number}. {run.endpoint}",
        "",
        f"- Provider: {run.provider or '—'} · Model: {run.model or '—'} · State: {run.state}",
        f"- {metrics_line(run)}",
    ]
    if run.state == "error":
        lines.append(f"- **Error:** {one_line(error_text(run))}")
    if run.incomplete:
        lines.append("- **Incomplete:** the answer stopped before its end; the text below is what arrived.")
    if is_embeddings(task) or run.embeddings:
        lines += _vectors_block(run)
    else:
        lines += _answers_block(run)
    return lines


def _answers_block(run: PaneRun) -> list[str]:
    if not run.choices:
        return ["", "_No text._"]
    if len(run.choices) == 1:
        return ["", fence(run.choices[0])]
    lines: list[str] = []
    for index, text in enumerate(run.choices):
        reason = run.finish_reasons[index] if index < len(run.finish_reasons) else None
        lines += ["", f"### Choice {index + 1}" + (f" (finish: {reason})" if reason else ""), "", fence(text)]
    return lines


def _vectors_block(run: PaneRun) -> list[str]:
    """Dimensions, norm and first values of each vector (the full vectors are in the JSON export)."""
    if not run.embeddings:
        return ["", "_No vectors._"]
    lines = ["", "| Input | Dims | L2 norm | First values |", "|---|---|---|---|"]
    for number, vector in enumerate(run.embeddings, 1):
        head = ", ".join(f"{x:+.4f}" for x in vector[:4])
        lines.append(
            f"| {number} | {len(vector)} | {format_norm(l2_norm(vector))} | {head}{', …' if len(vector) > 4 else ''} |"
        )
    return lines


def _summary_section(summary: Summary) -> list[str]:
    if not summary.labels:
        return []
    header = "| Metric | " + " | ".join(table_cell(label) for label in summary.labels) + " |"
    lines = ["", "## Summary", "", header, "|---" * (len(summary.labels) + 1) + "|"]
    for metric, cells in summary.rows:
        lines.append(f"| {metric} | " + " | ".join(table_cell(cells.get(label, "")) for label in summary.labels) + " |")
    if summary.fastest and summary.slowest:
        lines += ["", f"Fastest: {summary.fastest} · slowest: {summary.slowest} (total time)"]
    if summary.errors:
        lines += ["", "Errors:", ""] + [f"- {label}: {one_line(text)}" for label, text in summary.errors]
    if summary.embeddings is not None:
        lines += _similarity_tables(summary.embeddings)
    return lines


def _similarity_tables(emb: EmbeddingSummary) -> list[str]:
    lines: list[str] = []
    if emb.cross:
        lines += ["", "### Cosine similarity between endpoints", "", "| Input | Endpoints | Cosine |", "|---|---|---|"]
        lines += [f"| {c.input_index + 1} | {table_cell(c.a)} ↔ {table_cell(c.b)} | {c.text} |" for c in emb.cross]
    for label, matrix in emb.within.items():
        size = len(matrix)
        lines += ["", f"### Cosine similarity between inputs: {label}", ""]
        lines.append("| | " + " | ".join(str(i + 1) for i in range(size)) + " |")
        lines.append("|---" * (size + 1) + "|")
        lines += [
            f"| {i + 1} | " + " | ".join(format_similarity(v) for v in row) + " |" for i, row in enumerate(matrix)
        ]
    return lines


# -- public API --------------------------------------------------------------------------------------
def to_markdown(comparison: Comparison) -> str:
    """The comparison as a Markdown document: heading, input, parameters, one section per pane, summary."""
    lines = _heading(comparison) + _input_section(comparison) + _params_section(comparison)
    for number, run in enumerate(comparison.panes, 1):
        lines += _pane_section(number, run, comparison.task)
    lines += _summary_section(summarize(comparison))
    return printable("\n".join(lines) + "\n")


def to_json(comparison: Comparison) -> dict[str, Any]:
    """The whole comparison as a JSON-ready dict (the same document history stores; stable keys)."""
    return comparison.to_json()


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """A file-name-safe slug: ASCII letters and digits joined by '-', cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:max_length]
    return slug.strip("-") or "comparison"


def default_export_path(comparison: Comparison, directory: Path | str, suffix: str = ".md", *also: str) -> Path:
    """``directory/switchboard-2026-11-26T2301-<slug><suffix>``, numbered (``-2``, ``-3``...) while it,
    or the same name with any of the ``also`` suffixes, exists."""
    suffixes = [s if s.startswith(".") or not s else "." + s for s in (suffix, *also)]
    stem = f"switchboard-{local_time(comparison.created, '%Y-%m-%dT%H%M')}-{slugify(comparison.title)}"
    folder = Path(directory)
    name, number = stem, 2
    while any((folder / f"{name}{s}").exists() for s in suffixes):
        name = f"{stem}-{number}"
        number += 1
    return folder / f"{name}{suffixes[0]}"


def write_exports(comparison: Comparison, directory: Path | str) -> tuple[Path, Path]:
    """Write the comparison as Markdown and JSON side by side, under one name free for both.

    Never overwrites a file (both are created exclusively) and never leaves half a pair: if the JSON
    cannot be written, it and the Markdown written just before are removed. Raises OSError.
    """
    md = default_export_path(comparison, directory, ".md", ".json")
    js = md.with_suffix(".json")
    with open(md, "x", encoding="utf-8") as out:
        out.write(to_markdown(comparison))
    created_json = False
    try:
        with open(js, "x", encoding="utf-8") as out:
            created_json = True
            json.dump(to_json(comparison), out, indent=2)
    except BaseException:
        md.unlink(missing_ok=True)
        if created_json:
            js.unlink(missing_ok=True)
        raise
    return md, js
