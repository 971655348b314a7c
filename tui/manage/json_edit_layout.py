"""Where things are in a JSON text: the offset of every field and value, found by a walk over text that
:func:`json.loads` accepted (so the walk needs no error handling of its own), plus what ``json`` lets pass
but a JSON body must not hold: a field given twice (``json`` keeps the last silently) and ``NaN`` or
``Infinity`` (not JSON; Databricks refuses them).

Offsets are indexes into the text; :class:`LineIndex` turns them into 1-based lines and columns.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

from tui.domain.checks import MAX_JSON_DEPTH

Path = tuple[int | str, ...]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_NOT_JSON_CONSTANT = re.compile(r"-?Infinity|NaN")
_DECODER = json.JSONDecoder()


class LineIndex:
    """Offsets of a text as 1-based (line, column), the way an editor counts them."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@dataclass(frozen=True)
class Spot:
    """Where one value is: its field name's opening quote (None for an array item or the root) and its first
    character (``{`` for an object)."""

    key: int | None
    value: int

    @property
    def where(self) -> int:
        """The offset that stands for the field as a whole: its name, or the value where there is no name."""
        return self.value if self.key is None else self.key


@dataclass
class Layout:
    """The spots of every path of a JSON text, and what it holds that a JSON body must not."""

    lines: LineIndex
    spots: dict[Path, Spot] = field(default_factory=dict)
    flaws: list[tuple[int, str]] = field(default_factory=list)
    """(offset, problem in words) for duplicate fields and NaN/Infinity."""


def too_deep(text: str) -> int | None:
    """The offset of the first ``{`` or ``[`` nested deeper than the domain allows (:data:`MAX_JSON_DEPTH`
    levels), or None. Checked on the text before parsing: far deeper text would exhaust Python's recursion."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return match.start()
        elif token in "}]":
            depth -= 1
    return None


def open_containers(text: str, end: int) -> str:
    """The brackets still open at ``end`` (``"{["`` means: inside an array inside an object)."""
    stack: list[str] = []
    for match in _STRING_OR_BRACKET.finditer(text, 0, end):
        token = match.group()
        if token in "{[":
            stack.append(token)
        elif token in "}]" and stack:
            stack.pop()
    return "".join(stack)


def layout_of(text: str, lines: LineIndex) -> Layout:
    """The layout of ``text`` (whose lines are ``lines``), which must be JSON that :func:`json.loads` accepts
    and at most :data:`MAX_JSON_DEPTH` levels deep (the walk recurses once per level)."""
    layout = Layout(lines)
    start = _skip(text, 0)
    layout.spots[()] = Spot(None, start)
    _walk(text, start, (), layout)
    return layout


def _skip(text: str, offset: int) -> int:
    match = _WHITESPACE.match(text, offset)
    return match.end() if match else offset


def _walk(text: str, offset: int, path: Path, layout: Layout) -> int:
    """Record the spots inside the value at ``offset``; return the offset just after it."""
    opener = text[offset]
    if opener == "{":
        return _walk_object(text, offset, path, layout)
    if opener == "[":
        return _walk_array(text, offset, path, layout)
    if constant := _NOT_JSON_CONSTANT.match(text, offset):
        layout.flaws.append((offset, f"{constant.group()} is not a JSON value; write a number or null"))
    _, end = _DECODER.raw_decode(text, offset)
    return end


def _walk_object(text: str, offset: int, path: Path, layout: Layout) -> int:
    offset = _skip(text, offset + 1)
    seen: dict[str, int] = {}
    while text[offset] != "}":
        key, end = _DECODER.raw_decode(text, offset)
        if key in seen:
            line, _ = layout.lines.at(seen[key])
            layout.flaws.append((offset, f"'{key}' is given twice (first on line {line}); give each field once"))
        seen[key] = offset
        value = _skip(text, _skip(text, end) + 1)  # past the ':'
        layout.spots[(*path, key)] = Spot(offset, value)
        offset = _skip(text, _walk(text, value, (*path, key), layout))
        if text[offset] == ",":
            offset = _skip(text, offset + 1)
    return offset + 1


def _walk_array(text: str, offset: int, path: Path, layout: Layout) -> int:
    offset = _skip(text, offset + 1)
    index = 0
    while text[offset] != "]":
        layout.spots[(*path, index)] = Spot(None, offset)
        offset = _skip(text, _walk(text, offset, (*path, index), layout))
        if text[offset] == ",":
            offset = _skip(text, offset + 1)
        index += 1
    return offset + 1
