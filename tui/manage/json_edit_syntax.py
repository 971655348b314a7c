"""What a JSON syntax error means, in words, and where to fix it.

:class:`json.JSONDecodeError` says "Expecting ',' delimiter" at the first character it could not read;
a person wants "missing comma or '}'" right after the value that needs it. :func:`explain` looks at the
text around the error to say which bracket is open, whether a comma trails, whether a quote is single.
"""

from __future__ import annotations

import json
import re

from tui.manage.json_edit_layout import open_containers

_CLOSER = {"{": "}", "[": "]"}
_KIND = {"{": "object", "[": "array"}
_WORD = re.compile(r"[A-Za-z_][\w.+-]*")
_VALUES = "a value: a string in double quotes, a number, true, false, null, an object or an array"


def explain(text: str, err: json.JSONDecodeError) -> tuple[int, str]:
    """The offset to show and the problem in words for a syntax error ``json.loads(text)`` raised."""
    pos = err.pos
    if not text.strip():
        return 0, "the text is empty; an endpoint is a JSON object: {...}"
    before = _last_character_before(text, pos)
    at = text[pos : pos + 1]
    opened = open_containers(text, pos)[-1:]
    closer = _CLOSER.get(opened, "}")
    if pos >= len(text.rstrip()) and opened:  # shown at the end of the last line, where the bracket goes
        return len(text.rstrip()), f"the text ends before an {_KIND[opened]} is closed (missing '{closer}')"
    trailing = before >= 0 and text[before] == "," and at in ("}", "]")
    if err.msg.startswith("Illegal trailing comma") or (trailing and not err.msg.startswith("Extra data")):
        return before, f"trailing comma before '{at}': remove it"
    return _explain_at(err.msg, text, pos, before, closer)


def _explain_at(msg: str, text: str, pos: int, before: int, closer: str) -> tuple[int, str]:
    at = text[pos : pos + 1]
    if msg.startswith("Expecting ',' delimiter"):
        return before + 1, f"missing comma or '{closer}' after this value"
    if msg.startswith("Expecting ':' delimiter"):
        return before + 1, "missing ':' after the field name"
    if msg.startswith("Expecting property name"):
        if at == "'":
            return pos, "field names need double quotes, not single quotes"
        return pos, "expected a field name in double quotes"
    if msg.startswith("Expecting value"):
        if at in ("}", "]", ","):  # nothing between ':' and what follows: the value goes right after the ':'
            return before + 1, f"missing {_VALUES}"
        return pos, f"expected {_expected_value(text, pos)}"
    if msg.startswith("Unterminated string"):
        return pos, "this string has no closing double quote"
    if msg.startswith("Invalid control character"):
        return pos, _control_in_string(at)
    if msg.startswith("Invalid \\uXXXX escape"):
        return pos, "\\u must be followed by four hexadecimal digits"
    if msg.startswith("Invalid \\escape"):
        return pos, "unknown escape after a backslash; a backslash itself is written \\\\"
    if msg.startswith("Unexpected UTF-8 BOM"):
        return pos, "the text starts with an invisible byte order mark (U+FEFF); delete it"
    if msg.startswith("Extra data"):
        if at in ("}", "]"):
            return pos, f"an extra '{at}': everything before it is already closed"
        return pos, "more text after the end of the JSON; the body is one object"
    return pos, msg


def _expected_value(text: str, pos: int) -> str:
    if text.startswith("'", pos):
        return "a string in double quotes, not single quotes"
    if word := _WORD.match(text, pos):
        return (
            f"a value, and '{word.group()}' is not one: text needs double quotes, "
            "and true, false and null are written in lower case"
        )
    return _VALUES


def _control_in_string(character: str) -> str:
    if character == "\n":
        return "this string is not closed on its line (a line break inside a string is written \\n)"
    if character == "\t":
        return "a tab inside a string is written \\t"
    return (
        f"the control character U+{ord(character):04X} cannot be inside a string; write it as \\u{ord(character):04x}"
    )


def _last_character_before(text: str, pos: int) -> int:
    """The offset of the last non-blank character before ``pos`` (-1 when there is none)."""
    return len(text[:pos].rstrip()) - 1
