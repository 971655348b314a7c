"""The ranges of a request's numeric knobs: plain data, importable without pydantic, so the settings and
the parameter bar share them with the request schemas at no start-up cost."""

from __future__ import annotations

MAX_TOKENS_MAX = 1_000_000
"""The most tokens a request may ask for; no model writes more in one answer."""
N_MAX = 5
"""The most choices one request may ask for (Databricks answers 1 to 5)."""
KNOB_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0, 2),
    "top_p": (0, 1),
    "presence_penalty": (-2, 2),
    "frequency_penalty": (-2, 2),
    "max_tokens": (1, MAX_TOKENS_MAX),
    "max_completion_tokens": (1, MAX_TOKENS_MAX),
    "n": (1, N_MAX),
}
"""Inclusive (lowest, highest) of each numeric knob of a chat or completions request."""
