"""The tag that marks an endpoint as served by the provider simulator (``switchboard --demo``).

Kept apart from ``tui.app.demo`` so screens can show the mark without importing the simulator.
"""

from __future__ import annotations

from typing import Any

SIMULATED_TAG = {"key": "simulated", "value": "true"}


def is_simulated(tags: list[Any] | None) -> bool:
    """Whether an endpoint's tags hold the ``simulated`` tag."""
    return any(getattr(t, "key", None) == SIMULATED_TAG["key"] for t in tags or [])
