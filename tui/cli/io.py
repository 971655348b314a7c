"""Reading ``--json`` arguments and writing results and errors the way the Databricks CLI does.

What the CLI reads is checked here, so the layers behind it only ever see sane input: valid UTF-8,
JSON nested at most ``MAX_JSON_DEPTH`` deep (deeper would reach Python's recursion limit in the
parser, in validation or when it is written back) and no string holding a lone surrogate (which no
encoder can write). What it writes to stderr goes through :func:`printable`, one line per message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tui.domain.checks import json_problem, parse_json_text
from tui.domain.errors import InvalidParameterValue, SwitchboardError
from tui.domain.text import printable

_NEWLINE_STAND_IN = "\u240a"  # ␊, as printable() shows the other C0 controls


def read_json_arg(text: str, flag: str = "--json") -> Any:
    """Inline JSON, or ``@path`` to read it from a file (``@-`` reads standard input)."""
    source = "input"
    if text.startswith("@"):
        name = text[1:]
        source = "standard input" if name == "-" else f"file '{name}'"
        text = decode_utf8(_read_source(name, flag), f"{flag} {source}")
    value = parse_json_text(text, f"{flag} {source}")
    if problem := json_problem(value):
        raise InvalidParameterValue(f"{flag} {source}: {problem}")
    return value


def _read_source(name: str, flag: str) -> bytes:
    if name == "-":
        return read_stdin()
    try:
        return Path(name).expanduser().read_bytes()
    except OSError as err:
        raise InvalidParameterValue(f"Cannot read {flag} file '{name}': {err.strerror or err}") from None


def read_stdin() -> bytes:
    """Standard input as bytes, undecoded (a text-only stream, as tests give, is encoded back)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return sys.stdin.read().encode("utf-8", "surrogatepass")


def decode_utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidParameterValue(f"{what} is not valid UTF-8 (byte {err.start + 1} of {len(data)})") from None


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def print_error(err: SwitchboardError) -> None:
    _stderr_line(f"Error: {err.message}{_retry_hint(err)} ({err.error_code})")


def _retry_hint(err: SwitchboardError) -> str:
    """When to retry: it travels as ``retry_after``, never in the message, so it is said once."""
    return f" Retry in {err.retry_after:.1f} s." if err.retry_after else ""


def warn(message: str) -> None:
    _stderr_line(f"Warning: {message}")


def _stderr_line(text: str) -> None:
    """One line on stderr, made printable: no escape sequence, no line a reader could take for another."""
    sys.stderr.write(printable(text).replace("\n", _NEWLINE_STAND_IN) + "\n")
