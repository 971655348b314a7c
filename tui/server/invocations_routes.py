"""``/serving-endpoints/{name}/invocations``: a query, answered as JSON or, with ``"stream": true``, as SSE.

Calls are made as the token's user (:func:`~tui.server.io.workspace_of`), so per-user limits and usage count for them.
"""

from __future__ import annotations

from typing import Any

from pydantic import RootModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tui.server.io import read_body, workspace_of
from tui.server.paths import both
from tui.server.streaming import sse_response


class QueryBody(RootModel[dict[str, Any]]):
    """Any JSON object: the endpoint's task decides what it must hold (the workspace checks it)."""


async def answer(request: Request, name: str, body: dict[str, Any]) -> Response:
    """The JSON answer, or the SSE stream when the body asks for one."""
    workspace = workspace_of(request)
    if body.get("stream") is True:
        return await sse_response(workspace.stream(name, body))
    return JSONResponse(await workspace.query(name, body))


async def invocations(request: Request) -> Response:
    body = (await read_body(request, "request", QueryBody)).root
    return await answer(request, str(request.path_params["name"]), body)


ROUTES: list[Route] = both("/serving-endpoints/{name}/invocations", invocations, ["POST"])
