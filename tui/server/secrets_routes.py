"""``/api/2.0/secrets/...``: scopes and secrets, values in and never out; ACLs answered as not supported."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.domain.base import DatabricksModel, choice
from tui.domain.errors import InvalidParameterValue
from tui.server.errors import BadRequest, NotSupported
from tui.server.io import query_param, read_body, workspace_of
from tui.server.paths import both

PREFIX = "/api/2.0/secrets"


class CreateScopeRequest(DatabricksModel):
    scope: str
    initial_manage_principal: choice("users") | None = None  # type: ignore[valid-type]
    scope_backend_type: choice("DATABRICKS") | None = None  # type: ignore[valid-type]


class ScopeRequest(DatabricksModel):
    scope: str


class PutSecretRequest(DatabricksModel):
    scope: str
    key: str
    string_value: str | None = None
    bytes_value: str | None = None

    def value(self) -> bytes:
        """The bytes to store: exactly one of ``string_value`` (UTF-8) and ``bytes_value`` (base64), not empty."""
        if (self.string_value is None) == (self.bytes_value is None):
            raise InvalidParameterValue("Give exactly one of 'string_value' and 'bytes_value'")
        if self.bytes_value is not None:
            try:
                value = base64.b64decode(self.bytes_value, validate=True)
            except (binascii.Error, ValueError):
                raise InvalidParameterValue("'bytes_value' must be base64") from None
        else:
            value = (self.string_value or "").encode("utf-8")
        if not value:
            raise InvalidParameterValue("The secret value is empty; nothing was stored")
        return value


class SecretRequest(DatabricksModel):
    scope: str
    key: str


async def create_scope(request: Request) -> JSONResponse:
    body = await read_body(request, "scope", CreateScopeRequest)
    await workspace_of(request).create_scope(body.scope)
    return JSONResponse({})


async def delete_scope(request: Request) -> JSONResponse:
    body = await read_body(request, "scope", ScopeRequest)
    await workspace_of(request).delete_scope(body.scope)
    return JSONResponse({})


async def list_scopes(request: Request) -> JSONResponse:
    scopes = await workspace_of(request).list_scopes()
    return JSONResponse({"scopes": [s.to_json() for s in scopes]})


async def put_secret(request: Request) -> JSONResponse:
    body = await read_body(request, "secret", PutSecretRequest)
    await workspace_of(request).put_secret(body.scope, body.key, body.value())
    return JSONResponse({})


async def delete_secret(request: Request) -> JSONResponse:
    body = await read_body(request, "secret", SecretRequest)
    await workspace_of(request).delete_secret(body.scope, body.key)
    return JSONResponse({})


async def list_secrets(request: Request) -> JSONResponse:
    secrets = await workspace_of(request).list_secrets(query_param(request, "scope"))
    return JSONResponse({"secrets": [s.to_json() for s in secrets]})


async def get_secret(request: Request) -> Any:
    raise BadRequest("Secret values are write-only: they are never returned (keys and times: secrets/list)")


async def acls(request: Request) -> Any:
    raise NotSupported(
        "Secret ACLs are not supported by switchboard serve: every valid token can read and write every scope"
    )


ROUTES: list[Route] = [
    *both(f"{PREFIX}/scopes/create", create_scope, ["POST"]),
    *both(f"{PREFIX}/scopes/delete", delete_scope, ["POST"]),
    *both(f"{PREFIX}/scopes/list", list_scopes, ["GET"]),
    *both(f"{PREFIX}/put", put_secret, ["POST"]),
    *both(f"{PREFIX}/delete", delete_secret, ["POST"]),
    *both(f"{PREFIX}/list", list_secrets, ["GET"]),
    *both(f"{PREFIX}/get", get_secret, ["GET"]),
    *both(f"{PREFIX}/acls/put", acls, ["POST"]),
    *both(f"{PREFIX}/acls/delete", acls, ["POST"]),
    *both(f"{PREFIX}/acls/get", acls, ["GET"]),
    *both(f"{PREFIX}/acls/list", acls, ["GET"]),
]
