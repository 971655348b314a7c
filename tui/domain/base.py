"""The base of every model of the Databricks JSON, and how user input differs from server data.

One set of models serves two readers:

* data **from a user** (CLI ``--json``, the app's editor, a request to ``switchboard serve``) is
  parsed with :func:`parse_user_input`: unknown fields are typos and are rejected (with a
  "did you mean" hint), enum values and cross-field rules are checked, text must be valid and of a
  bounded length (:mod:`tui.domain.checks`), a number field takes no ``true``/``false``;
* data **from a server or our own store** is parsed with :func:`parse_stored`: unknown fields are
  kept (``extra="allow"``) and values are taken as they are, so a newer server never breaks us.
"""

from __future__ import annotations

import difflib
import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tui.domain.checks import (
    TEXT_MAX,
    json_problem,
    number_problem,
    plain_text_problem,
    text_problem,
    url_problem,
)
from tui.domain.errors import InvalidParameterValue

USER_INPUT: dict[str, bool] = {"user_input": True}

M = TypeVar("M", bound=BaseModel)


def is_user_input(info: ValidationInfo) -> bool:
    """True while validating data a person typed (strict rules apply)."""
    return bool(info.context and info.context.get("user_input"))


class DatabricksModel(BaseModel):
    """Keeps unknown fields from a server, rejects them from a user."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_fields_from_user(cls, data: Any, info: ValidationInfo) -> Any:
        if is_user_input(info) and isinstance(data, dict):
            known = set(cls.model_fields)
            unknown = [k for k in data if k not in known]
            if unknown:
                raise ValueError("; ".join(_unknown_field_message(k, known) for k in unknown))
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_bool_as_number_from_user(cls, value: Any, info: ValidationInfo) -> Any:
        """``"calls": true`` is not 1: a number field takes a number (a string of digits, as Databricks does)."""
        annotation: Any = cls.model_fields[info.field_name].annotation if info.field_name else None
        if is_user_input(info) and _is_number_type(annotation):
            if problem := number_problem(value, strings_allowed=True):
                raise ValueError(problem)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _limit_text_from_user(cls, value: Any, info: ValidationInfo) -> Any:
        """Any string field without a tighter limit of its own (those are checked first) holds at most TEXT_MAX."""
        if is_user_input(info) and isinstance(value, str) and (problem := text_problem(value, TEXT_MAX)):
            raise ValueError(problem)
        return value

    def to_json(self) -> dict[str, Any]:
        """The JSON object as Databricks spells it: fields left unset are omitted."""
        return self.model_dump(mode="json", exclude_none=True)


@functools.cache
def _is_number_type(annotation: Any) -> bool:
    """int or float, alone or in an Optional/Union without bool."""
    if annotation in (int, float):
        return True
    args = get_args(annotation)
    return get_origin(annotation) in (Union, types.UnionType) and bool not in args and any(map(_is_number_type, args))


def _unknown_field_message(field: str, known: set[str]) -> str:
    close = difflib.get_close_matches(field, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(sorted(known))})"
    return f"unknown field '{field}'{hint}"


def user_rule(problem: Callable[[str], str | None]) -> AfterValidator:
    """A string check that applies to what a person typed; a server's value passes as it is."""

    def check(value: str, info: ValidationInfo) -> str:
        if is_user_input(info) and (found := problem(value)):
            raise ValueError(found)
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class Choices:
    """Marks a :func:`choice` field with the values it allows, for forms that offer them."""

    allowed: tuple[str, ...]


def choice(*allowed: str, case_insensitive: bool = False) -> Any:
    """A string that, from a user, must be one of ``allowed``; from a server, anything goes."""
    folded = {a.lower() if case_insensitive else a for a in allowed}

    def problem(value: str) -> str | None:
        if (value.lower() if case_insensitive else value) in folded:
            return None
        return f"must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}"

    return Annotated[str, user_rule(problem), Choices(allowed)]


def plain_text(limit: int) -> Any:
    """A string that, from a user, is printable text (no control character) of at most ``limit`` characters."""
    return Annotated[str, user_rule(functools.partial(plain_text_problem, limit=limit))]


Url = Annotated[str, user_rule(url_problem)]
"""A URL field of user input: http(s) only, with a host and a valid port (see :func:`url_problem`)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with user input: where (a path into the JSON) and what, in words."""

    path: tuple[int | str, ...]
    message: str

    @property
    def where(self) -> str:
        """The path as people read it: ``config.served_entities[0].external_model.name``."""
        return _json_path(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.path else self.message


def problems_of(err: ValidationError) -> list[Problem]:
    """Pydantic's report as problems, with the domain's wording and JSON paths (validator steps left out)."""
    problems = []
    for item in err.errors(include_url=False):
        msg = str(item["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if item["type"] == "missing":
            msg = "is required"
        elif item["type"] == "model_type":
            msg = "must be a JSON object"
        path = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        problems.append(Problem(path, msg))
    return problems


def format_validation_error(err: ValidationError, what: str) -> str:
    """Turn pydantic's report into one readable line per problem, naming the JSON path."""
    problems = problems_of(err)
    lines = [str(problem) for problem in problems[:5]]
    if len(problems) > 5:
        lines.append(f"... and {len(problems) - 5} more")
    return f"Invalid {what}: " + "; ".join(lines)


def check_user_input(model: type[M], data: Any) -> tuple[M | None, list[Problem]]:
    """The model ``data`` gives, or None and every problem with it: what a form or an editor shows next
    to each field as the user types (the same rules :func:`parse_user_input` applies)."""
    if not isinstance(data, dict):
        return None, [Problem((), f"expected a JSON object, got {type(data).__name__}")]
    if problem := json_problem(data):
        return None, [Problem((), problem)]
    try:
        return model.model_validate(data, context=USER_INPUT), []
    except ValidationError as err:
        return None, problems_of(err)


def _json_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_user_input(model: type[M], data: Any, what: str) -> M:
    """Validate data a person gave; any problem becomes INVALID_PARAMETER_VALUE."""
    if not isinstance(data, dict):
        raise InvalidParameterValue(f"Invalid {what}: expected a JSON object, got {type(data).__name__}")
    if problem := json_problem(data):
        raise InvalidParameterValue(f"Invalid {what}: {problem}")
    try:
        return model.model_validate(data, context=USER_INPUT)
    except ValidationError as err:
        raise InvalidParameterValue(format_validation_error(err, what)) from None


def parse_stored(model: type[M], data: Any) -> M:
    """Read data we stored or a server sent: lenient, unknown fields kept."""
    return model.model_validate(data)
