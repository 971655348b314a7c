"""A loopback simulator of LLM provider APIs, for tests and demos without network or keys.

It speaks OpenAI (and OpenAI-compatible servers), Azure OpenAI with its Entra ID token endpoint, Anthropic and
Databricks model serving, with deterministic generated text, controllable timing and injectable faults::

    async with Simulator(api_key="sim-key") as sim:
        ...  # point a client at sim.base_url

The server's runtime code uses only the standard library; :mod:`tui.simulator.endpoints` writes create bodies
for endpoints it serves (for the demo, the screenshots and the tests), :mod:`tui.simulator.process` runs it
in a child process. The names below are loaded on first use, so that those two load none of the server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

DEFAULT_API_KEY = "sim-key"
"""The key a simulator wants unless it is started with another."""

if TYPE_CHECKING:
    from tui.simulator.dialects.base import RecordedRequest
    from tui.simulator.knobs import KnobError, Knobs
    from tui.simulator.server import Simulator, serve_forever

_LAZY = {
    "RecordedRequest": "tui.simulator.dialects.base",
    "KnobError": "tui.simulator.knobs",
    "Knobs": "tui.simulator.knobs",
    "Simulator": "tui.simulator.server",
    "serve_forever": "tui.simulator.server",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = ["DEFAULT_API_KEY", "KnobError", "Knobs", "RecordedRequest", "Simulator", "serve_forever"]
