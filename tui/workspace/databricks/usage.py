"""Usage and rate-limit status through ``switchboard serve``'s own routes (``/api/2.0/switchboard/...``).

Databricks reports neither over REST; on a real workspace those routes answer 404 ENDPOINT_NOT_FOUND,
and each read here then says plainly that the workspace does not report it (never an empty answer that
would pass for zero use).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from tui.domain.errors import SwitchboardError
from tui.workspace.databricks.rest import RestClient
from tui.workspace.usage import LimitStatus, UsageRow

PREFIX = "/api/2.0/switchboard"


class NotReported(SwitchboardError):
    """The workspace has no such report (a real Databricks workspace: only ``switchboard serve`` has it)."""

    error_code = "NOT_IMPLEMENTED"
    http_status = 501


@contextmanager
def _reported(host: str, what: str) -> Iterator[None]:
    try:
        yield
    except SwitchboardError as err:
        if err.error_code == "ENDPOINT_NOT_FOUND":  # no such route: not a switchboard serve
            raise NotReported(
                f"The Databricks workspace at {host} does not report {what} over its API "
                "(only switchboard serve does); see the workspace's own usage tables instead"
            ) from None
        raise


class RemoteUsage:
    """The :class:`~tui.workspace.usage.Usage` of the server: the caller's rows (an admin's: everyone's)."""

    def __init__(self, rest: RestClient) -> None:
        self._rest = rest

    def rows(self, endpoint: str | None = None, *, since_minute: int = 0) -> list[UsageRow]:
        params = {"since_minute": str(since_minute)}
        if endpoint is not None:
            params["endpoint"] = endpoint
        with _reported(self._rest.host, "usage"):
            answer = self._rest.call_sync("GET", f"{PREFIX}/usage", params=params)
        return [_row(item) for item in _items(answer, "usage")]


async def rate_limit_status(rest: RestClient, name: str) -> list[LimitStatus]:
    """The server's status of the limits of endpoint ``name`` that apply to the caller."""
    with _reported(rest.host, "how much of a rate limit is used"):
        answer = await rest.call("GET", f"{PREFIX}/serving-endpoints/{quote(name, safe='')}/rate-limit-status")
    return [_status(item) for item in _items(answer, "rate_limit_status")]


def _items(answer: Any, key: str) -> list[dict[str, Any]]:
    items = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise SwitchboardError(f"The server's {key} answer is not a list of objects")
    return items


def _row(item: dict[str, Any]) -> UsageRow:
    try:
        return UsageRow(
            endpoint=str(item["endpoint"]),
            served_entity=str(item["served_entity"]),
            user=str(item["user"]),
            minute=int(item["minute"]),
            calls=int(item["calls"]),
            errors=int(item["errors"]),
            prompt_tokens=int(item["prompt_tokens"]),
            completion_tokens=int(item["completion_tokens"]),
        )
    except (KeyError, TypeError, ValueError):
        raise SwitchboardError("The server's usage answer has a row without its fields") from None


def _status(item: dict[str, Any]) -> LimitStatus:
    try:
        return LimitStatus(
            label=str(item["label"]),
            calls=int(item["calls"]),
            calls_limit=_limit(item.get("calls_limit")),
            tokens=int(item["tokens"]),
            tokens_limit=_limit(item.get("tokens_limit")),
        )
    except (KeyError, TypeError, ValueError):
        raise SwitchboardError("The server's rate-limit status has an entry without its fields") from None


def _limit(value: Any) -> int | None:
    return None if value is None else int(value)
