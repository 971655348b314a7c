"""Routes answered with and without a trailing slash (MLflow adds one, the SDK does not)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import Route


def both(path: str, endpoint: Callable[[Request], Awaitable[Any]], methods: list[str]) -> list[Route]:
    """``path`` and ``path/``, for ``methods``."""
    return [Route(path, endpoint, methods=methods), Route(path + "/", endpoint, methods=methods)]
