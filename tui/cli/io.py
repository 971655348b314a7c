"""Reading ``--json`` arguments and writing results and errors the way the Databricks CLI does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tui.domain.errors import InvalidParameterValue, SwitchboardError


def read_json_arg(text: str, flag: str = "--json") -> Any:
    """Inline JSON, or ``@path`` to read it from a file (``@-`` reads standard input)."""
    source = "input"
    if text.startswith("@"):
        name = text[1:]
        source = "standard input" if name == "-" else name
        try:
            text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidParameterValue(f"Cannot read {flag} file '{name}': {err.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidParameterValue(
            f"{flag} {source} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def print_error(err: SwitchboardError) -> None:
    retry = f" Retry in {err.retry_after:.1f} s." if err.retry_after else ""
    sys.stderr.write(f"Error: {err.message}{retry} ({err.error_code})\n")


def warn(message: str) -> None:
    sys.stderr.write(f"Warning: {message}\n")
