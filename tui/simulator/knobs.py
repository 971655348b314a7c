"""Simulator knobs: timing, size and fault injection, set on the model name or per request.

* On the model name: ``gpt-4o-mini@ttft=0.2,tps=50,tokens=300`` (body ``model``, Azure deployment, Databricks
  endpoint name). The model reported back is the part before ``@``.
* Per request: headers ``x-sim-<knob>: value`` (``x-sim-retry-after`` and ``x-sim-retry_after`` both work).
  Headers win over the model suffix.

Unknown knobs and bad values raise :class:`KnobError`, which every dialect answers as a 400 in its own shape.

Faults (``fault=``):

* ``400 401 403 404 429 498 499 500 502 503 529``: that status in the provider's error shape, before any streaming;
  429/503/529 carry ``retry-after`` (``retry_after`` seconds, default 1) and the provider's extra headers.
* ``stall``: stream — headers, then silence for ``stall_s`` (default 30) just before content token number
  ``cut_after`` + 1 (default: before the first), then the rest; non-stream — silence before the status line.
* ``slow_headers``: silence for ``stall_s`` before the status line, then a normal answer.
* ``cut``: stream — the connection closes (no terminating chunk) after ``cut_after`` content tokens (default
  half); non-stream — the body stops half way and the connection closes.
* ``malformed``: stream — one extra event with cut-short JSON after ``cut_after`` tokens, then the stream goes
  on; non-stream — a 200 whose body is not valid JSON.
* ``nodone``: the stream ends cleanly without ``[DONE]`` / ``message_stop`` (the final ``completion`` event).
* ``drip``: every write split in pieces with small delays (the first event byte by byte).
* ``error_event``: a 200 stream that, after ``cut_after`` tokens, carries the provider's mid-stream error and ends.

``nodone`` and ``error_event`` only concern streams; without ``stream`` the answer is normal.

``reject_stream_options=1`` plays an OpenAI-compatible server that does not know ``stream_options`` (some
vLLM and llama.cpp versions, older proxies, Azure's older API versions): a request that carries it gets a
400 naming it. It is a property of the server rather than a fault, so it combines with any ``fault``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

HEADER_PREFIX = "x-sim-"

STATUS_FAULTS: dict[str, int] = {
    s: int(s) for s in ("400", "401", "403", "404", "429", "498", "499", "500", "502", "503", "529")
}
BEHAVIOUR_FAULTS = ("stall", "cut", "malformed", "nodone", "drip", "error_event", "slow_headers")
FAULTS = (*STATUS_FAULTS, *BEHAVIOUR_FAULTS)
RETRYABLE_STATUSES = (429, 503, 529)

MAX_TOKENS_KNOB = 100_000
MAX_DIM = 8192


class KnobError(ValueError):
    """A knob the simulator does not know, or a value it cannot use."""


@dataclass(frozen=True)
class Knobs:
    ttft: float = 0.0  # seconds before the first content token
    tps: float = 0.0  # content tokens per second while streaming (0 = as fast as possible)
    tokens: int | None = None  # exact number of generated tokens (None = the natural ~120)
    dim: int | None = None  # embedding dimension (None = the model's, default 8)
    fault: str | None = None  # one of FAULTS
    retry_after: float = 1.0  # seconds, sent with 429/503/529 faults
    stall_s: float = 30.0  # how long `stall` / `slow_headers` stay silent
    cut_after: int | None = None  # content tokens before a mid-stream fault (None = its default)
    reject_stream_options: bool = False  # answer a body with stream_options with a 400

    @property
    def status_fault(self) -> int | None:
        return STATUS_FAULTS.get(self.fault or "")


def _number(name: str, raw: str, *, integer: bool, minimum: float, maximum: float) -> Any:
    kind = "an integer" if integer else "a number"
    try:
        value: float = int(raw) if integer else float(raw)
    except ValueError:
        raise KnobError(
            f"Bad value for simulator knob '{name}': {raw!r} (expected {kind} between {minimum:g} and {maximum:g})"
        ) from None
    if not math.isfinite(value) or not minimum <= value <= maximum:
        raise KnobError(
            f"Bad value for simulator knob '{name}': {raw!r} (expected {kind} between {minimum:g} and {maximum:g})"
        )
    return value


def _fault(raw: str) -> str:
    value = raw.strip().lower()
    if value not in FAULTS:
        raise KnobError(f"Bad value for simulator knob 'fault': {raw!r} (expected one of: {', '.join(FAULTS)})")
    return value


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("0", "1", "true", "false"):
        raise KnobError(f"Bad value for simulator knob '{name}': {raw!r} (expected 1 or 0)")
    return value in ("1", "true")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "ttft": lambda v: _number("ttft", v, integer=False, minimum=0, maximum=3600),
    "tps": lambda v: _number("tps", v, integer=False, minimum=0, maximum=1_000_000),
    "tokens": lambda v: _number("tokens", v, integer=True, minimum=1, maximum=MAX_TOKENS_KNOB),
    "dim": lambda v: _number("dim", v, integer=True, minimum=1, maximum=MAX_DIM),
    "fault": _fault,
    "retry_after": lambda v: _number("retry_after", v, integer=False, minimum=0, maximum=86_400),
    "stall_s": lambda v: _number("stall_s", v, integer=False, minimum=0, maximum=86_400),
    "cut_after": lambda v: _number("cut_after", v, integer=True, minimum=0, maximum=MAX_TOKENS_KNOB),
    "reject_stream_options": lambda v: _flag("reject_stream_options", v),
}
KNOB_NAMES = tuple(f.name for f in fields(Knobs))
assert set(KNOB_NAMES) == set(_PARSERS)


def _apply(values: dict[str, Any], name: str, raw: str, origin: str) -> None:
    key = name.strip().lower().replace("-", "_")
    parser = _PARSERS.get(key)
    if parser is None:
        raise KnobError(f"Unknown simulator knob '{name.strip()}' ({origin}). Known knobs: {', '.join(KNOB_NAMES)}")
    values[key] = parser(raw.strip())


def split_model(spec: str) -> tuple[str, str]:
    """``"gpt-4o@tps=5"`` → ``("gpt-4o", "tps=5")``; no ``@`` → ``(spec, "")``."""
    model, _, suffix = spec.partition("@")
    return model, suffix


def parse_suffix(suffix: str, values: dict[str, Any]) -> None:
    for item in suffix.split(","):
        if not item.strip():
            continue
        name, eq, raw = item.partition("=")
        if not eq:
            raise KnobError(f"Bad simulator knob {item.strip()!r} in the model name (expected name=value)")
        _apply(values, name, raw, "from the model name")


def parse_knobs(model_spec: str | None, headers: Mapping[str, str]) -> tuple[str | None, Knobs]:
    """The bare model name and the knobs from its ``@`` suffix and the ``x-sim-*`` headers (headers win)."""
    values: dict[str, Any] = {}
    model = model_spec
    if model_spec is not None:
        model, suffix = split_model(model_spec)
        parse_suffix(suffix, values)
    for header, raw in headers.items():
        if header.startswith(HEADER_PREFIX):
            _apply(values, header[len(HEADER_PREFIX) :], raw, f"from header {header}")
    return model, replace(Knobs(), **values)


def describe() -> str:
    """One line per knob, for the CLI banner."""
    return "\n".join(
        [
            "  ttft=S          seconds before the first content token",
            "  tps=N           content tokens per second (0 = as fast as possible)",
            "  tokens=N        exact number of generated tokens",
            "  dim=N           embedding dimension",
            "  fault=F         " + ", ".join(FAULTS),
            "  retry_after=S   retry-after for 429/503/529 faults (default 1)",
            "  stall_s=S       silence for stall/slow_headers (default 30)",
            "  cut_after=N     content tokens before cut/malformed/error_event/stall",
            "  reject_stream_options=1  400 for a body with stream_options (an older OpenAI-compatible server)",
        ]
    )
