"""What a workspace reports about use: limit status for the app's meters, usage rows for summaries.

Usage is recorded where the calls are made, on this machine, so reading it is a plain synchronous
file call like history (callers on an event loop run it in a thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypedDict


class LimitStatus(TypedDict):
    """One rate limit that applies to the current user on one endpoint, and its use this minute."""

    label: str
    calls: int
    calls_limit: int | None
    tokens: int
    tokens_limit: int | None


@dataclass(frozen=True)
class UsageRow:
    """Calls, errors and tokens of one user on one served entity of one endpoint in one minute."""

    endpoint: str
    served_entity: str
    user: str
    minute: int  # epoch minute
    calls: int
    errors: int
    prompt_tokens: int
    completion_tokens: int


class Usage(Protocol):
    def rows(self, endpoint: str | None = None, *, since_minute: int = 0) -> list[UsageRow]:
        """Rows from ``since_minute`` on (of one endpoint, or all), oldest minute first."""
        ...
