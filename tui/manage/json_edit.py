"""Check an endpoint's JSON as a person edits it: every problem with the line it is on.

The JSON view of the endpoint editor shows the text; this says what is wrong with it, by the same rules
as the form (:func:`tui.domain.base.check_user_input`), each problem placed where the person fixes it:
a syntax error where the comma or quote is missing, a field's problem on the line of its name, a missing
field on the line of the ``{`` of the object that lacks it, an unknown field on its own line.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from pydantic import BaseModel

from tui.domain.base import Problem, check_user_input
from tui.domain.checks import MAX_JSON_DEPTH
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.text import has_control
from tui.manage.json_edit_layout import Layout, LineIndex, Path, layout_of, too_deep
from tui.manage.json_edit_syntax import explain

M = TypeVar("M", bound=BaseModel)

_UNKNOWN_FIELD = re.compile(r"unknown field '(.*?)' \((?:did you mean|expected one of)")
_SEVERAL = re.compile(r"; (?=unknown field ')")
_LONG_NUMBER = re.compile(rf"\d{{{sys.get_int_max_str_digits() + 1},}}")


@dataclass(frozen=True, order=True)
class LineProblem:
    """One problem and where it is: 1-based line and column, as an editor counts them."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class JsonCheck(Generic[M]):
    """What a JSON text holds: the object (None unless the text is a JSON object), the validated model (None
    while there is any problem) and every problem, in the order of the text."""

    data: dict[str, Any] | None
    model: M | None
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.model is not None


@overload
def parse_endpoint_json(text: str) -> JsonCheck[CreateServingEndpoint]: ...
@overload
def parse_endpoint_json(text: str, model: type[M]) -> JsonCheck[M]: ...
def parse_endpoint_json(text: str, model: type[BaseModel] = CreateServingEndpoint) -> JsonCheck[Any]:
    """Read ``text`` as the JSON of ``model`` (a create-endpoint body unless told otherwise)."""
    lines = LineIndex(text)
    if (deep := too_deep(text)) is not None:
        message = f"nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"
        return JsonCheck(None, None, [_at(lines, deep, message)])
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return JsonCheck(None, None, [_at(lines, *explain(text, err))])
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        long_number = _LONG_NUMBER.search(text)
        message = "this number has too many digits"
        return JsonCheck(None, None, [_at(lines, long_number.start() if long_number else 0, message)])
    layout = layout_of(text, lines)
    problems = [_at(lines, offset, message) for offset, message in layout.flaws]
    found, domain_problems = check_user_input(model, value)
    for problem in domain_problems:
        problems += _located(problem, value, layout)
    data = value if isinstance(value, dict) else None
    return JsonCheck(data, None if problems else found, sorted(problems))


def dump(data: Any) -> str:
    """``data`` as the JSON view shows it: indented by 2, keys in the order given, non-ASCII text as it is
    but no character that could steer a terminal (see :func:`terminal_safe`)."""
    return terminal_safe(json.dumps(data, indent=2, ensure_ascii=False))


def terminal_safe(text: str) -> str:
    """JSON text (typed, pasted or dumped) with every character a terminal could act on written as a
    ``\\uXXXX`` escape: the same value inside a string, a syntax error anywhere else. Line breaks stay
    (a CR LF or a lone CR becomes one), and so does a tab."""
    if not has_control(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(f"\\u{ord(c):04x}" if has_control(c) else c for c in text)


def _at(lines: LineIndex, offset: int, message: str) -> LineProblem:
    return LineProblem(*lines.at(offset), message)


def _located(problem: Problem, value: Any, layout: Layout) -> list[LineProblem]:
    """The problem where the person fixes it; one per field for "unknown field 'a'; unknown field 'b'"."""
    path, missing = _resolve(problem.path, value)
    if not problem.path:
        path = _named_in_message(problem.message, layout) or path
    spot = layout.spots[path]
    located = []
    for piece in _SEVERAL.split(problem.message):
        offset = spot.value if missing else spot.where
        if (unknown := _UNKNOWN_FIELD.match(piece)) and (key := layout.spots.get((*path, unknown.group(1)))):
            offset = key.where
        located.append(_at(layout.lines, offset, str(Problem(problem.path, piece))))
    return located


def _resolve(path: tuple[int | str, ...], value: Any) -> tuple[Path, bool]:
    """The part of ``path`` the JSON has (skipping pydantic's union tags such as ``'int'``), and whether a
    field it names is missing (then the problem belongs to the object that lacks it)."""
    found: list[int | str] = []
    missing = False
    for part in path:
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        has_part = part in value if isinstance(value, dict) else in_list
        if not has_part:
            missing = isinstance(value, dict) and isinstance(part, str)
            continue
        value = value[part]
        found.append(part)
        missing = False
    return tuple(found), missing


def _named_in_message(message: str, layout: Layout) -> Path | None:
    """The path a whole-body message starts with (``tags[0].key: is not valid text``), as the domain's
    :func:`~tui.domain.checks.json_problem` names it; the longest that matches."""
    names = {Problem(path, "").where: path for path in layout.spots if path}
    matching = [name for name in names if message.startswith(f"{name}: ")]
    return names[max(matching, key=len)] if matching else None
