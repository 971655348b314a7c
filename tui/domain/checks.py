"""Rules for values a person gave: valid text, a length limit, no control characters, http(s) URLs, numbers.

Each ``*_problem`` function returns what is wrong as the end of a sentence whose subject is the
field (``"<path>: <problem>"``), or None when the value is fine. They know nothing of pydantic;
:mod:`tui.domain.base` turns them into field types, limits every other string field to
:data:`TEXT_MAX` and runs :func:`json_problem` on every user payload.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from tui.domain.errors import InvalidParameterValue
from tui.domain.text import has_control, has_surrogate

TEXT_MAX = 8 * 1024
"""Any string of user input without a tighter limit (descriptions, plaintext keys: a PEM key fits)."""
MODEL_NAME_MAX = 256
"""A provider's model id (``external_model.name``); real ones are well under 100 characters."""
URL_MAX = 2048
"""A base URL; the de-facto limit of browsers and proxies."""
TAG_MAX = 255
"""A tag key or value."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects in a body a person gives (Databricks bodies nest a few levels)."""

_URL_SCHEMES = ("http", "https")
_PORTS = "a port is a number from 1 to 65535"
_NOT_TEXT = "is not valid text (it contains a lone surrogate)"


def text_problem(value: str, limit: int) -> str | None:
    """Refuses text that cannot be encoded (a lone surrogate) and text longer than ``limit``."""
    if has_surrogate(value):
        return _NOT_TEXT
    if len(value) > limit:
        return f"is {len(value):,} characters long; the limit is {limit:,}"
    return None


def plain_text_problem(value: str, limit: int) -> str | None:
    """:func:`text_problem`, and no control character (escape sequences, bidi overrides)."""
    if problem := text_problem(value, limit):
        return problem
    if has_control(value):
        bad = next(c for c in value if has_control(c))
        return f"contains the control character {bad!r}; only printable text is allowed"
    return None


def url_problem(value: str) -> str | None:
    """Refuses anything but an ``http://`` or ``https://`` URL with a host and, if any, a valid port.

    The standard library's parser does the reading (and raises ValueError for a bad port or IPv6 host).
    """
    if problem := plain_text_problem(value, URL_MAX):
        return problem
    try:
        parts = urlsplit(value)
        port = parts.port  # urllib raises ValueError for a port that is not a number in 0..65535
    except ValueError:
        return f"'{value}' is not a valid URL; check the host and port ({_PORTS})"
    if parts.scheme not in _URL_SCHEMES or not parts.hostname:
        return f"must be an http:// or https:// URL with a host, not '{value}'"
    if any(c.isspace() for c in value):  # urllib drops tabs and newlines silently, HTTP clients refuse them
        return f"'{value.strip()}' contains a space, tab or line break; a URL has none (write a space as %20)"
    if port == 0:
        return f"'{value}' has port 0; {_PORTS}"
    return None


def number_problem(value: Any, *, strings_allowed: bool) -> str | None:
    """Why a JSON value cannot stand for a number: ``true``/``false`` never can, a string only when allowed."""
    if isinstance(value, bool):
        return f"must be a number, not {json.dumps(value)}"
    if isinstance(value, str) and not strings_allowed:
        return "must be a number, not a string"
    return None


def parse_json_text(text: str, what: str) -> Any:
    """The JSON value ``text`` holds; INVALID_PARAMETER_VALUE naming ``what`` (e.g. "--json input", "The request
    body") when it is not JSON, is nested past Python's recursion limit or holds a number too long to read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidParameterValue(
            f"{what} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise InvalidParameterValue(
            f"{what} is nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"
        ) from None
    except ValueError:  # an integer longer than Python reads (int max str digits)
        limit = sys.get_int_max_str_digits()
        raise InvalidParameterValue(f"{what} holds a number with more than {limit} digits") from None


def json_problem(data: Any) -> str | None:
    """``"<path>: <problem>"`` for the first string or field name of a JSON value that is not valid text,
    or the problem of a value nested deeper than :data:`MAX_JSON_DEPTH`; None when it is fine.

    Python gets a lone surrogate from JSON's ``"\\ud800"`` or from argv; it cannot be encoded, so it
    must be refused before any check quotes it. Deeper nesting would reach Python's recursion limit in
    validation or when the value is written back. Walks breadth-first without recursion.
    """
    pending: deque[tuple[str, Any, int]] = deque([("", data, 0)])
    while pending:
        path, node, depth = pending.popleft()
        if isinstance(node, str) and has_surrogate(node):
            return _at(path, _NOT_TEXT)
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_JSON_DEPTH:
            return f"is nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"
        if isinstance(node, dict):
            for key, value in node.items():
                if has_surrogate(str(key)):
                    return _at(path, f"a field name {_NOT_TEXT}")
                pending.append((f"{path}.{key}" if path else str(key), value, depth + 1))
        else:
            pending.extend((f"{path}[{i}]", value, depth + 1) for i, value in enumerate(node))
    return None


def _at(path: str, problem: str) -> str:
    return f"{path}: {problem}" if path else problem
