"""Access tokens for ``switchboard serve``: each maps a bearer token to the user it calls as.

Shapes follow the Databricks Token API (``/api/2.0/token/create``, ``/list``, ``/delete``): a new
token's value is handed out once (``token_value``) next to its ``token_info``; afterwards only the
info is ever shown. Times are epoch milliseconds, ``expiry_time`` is -1 for a token that never
expires. A backend keeps no value, only what proves one (a hash).

An *admin* token (``switchboard tokens create --admin``, made only by whoever can write the workspace
file) may also manage other users' tokens through ``switchboard serve``; every other token acts for
its own user only, so no one can mint a token as someone else and escape their per-user rate limits.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Protocol

from tui.domain.checks import plain_text_problem
from tui.domain.errors import InvalidParameterValue

TOKEN_PREFIX = "sb-"
"""Starts every token value, so a leaked one is recognisable (and never mistaken for a token id)."""
USER_NAME_MAX = 256
COMMENT_MAX = 1024
LIFETIME_MAX_SECONDS = 100 * 366 * 24 * 3600
"""A century: longer than any use, short enough that the expiry stays a sane timestamp."""
NEVER = -1
"""``expiry_time`` of a token without a lifetime."""
VALUE_PREFIXES = (TOKEN_PREFIX, "dapi")
"""How token values start here and on Databricks: such a string given as a token id is a mistake."""


@dataclass(frozen=True)
class Identity:
    """Who a token stands for, and whether it may manage other users' tokens."""

    user: str
    admin: bool = False


@dataclass(frozen=True)
class TokenInfo:
    """What is known of a token apart from its value: safe to list and print."""

    token_id: str
    user: str
    comment: str
    creation_time: int  # epoch ms
    expiry_time: int  # epoch ms, or NEVER
    admin: bool = False
    """The token itself grants admin rights (a ``switchboard serve`` token made with ``--admin``).
    A Databricks token never does: there a user is an admin by the workspace's ``admins`` group."""

    def to_json(self) -> dict[str, Any]:
        return {
            "token_id": self.token_id,
            "user": self.user,
            "comment": self.comment,
            "creation_time": self.creation_time,
            "expiry_time": self.expiry_time,
            "admin": self.admin,
        }


@dataclass(frozen=True)
class NewToken:
    """A token just created: the only time its value exists outside the caller's hands."""

    token_value: str
    token_info: TokenInfo

    def to_json(self) -> dict[str, Any]:
        return {"token_value": self.token_value, "token_info": self.token_info.to_json()}


class Tokens(Protocol):
    """Create, list and revoke tokens, and tell who a presented token belongs to.

    ``now`` (epoch seconds) stands for the clock, so expiry can be checked at a chosen moment; by
    default it is the current time. Errors are :class:`~tui.domain.errors.SwitchboardError`s with
    Databricks codes (INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST) and never quote a token value.
    """

    async def create(
        self,
        user: str,
        *,
        comment: str = "",
        lifetime_seconds: int | None = None,
        admin: bool = False,
        now: float | None = None,
    ) -> NewToken:
        """A new token for ``user``; without ``lifetime_seconds`` it never expires. ``admin``: it may
        manage every user's tokens (see the module's docstring)."""
        ...

    async def list(self) -> builtins.list[TokenInfo]:
        """Every token's info (never a value or hash), oldest first."""
        ...

    async def revoke(self, token_id: str) -> None: ...

    async def identify(self, value: str, *, now: float | None = None) -> Identity | None:
        """Who the token ``value`` stands for when it exists and has not expired, else None."""
        ...

    async def authenticate(self, value: str, *, now: float | None = None) -> str | None:
        """The user of the token ``value`` when it exists and has not expired, else None."""
        ...


def check_token_request(user: str, comment: str, lifetime_seconds: int | None) -> None:
    """Refuse an empty or unprintable user, an unprintable comment, a lifetime that is not positive."""
    if not user.strip():
        raise InvalidParameterValue("The token's user must not be empty")
    if problem := plain_text_problem(user, USER_NAME_MAX):
        raise InvalidParameterValue(f"The token's user {problem}")
    if any(c.isspace() and c != " " for c in user):  # the user is written in one log line per request
        raise InvalidParameterValue("The token's user contains a tab or line break; it must be one line")
    if user != user.strip():
        raise InvalidParameterValue("The token's user must not start or end with a space")
    if problem := plain_text_problem(comment, COMMENT_MAX):
        raise InvalidParameterValue(f"The token's comment {problem}")
    if not _valid_lifetime(lifetime_seconds):
        raise InvalidParameterValue(
            f"The token's lifetime must be a whole number of seconds from 1 to {LIFETIME_MAX_SECONDS:,}, "
            f"not {lifetime_seconds}; leave it out for a token that never expires"
        )


def _valid_lifetime(lifetime_seconds: int | None) -> bool:
    return lifetime_seconds is None or (
        type(lifetime_seconds) is int and 1 <= lifetime_seconds <= LIFETIME_MAX_SECONDS  # not a bool
    )


def no_such_token(token_id: str) -> str:
    """The refusal of an unknown id; a token's value given by mistake is never repeated back."""
    if token_id.startswith(VALUE_PREFIXES):
        return "That is a token's value, not its id (the token list shows the ids); nothing was revoked"
    return f"Token '{token_id}' does not exist"
