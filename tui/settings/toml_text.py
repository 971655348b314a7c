"""TOML in and out: reading with every failure one :class:`TomlError`, and a small writer for the plain
values settings use (str, int, float, bool, lists and tables)."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class TomlError(ValueError):
    """Text that is not TOML Python can read; the message says why."""


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with every problem of the text a :class:`TomlError`.

    tomllib raises its TOMLDecodeError for bad syntax, but lets out a RecursionError for arrays or
    tables nested deeper than Python recurses and a ValueError for an integer longer than Python reads.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlError(str(err)) from None
    except RecursionError:
        raise TomlError("arrays or tables nested too deeply") from None
    except ValueError:
        raise TomlError(f"a number with more than {sys.get_int_max_str_digits()} digits") from None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise str, int, float, bool, lists of those and nested tables to TOML. ``None`` values are
    left out (TOML has no null). Anything else raises ``TypeError``."""
    lines: list[str] = []
    _dump_table(data, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n" if lines else ""


def _dump_table(table: Mapping[str, Any], prefix: tuple[str, ...], lines: list[str]) -> None:
    tables = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((key, value))
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in tables:
        path = (*prefix, key)
        lines.append("")
        lines.append("[" + ".".join(toml_key(k) for k in path) + "]")
        _dump_table(value, path, lines)


def toml_key(key: Any) -> str:
    """A key as TOML writes it: bare if it can be, quoted otherwise."""
    if not isinstance(key, str):
        raise TypeError(f"TOML keys are strings, not {type(key).__name__}")
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """A value as TOML writes it on one line (tables inline); ``TypeError`` for what TOML cannot hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")
