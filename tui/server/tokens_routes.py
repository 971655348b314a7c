"""``/api/2.0/token/*`` (the caller's own tokens) and ``/api/2.0/token-management/*`` (an admin's view of all).

Shapes as Databricks answers them (``TokensAPI`` and ``TokenManagementAPI`` of the SDK). Who may do what:

* every caller creates, lists and deletes **its own** tokens through ``/token/*``; a token made there
  is never an admin token, whoever asks;
* only a caller with an **admin token** (``switchboard tokens create --user NAME --admin``, made by
  whoever can write the workspace file) uses ``/token-management/*``: list every token, get or delete
  any, and create one for another user with ``POST /token-management/on-behalf-of/tokens``, whose
  ``application_id`` here is that user's name (Databricks takes a service principal's application id).
  Anyone else gets 403 PERMISSION_DENIED, so no one mints a token as someone else or revokes theirs.

A token's value appears only in the answer that creates it; deleting someone else's token through
``/token/delete`` reads as "does not exist", telling nothing of other users' tokens.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.domain.base import DatabricksModel
from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist, SwitchboardError
from tui.server.io import read_body, workspace_of
from tui.server.middleware import caller
from tui.server.scim_routes import user_id
from tui.workspace.tokens import TokenInfo, no_such_token

TOKEN = "/api/2.0/token"
MANAGEMENT = "/api/2.0/token-management"


class PermissionDenied(SwitchboardError):
    error_code = "PERMISSION_DENIED"
    http_status = 403


class CreateTokenRequest(DatabricksModel):
    comment: str | None = None
    lifetime_seconds: int | None = None


class OnBehalfOfRequest(CreateTokenRequest):
    application_id: str


class DeleteTokenRequest(DatabricksModel):
    token_id: str


def _public(info: TokenInfo) -> dict[str, Any]:
    """A token as ``/token/*`` shows it to its own user (``PublicTokenInfo``)."""
    return {
        "token_id": info.token_id,
        "creation_time": info.creation_time,
        "expiry_time": info.expiry_time,
        "comment": info.comment,
    }


def _managed(info: TokenInfo) -> dict[str, Any]:
    """A token as ``/token-management/*`` shows it to an admin (``TokenInfo``): with whose it is."""
    owner = user_id(info.user)
    return {**_public(info), "created_by_username": info.user, "created_by_id": owner, "owner_id": owner}


def _admin_only(request: Request, what: str) -> None:
    if not caller(request).admin:
        raise PermissionDenied(
            f"Only an admin token may {what}; this token is not one "
            "(an admin token is made on the server with `switchboard tokens create --user NAME --admin`)"
        )


async def _find(request: Request, token_id: str) -> TokenInfo | None:
    return next((t for t in await workspace_of(request).tokens.list() if t.token_id == token_id), None)


# -- the caller's own tokens
async def create_own(request: Request) -> JSONResponse:
    body = await read_body(request, "token", CreateTokenRequest)
    new = await workspace_of(request).tokens.create(
        caller(request).user, comment=body.comment or "", lifetime_seconds=body.lifetime_seconds
    )
    return JSONResponse({"token_value": new.token_value, "token_info": _public(new.token_info)})


async def list_own(request: Request) -> JSONResponse:
    user = caller(request).user
    tokens = await workspace_of(request).tokens.list()
    return JSONResponse({"token_infos": [_public(t) for t in tokens if t.user == user]})


async def delete_own(request: Request) -> JSONResponse:
    body = await read_body(request, "token", DeleteTokenRequest)
    found = await _find(request, body.token_id)
    if found is None or found.user != caller(request).user:
        raise ResourceDoesNotExist(no_such_token(body.token_id))
    await workspace_of(request).tokens.revoke(body.token_id)
    return JSONResponse({})


# -- every token, for admins
async def list_all(request: Request) -> JSONResponse:
    _admin_only(request, "list every user's tokens")
    by_name = request.query_params.get("created_by_username")
    by_id = request.query_params.get("created_by_id")
    if by_id is not None and not by_id.isdigit():
        raise InvalidParameterValue(f"'created_by_id' must be a user's numeric id, not '{by_id}'")
    tokens = [
        t
        for t in await workspace_of(request).tokens.list()
        if (by_name is None or t.user == by_name) and (by_id is None or user_id(t.user) == int(by_id))
    ]
    return JSONResponse({"token_infos": [_managed(t) for t in tokens]})


async def get_one(request: Request) -> JSONResponse:
    _admin_only(request, "read another user's token")
    token_id = request.path_params["token_id"]
    found = await _find(request, token_id)
    if found is None:
        raise ResourceDoesNotExist(no_such_token(token_id))
    return JSONResponse({"token_info": _managed(found)})


async def delete_one(request: Request) -> JSONResponse:
    _admin_only(request, "revoke another user's token")
    await workspace_of(request).tokens.revoke(request.path_params["token_id"])
    return JSONResponse({})


async def create_on_behalf_of(request: Request) -> JSONResponse:
    _admin_only(request, "create a token for another user")
    body = await read_body(request, "token", OnBehalfOfRequest)
    new = await workspace_of(request).tokens.create(
        body.application_id, comment=body.comment or "", lifetime_seconds=body.lifetime_seconds
    )
    return JSONResponse({"token_value": new.token_value, "token_info": _managed(new.token_info)})


ROUTES = [
    Route(f"{TOKEN}/create", create_own, methods=["POST"]),
    Route(f"{TOKEN}/list", list_own, methods=["GET"]),
    Route(f"{TOKEN}/delete", delete_own, methods=["POST"]),
    Route(f"{MANAGEMENT}/tokens", list_all, methods=["GET"]),
    Route(f"{MANAGEMENT}/tokens/{{token_id}}", get_one, methods=["GET"]),
    Route(f"{MANAGEMENT}/tokens/{{token_id}}", delete_one, methods=["DELETE"]),
    Route(f"{MANAGEMENT}/on-behalf-of/tokens", create_on_behalf_of, methods=["POST"]),
]
