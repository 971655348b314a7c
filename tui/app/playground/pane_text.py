"""What a pane shows as text: its status figures (fitted to its width) and an embeddings answer."""

from __future__ import annotations

import math
from typing import Any

from rich.cells import cell_len

from tui.domain.text import printable
from tui.playground.compare import format_rate, format_seconds
from tui.playground.model import PaneRun

STATE_ICONS = {"waiting": "○", "streaming": "●", "done": "✓", "error": "✗", "cancelled": "■", "idle": "·"}


TYPICAL_STATUS = ["● streaming", "TTFT 0.00 s", "1,000 tok/s", "10.0 s", "1000 tok"]
"""A streaming status at typical widths: the status bar is always at least as tall as this needs, so starting a
run does not move the answer above it, and the live figures rarely make it grow (each change of height lays the
screen out again)."""


def status_parts(run: PaneRun | None, state: str) -> list[str]:
    """The figures of a pane's status line, in order: state, TTFT, rate, time, tokens, finish reason."""
    icon = STATE_ICONS.get(state, "?")
    if run is None:
        return [f"{icon} ready"]
    parts = [f"{icon} {run.state}"]
    if run.ttft_s is not None:
        parts.append(f"TTFT {format_seconds(run.ttft_s)}")
    if run.tokens_per_s is not None:
        parts.append(format_rate(run.tokens_per_s))
    if run.elapsed_s is not None:
        parts.append(
            f"{format_seconds(run.elapsed_s)} total" if run.state != "streaming" else format_seconds(run.elapsed_s)
        )
    usage = run.usage or {}
    if usage.get("total_tokens"):
        parts.append(f"{usage.get('prompt_tokens', 0)}+{usage.get('completion_tokens', 0)} tok")
    elif run.completion_tokens:
        parts.append(f"{run.completion_tokens} tok")
    if run.finish_reason:
        parts.append(f"finish: {printable(str(run.finish_reason))}")  # the provider's word, shown as sent
    if run.incomplete:
        parts.append("INCOMPLETE")
    return parts


def fit_parts(parts: list[str], width: int, separator: str = " · ") -> str:
    """``parts`` joined by ``separator``, with a line break instead wherever the next part would not
    fit in ``width`` cells (0: one line). A part is never split."""
    lines: list[str] = []
    line = ""
    for part in parts:
        joined = f"{line}{separator}{part}" if line else part
        if line and width and cell_len(joined) > width:
            lines.append(line)
            line = part
        else:
            line = joined
    return "\n".join([*lines, line])


def describe_embeddings(answer: dict[str, Any]) -> str:
    """Markdown for an embeddings answer: one line per vector with its dimension, norm and first values."""
    rows = ["| input | dims | L2 norm | first values |", "|---|---|---|---|"]
    for item in answer.get("data") or []:
        vector = item.get("embedding") or []
        if isinstance(vector, str):
            rows.append(f"| {item.get('index', 0)} | base64 | - | - |")
            continue
        norm = math.sqrt(math.fsum(v * v for v in vector))
        head = ", ".join(f"{v:+.3f}" for v in vector[:4])
        rows.append(f"| {item.get('index', 0)} | {len(vector)} | {norm:.4f} | {head}, … |")
    usage = answer.get("usage") or {}
    return "\n".join(rows) + f"\n\nprompt tokens: {usage.get('prompt_tokens', '-')}"
