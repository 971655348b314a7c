"""A workspace whose endpoints point at a running provider simulator (the ``rig`` fixture's value)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.simulator import Simulator
from tui.simulator.dialects import RecordedRequest
from tui.simulator.endpoints import endpoint_body
from tui.workspace.local.workspace import LocalWorkspace


@dataclass
class Rig:
    sim: Simulator
    ws: LocalWorkspace

    @property
    def base(self) -> str:
        return self.sim.base_url

    def only_request(self) -> RecordedRequest:
        """The one request the simulator received (fails, naming them, when it got more or none)."""
        assert len(self.sim.requests) == 1, [r.path for r in self.sim.requests]
        return self.sim.requests[0]

    async def endpoint(self, flavour: str, task: str, **kwargs: Any) -> str:
        body = endpoint_body(self.base, flavour, task, **kwargs)
        await self.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        return str(body["name"])
