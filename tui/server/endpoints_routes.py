"""``/api/2.0/serving-endpoints``: create, list, get, delete and the partial updates, bodies as Databricks'."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimitsRequest
from tui.server.io import read_body, workspace_of
from tui.server.paths import both

PREFIX = "/api/2.0/serving-endpoints"


def _name(request: Request) -> str:
    return str(request.path_params["name"])


async def create(request: Request) -> JSONResponse:
    body = await read_body(request, "endpoint", CreateServingEndpoint)
    return JSONResponse((await workspace_of(request).create_endpoint(body)).to_json())


async def list_endpoints(request: Request) -> JSONResponse:
    endpoints = await workspace_of(request).list_endpoints()
    return JSONResponse({"endpoints": [e.to_json() for e in endpoints]})  # MLflow needs the key, even empty


async def get(request: Request) -> JSONResponse:
    return JSONResponse((await workspace_of(request).get_endpoint(_name(request))).to_json())


async def delete(request: Request) -> JSONResponse:
    await workspace_of(request).delete_endpoint(_name(request))
    return JSONResponse({})  # MLflow parses the answer as JSON


async def update_config(request: Request) -> JSONResponse:
    config = await read_body(request, "config", EndpointCoreConfigInput)
    return JSONResponse((await workspace_of(request).update_config(_name(request), config)).to_json())


async def put_rate_limits(request: Request) -> JSONResponse:
    body = await read_body(request, "rate limits", RateLimitsRequest)
    limits = await workspace_of(request).put_rate_limits(_name(request), body.rate_limits)
    return JSONResponse({"rate_limits": [r.to_json() for r in limits]})


async def put_ai_gateway(request: Request) -> JSONResponse:
    gateway = await read_body(request, "AI gateway config", AiGatewayConfig)
    return JSONResponse((await workspace_of(request).put_ai_gateway(_name(request), gateway)).to_json())


async def patch_tags(request: Request) -> JSONResponse:
    patch = await read_body(request, "tags patch", PatchTagsRequest)
    tags = await workspace_of(request).patch_tags(_name(request), patch)
    return JSONResponse({"tags": [t.to_json() for t in tags]})


ROUTES: list[Route] = [
    *both(PREFIX, create, ["POST"]),
    *both(PREFIX, list_endpoints, ["GET"]),
    *both(PREFIX + "/{name}", get, ["GET"]),
    *both(PREFIX + "/{name}", delete, ["DELETE"]),
    *both(PREFIX + "/{name}/config", update_config, ["PUT"]),
    *both(PREFIX + "/{name}/rate-limits", put_rate_limits, ["PUT"]),
    *both(PREFIX + "/{name}/ai-gateway", put_ai_gateway, ["PUT"]),
    *both(PREFIX + "/{name}/tags", patch_tags, ["PATCH"]),
]
