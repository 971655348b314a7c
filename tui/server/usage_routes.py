"""Switchboard-only routes: usage and rate-limit status, which Databricks does not report over REST.

Under ``/api/2.0/switchboard/`` so they can never collide with a Databricks route; on a real workspace
they answer 404 ENDPOINT_NOT_FOUND, which the Databricks backend reads as "not reported there".

* ``GET /api/2.0/switchboard/usage[?endpoint=NAME][&since_minute=N]`` → ``{"usage": [row, ...]}``, each
  row the fields of :class:`~tui.workspace.usage.UsageRow` (``minute`` in epoch minutes), oldest first.
  A caller sees its own rows; an admin token sees every user's.
* ``GET /api/2.0/switchboard/serving-endpoints/{name}/rate-limit-status`` → ``{"rate_limit_status":
  [status, ...]}``, each the fields of :class:`~tui.workspace.usage.LimitStatus`: the endpoint's limits
  that apply to the caller, with its use this minute.
"""

from __future__ import annotations

import asyncio
import dataclasses

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.domain.errors import InvalidParameterValue
from tui.server.io import workspace_of
from tui.server.middleware import caller

PREFIX = "/api/2.0/switchboard"


async def usage(request: Request) -> JSONResponse:
    endpoint = request.query_params.get("endpoint")
    since = request.query_params.get("since_minute", "0")
    if not since.isdigit():
        raise InvalidParameterValue(f"'since_minute' must be a whole number of epoch minutes, not '{since}'")
    rows = await asyncio.to_thread(workspace_of(request).usage.rows, endpoint, since_minute=int(since))
    identity = caller(request)
    visible = [r for r in rows if identity.admin or r.user == identity.user]
    return JSONResponse({"usage": [dataclasses.asdict(r) for r in visible]})


async def rate_limit_status(request: Request) -> JSONResponse:
    statuses = await workspace_of(request).rate_limit_status(request.path_params["name"])
    return JSONResponse({"rate_limit_status": statuses})


ROUTES = [
    Route(f"{PREFIX}/usage", usage, methods=["GET"]),
    Route(f"{PREFIX}/serving-endpoints/{{name}}/rate-limit-status", rate_limit_status, methods=["GET"]),
]
