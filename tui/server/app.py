"""The Starlette app serving one workspace as the Databricks REST API (secrets, serving endpoints, tokens,
SCIM ``Me``), plus Switchboard's own usage routes under ``/api/2.0/switchboard/``."""

from __future__ import annotations

import hashlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.domain.errors import SwitchboardError
from tui.server import (
    endpoints_routes,
    invocations_routes,
    openai_routes,
    scim_routes,
    secrets_routes,
    tokens_routes,
    usage_routes,
)
from tui.server.errors import on_http_exception, on_switchboard_error
from tui.server.io import workspace_of
from tui.server.middleware import AccessLog, BearerAuth
from tui.workspace.protocol import Workspace


def create_app(workspace: Workspace) -> Starlette:
    """The ASGI app: every route but the host-metadata probe needs a bearer token of ``workspace.tokens``."""
    app = Starlette(
        routes=[
            # the query routes first: they are the calls that come by the thousand, and routes are tried in
            # order (no other route matches their paths, so the order changes nothing else)
            *openai_routes.ROUTES,  # before invocations: fixed paths first
            *invocations_routes.ROUTES,
            Route("/.well-known/databricks-config", host_metadata, methods=["GET"]),
            *secrets_routes.ROUTES,
            *tokens_routes.ROUTES,
            *scim_routes.ROUTES,
            *usage_routes.ROUTES,
            *endpoints_routes.ROUTES,
        ],
        middleware=[Middleware(AccessLog), Middleware(BearerAuth, workspace=workspace)],
        exception_handlers={SwitchboardError: on_switchboard_error, HTTPException: on_http_exception},
    )
    app.state.workspace = workspace
    return app


async def host_metadata(request: Request) -> JSONResponse:
    """What the Databricks SDK probes when a client is built: a stable numeric workspace id, no OIDC (tokens only).

    Answering (rather than 404) spares MLflow and SDK users a warning on every call.
    """
    digest = hashlib.sha256(workspace_of(request).label.encode("utf-8", "surrogatepass")).digest()
    return JSONResponse({"workspace_id": str(int.from_bytes(digest[:6], "big")), "oidc_endpoint": ""})
