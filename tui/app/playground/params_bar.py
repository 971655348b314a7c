"""Sampling parameters as small inputs: temperature, max_tokens, top_p, n, stop and the system prompt.

Blank means "not sent" (the provider's default). ``values()`` gives only what is set, checked.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from tui.domain.ranges import KNOB_RANGES

FIELDS: list[tuple[str, str, str]] = [
    ("temperature", "temp", "0–2"),
    ("max_tokens", "max tok", "e.g. 512"),
    ("top_p", "top_p", "0–1"),
    ("n", "n", "1"),
    ("stop", "stop", "comma-separated"),
]


class ParamError(ValueError):
    """A parameter that cannot be sent; the message names it."""


def parse_params(raw: dict[str, str]) -> dict[str, Any]:
    """Typed values from the text of each input; blank inputs are left out."""
    out: dict[str, Any] = {}
    for key, text in raw.items():
        text = text.strip()
        if not text:
            continue
        if key == "stop":
            out["stop"] = [s.strip().encode().decode("unicode_escape") for s in text.split(",") if s.strip()]
            continue
        if key == "system":
            out["system"] = text
            continue
        try:
            value: float = int(text) if key in ("max_tokens", "n") else float(text)
        except ValueError:
            raise ParamError(f"{key} must be a number, not {text!r}") from None
        low, high = KNOB_RANGES[key]
        if not low <= value <= high:
            raise ParamError(f"{key} must be between {low:g} and {high:g}, not {text}")
        out[key] = value
    return out


class ParamsBar(Horizontal):
    """The playground's shared sampling bar and a pane's own (F7)."""

    DEFAULT_CSS = """
    ParamsBar {
        height: 1;
        & Label { padding: 0 1 0 2; color: $text-muted; }
        & Input { width: 10; background: $boost; }
        & Input:focus { background: $accent 30%; }
        & #param-stop { width: 16; }
        & #param-system { width: 1fr; }
    }
    """

    def __init__(self, defaults: dict[str, Any] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._defaults = defaults or {}

    def compose(self) -> ComposeResult:
        for key, label, hint in FIELDS:
            yield Label(label)
            value = self._defaults.get(key)
            text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
            yield Input(text, placeholder=hint, id=f"param-{key}", compact=True)
        yield Label("system")
        yield Input(
            str(self._defaults.get("system") or ""), placeholder="system prompt (chat)", id="param-system", compact=True
        )

    def raw(self) -> dict[str, str]:
        keys = [k for k, _, _ in FIELDS] + ["system"]
        return {k: self.query_one(f"#param-{k}", Input).value for k in keys}

    def values(self) -> dict[str, Any]:
        """The parameters to send; raises ParamError naming a bad one."""
        return parse_params(self.raw())
