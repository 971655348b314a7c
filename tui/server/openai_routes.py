"""The OpenAI-compatible routes under ``/serving-endpoints``: ``model`` names the endpoint to query.

What the ``openai`` SDK sends with ``base_url=<server>/serving-endpoints``; the rest of the body is the query.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tui.domain.errors import InvalidParameterValue
from tui.server.invocations_routes import QueryBody, answer
from tui.server.io import read_body
from tui.server.paths import both


async def openai_call(request: Request) -> Response:
    body = dict((await read_body(request, "request", QueryBody)).root)
    model = body.pop("model", None)
    if not isinstance(model, str) or not model.strip():
        raise InvalidParameterValue("Missing 'model': give the name of the serving endpoint to query")
    return await answer(request, model, body)


ROUTES: list[Route] = [
    route
    for path in ("chat/completions", "completions", "embeddings")
    for route in both(f"/serving-endpoints/{path}", openai_call, ["POST"])
]
