"""The base of every model of the Databricks JSON, and how user input differs from server data.

One set of models serves two readers:

* data **from a user** (CLI ``--json``, the app's editor, a request to ``switchboard serve``) is
  parsed with :func:`parse_user_input`: unknown fields are typos and are rejected (with a
  "did you mean" hint), enum values and cross-field rules are checked;
* data **from a server or our own store** is parsed with :func:`parse_stored`: unknown fields are
  kept (``extra="allow"``) and values are taken as they are, so a newer server never breaks us.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, ValidationInfo, model_validator

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

    def to_json(self) -> dict[str, Any]:
        """The JSON object as Databricks spells it: fields left unset are omitted."""
        return self.model_dump(mode="json", exclude_none=True)


def _unknown_field_message(field: str, known: set[str]) -> str:
    close = difflib.get_close_matches(field, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(sorted(known))})"
    return f"unknown field '{field}'{hint}"


def choice(*allowed: str, case_insensitive: bool = False) -> Any:
    """A string that, from a user, must be one of ``allowed``; from a server, anything goes."""
    folded = {a.lower(): a for a in allowed}

    def check(value: str, info: ValidationInfo) -> str:
        if not is_user_input(info):
            return value
        if value in allowed:
            return value
        if case_insensitive and value.lower() in folded:
            return value
        raise ValueError(f"must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}")

    return Annotated[str, AfterValidator(check)]


def format_validation_error(err: ValidationError, what: str) -> str:
    """Turn pydantic's report into one readable line per problem, naming the JSON path."""
    lines = []
    for item in err.errors(include_url=False)[:5]:
        path = _json_path(item["loc"])
        msg = str(item["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if item["type"] == "missing":
            msg = "is required"
        elif item["type"] == "model_type":
            msg = "must be a JSON object"
        lines.append(f"{path}: {msg}" if path else msg)
    extra = len(err.errors()) - len(lines)
    if extra > 0:
        lines.append(f"... and {extra} more")
    return f"Invalid {what}: " + "; ".join(lines)


def _json_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_user_input(model: type[M], data: Any, what: str) -> M:
    """Validate data a person gave; any problem becomes INVALID_PARAMETER_VALUE."""
    if not isinstance(data, dict):
        raise InvalidParameterValue(f"Invalid {what}: expected a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data, context=USER_INPUT)
    except ValidationError as err:
        raise InvalidParameterValue(format_validation_error(err, what)) from None


def parse_stored(model: type[M], data: Any) -> M:
    """Read data we stored or a server sent: lenient, unknown fields kept."""
    return model.model_validate(data)
