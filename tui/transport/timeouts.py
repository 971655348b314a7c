"""Transport timeouts: a plain value, importable without loading httpx."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``read`` bounds the wait for a response (and each read of it); ``idle`` bounds the
    silence between two events of a stream once it has started."""

    connect: float = 10.0
    read: float = 120.0
    idle: float = 60.0
