"""Name rules for scopes, secret keys, endpoints and served entities.

Databricks' rules, plus one of ours: a name must not start with '-', which a command line (ours or
the Databricks CLI) would read as an option, so the name could never be given as an argument.
"""

from __future__ import annotations

import re

from tui.domain.checks import text_problem
from tui.domain.errors import InvalidParameterValue

SCOPE_NAME_MAX = 128
SECRET_KEY_MAX = 128
ENDPOINT_NAME_MAX = 63
SECRET_VALUE_MAX_BYTES = 128 * 1024
SCOPES_PER_WORKSPACE_MAX = 1000
SECRETS_PER_SCOPE_MAX = 1000

_SCOPE_RE = re.compile(r"[A-Za-z0-9_.@-]+")
_KEY_RE = re.compile(r"[A-Za-z0-9_.-]+")
_ENDPOINT_RE = re.compile(r"[A-Za-z0-9_-]+")


def _problem(kind: str, value: str, pattern: re.Pattern[str], max_len: int, allowed: str) -> str | None:
    if not value:
        return f"{kind} must not be empty"
    if problem := text_problem(value, max_len):
        return f"{kind} {problem}"
    if not pattern.fullmatch(value):
        bad = sorted({c for c in value if not pattern.fullmatch(c)})
        shown = ", ".join(repr(c) for c in bad)
        return f"{kind} '{value}' contains {shown}; only {allowed} are allowed"
    if value.startswith("-"):
        return (
            f"{kind} '{value}' starts with '-', so a command line would take it for an option; "
            "start it with a letter or digit"
        )
    return None


def scope_name_problem(name: str) -> str | None:
    return _problem("Scope name", name, _SCOPE_RE, SCOPE_NAME_MAX, "letters, digits, '-', '_', '.' and '@'")


def secret_key_problem(key: str) -> str | None:
    return _problem("Secret key", key, _KEY_RE, SECRET_KEY_MAX, "letters, digits, '-', '_' and '.'")


def endpoint_name_problem(name: str, kind: str = "Endpoint name") -> str | None:
    return _problem(kind, name, _ENDPOINT_RE, ENDPOINT_NAME_MAX, "letters, digits, '-' and '_'")


def check_scope_name(name: str) -> None:
    if problem := scope_name_problem(name):
        raise InvalidParameterValue(problem)


def check_secret_key(key: str) -> None:
    if problem := secret_key_problem(key):
        raise InvalidParameterValue(problem)


def check_endpoint_name(name: str) -> None:
    if problem := endpoint_name_problem(name):
        raise InvalidParameterValue(problem)


def default_served_entity_name(model_name: str) -> str:
    """Databricks' default: the external model's name with '.' and ':' replaced by '-'."""
    return model_name.replace(".", "-").replace(":", "-")
