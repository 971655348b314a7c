"""A loopback simulator of LLM provider APIs, for tests and demos without network or keys.

It speaks OpenAI (and OpenAI-compatible servers), Azure OpenAI with its Entra ID token endpoint, Anthropic and
Databricks model serving, with deterministic generated text, controllable timing and injectable faults::

    async with Simulator(api_key="sim-key") as sim:
        ...  # point a client at sim.base_url

The server's runtime code uses only the standard library; :mod:`tui.simulator.endpoints` writes create bodies
for endpoints it serves (for the demo, the screenshots and the tests).
"""

from __future__ import annotations

from tui.simulator.dialects.base import RecordedRequest
from tui.simulator.knobs import KnobError, Knobs
from tui.simulator.server import DEFAULT_API_KEY, Simulator, serve_forever

__all__ = ["DEFAULT_API_KEY", "KnobError", "Knobs", "RecordedRequest", "Simulator", "serve_forever"]
