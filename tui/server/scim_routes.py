"""``GET /api/2.0/preview/scim/v2/Me``: who the caller's token stands for, as Databricks' SCIM answers it.

The Databricks backend and the SDK's ``current_user.me()`` ask it to learn the token's user. Ids are
stable numbers made from the name (Databricks ids are numeric strings). Every user is in ``users``; a
caller with an admin token is also in ``admins``, the group a Databricks workspace makes its admins by,
so clients tell an admin the same way on both.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tui.server.middleware import caller

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ADMINS = "admins"
USERS = "users"


def numeric_id(kind: str, name: str) -> int:
    """A stable positive 47-bit number for the user or group ``name`` (fits Databricks' int64 fields)."""
    digest = hashlib.sha256(f"{kind}:{name}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:6], "big") >> 1 or 1


def user_id(name: str) -> int:
    return numeric_id("user", name)


async def me(request: Request) -> JSONResponse:
    identity = caller(request)
    groups = [USERS, ADMINS] if identity.admin else [USERS]
    return JSONResponse(
        {
            "schemas": [USER_SCHEMA],
            "id": str(user_id(identity.user)),
            "userName": identity.user,
            "displayName": identity.user,
            "active": True,
            "groups": [{"display": group, "value": str(numeric_id("group", group))} for group in groups],
        }
    )


ROUTES = [Route("/api/2.0/preview/scim/v2/Me", me, methods=["GET"])]
