"""A Databricks workspace (or ``switchboard serve``) as a :class:`~tui.workspace.protocol.Workspace`.

Secrets, serving endpoints and tokens live on the server and are reached through its REST API; what
Databricks has no place for stays on this machine: history in a local file per profile. Usage and
rate-limit status come from ``switchboard serve``'s own routes; a real Databricks workspace does not
report them, and reading them there says so. The token's user is asked of the server (SCIM ``Me``)
the first time it is needed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tui.domain.base import parse_stored
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, ServingEndpointDetailed
from tui.domain.errors import InvalidParameterValue, SwitchboardError
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit, Tag
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.locations import data_dir
from tui.transport.timeouts import Timeouts
from tui.workspace.databricks.local_only import refuse_local_only
from tui.workspace.databricks.me import CurrentUser
from tui.workspace.databricks.rest import RestClient
from tui.workspace.databricks.tokens import RemoteTokens
from tui.workspace.databricks.usage import RemoteUsage, rate_limit_status
from tui.workspace.local.history_repo import HistoryRepo
from tui.workspace.local.store import Store
from tui.workspace.usage import LimitStatus

SECRETS = "/api/2.0/secrets"
UNKNOWN_USER = "?"
"""The user while the server has not said whose the token is."""
ENDPOINTS = "/api/2.0/serving-endpoints"


def history_path(profile: str) -> Path:
    """The local file keeping the history of ``profile`` (its name made safe for a file name)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "_"
    return data_dir() / "databricks" / f"{safe}.db"


class DatabricksWorkspace:
    """The workspace at ``host`` reached with the personal access token ``token`` of ``profile``.

    ``history`` defaults to the profile's file under the data dir. Who the token stands for is asked of
    the server once, when first needed (:attr:`user`, tokens, acting as a user).
    """

    def __init__(
        self,
        host: str,
        token: str,
        *,
        profile: str = "DEFAULT",
        history: Path | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        self.host = host.rstrip("/")
        path = history or history_path(profile)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # history holds prompts and answers
        self._store = Store(path)  # first: a file that cannot be opened leaves no client to close
        self.rest = RestClient(self.host, token, timeouts)
        self.history = HistoryRepo(self._store)
        self.usage = RemoteUsage(self.rest)
        self._me = CurrentUser(self.rest, profile)
        self.tokens = RemoteTokens(self.rest, self._me)
        self._is_view = False

    @property
    def user(self) -> str:
        """The token's user, asked of the server the first time it is read off an event loop.

        Until it is known it reads :data:`UNKNOWN_USER`: on an event loop, which never waits for the network
        (:meth:`warm_up` in a thread, or any token call, learns it there), and while the server refuses the
        token (a header must not fail; the calls that need the user, and every other call, say why).
        """
        known = self._me.known
        if known is not None:
            return known.user
        if _on_event_loop():
            return UNKNOWN_USER
        try:
            return self._me.get_sync().user
        except SwitchboardError:
            return UNKNOWN_USER

    def as_user(self, user: str) -> DatabricksWorkspace:
        """A view that closes nothing; only the token's own user, since the token decides who calls."""
        if user != self.user:
            raise InvalidParameterValue(
                f"A Databricks workspace acts as the user of its token ({self.user}), not as '{user}'"
            )
        view = copy.copy(self)
        view._is_view = True
        return view

    @property
    def label(self) -> str:
        return self.host

    # -- secrets
    async def list_scopes(self) -> list[SecretScope]:
        answer = await self.rest.call("GET", f"{SECRETS}/scopes/list")
        return [parse_stored(SecretScope, s) for s in answer.get("scopes") or []]

    async def create_scope(self, scope: str) -> None:
        await self.rest.call("POST", f"{SECRETS}/scopes/create", body={"scope": scope})

    async def delete_scope(self, scope: str) -> None:
        await self.rest.call("POST", f"{SECRETS}/scopes/delete", body={"scope": scope})

    async def put_secret(self, scope: str, key: str, value: bytes) -> None:
        encoded = base64.b64encode(value).decode("ascii")
        await self.rest.call("POST", f"{SECRETS}/put", body={"scope": scope, "key": key, "bytes_value": encoded})

    async def list_secrets(self, scope: str) -> list[SecretMetadata]:
        answer = await self.rest.call("GET", f"{SECRETS}/list", params={"scope": scope})
        return [parse_stored(SecretMetadata, s) for s in answer.get("secrets") or []]

    async def delete_secret(self, scope: str, key: str) -> None:
        await self.rest.call("POST", f"{SECRETS}/delete", body={"scope": scope, "key": key})

    # -- endpoints
    async def list_endpoints(self) -> list[ServingEndpointDetailed]:
        answer = await self.rest.call("GET", ENDPOINTS)
        return [parse_stored(ServingEndpointDetailed, e) for e in answer.get("endpoints") or []]

    async def get_endpoint(self, name: str) -> ServingEndpointDetailed:
        return parse_stored(ServingEndpointDetailed, await self.rest.call("GET", _endpoint(name)))

    async def create_endpoint(self, request: CreateServingEndpoint) -> ServingEndpointDetailed:
        refuse_local_only(request.config)
        answer = await self.rest.call("POST", ENDPOINTS, body=request.to_json())
        return parse_stored(ServingEndpointDetailed, answer)

    async def update_config(self, name: str, config: EndpointCoreConfigInput) -> ServingEndpointDetailed:
        refuse_local_only(config)
        answer = await self.rest.call("PUT", _endpoint(name, "config"), body=config.to_json())
        return parse_stored(ServingEndpointDetailed, answer)

    async def put_rate_limits(self, name: str, rate_limits: list[RateLimit]) -> list[RateLimit]:
        body = {"rate_limits": [r.to_json() for r in rate_limits]}
        answer = await self.rest.call("PUT", _endpoint(name, "rate-limits"), body=body)
        return [parse_stored(RateLimit, r) for r in answer.get("rate_limits") or []]

    async def put_ai_gateway(self, name: str, gateway: AiGatewayConfig) -> AiGatewayConfig:
        answer = await self.rest.call("PUT", _endpoint(name, "ai-gateway"), body=gateway.to_json())
        return parse_stored(AiGatewayConfig, answer)

    async def patch_tags(self, name: str, patch: PatchTagsRequest) -> list[Tag]:
        answer = await self.rest.call("PATCH", _endpoint(name, "tags"), body=patch.to_json())
        return [parse_stored(Tag, t) for t in answer.get("tags") or []]

    async def delete_endpoint(self, name: str) -> None:
        await self.rest.call("DELETE", _endpoint(name))

    # -- invocation
    async def query(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = await self.rest.call("POST", _invocations(name), body=_without_stream(request))
        return answer

    def stream(self, name: str, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        return self.rest.stream(_invocations(name), {**request, "stream": True})

    async def rate_limit_status(self, name: str) -> list[LimitStatus]:
        """The server's count for :attr:`user` (``switchboard serve``); a Databricks workspace does not
        report it, and this says so (NOT_IMPLEMENTED) rather than show a use of 0."""
        _endpoint(name)  # a name that is no path segment is refused before sending
        return await rate_limit_status(self.rest, name)

    def warm_up(self) -> None:
        """Learn the token's user now (blocking; run in a thread), so :attr:`user` is known on the event loop.
        A refused token is left for the calls to report."""
        with contextlib.suppress(SwitchboardError):
            self._me.get_sync()

    async def aclose(self) -> None:
        if self._is_view:
            return
        await self.rest.aclose()
        self._store.close()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _endpoint(name: str, *rest: str) -> str:
    if not name or "/" in name:
        raise InvalidParameterValue(f"'{name}' is not a valid endpoint name")
    return "/".join([ENDPOINTS, quote(name, safe=""), *rest])


def _invocations(name: str) -> str:
    if not name or "/" in name:
        raise InvalidParameterValue(f"'{name}' is not a valid endpoint name")
    return f"/serving-endpoints/{quote(name, safe='')}/invocations"


def _without_stream(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k != "stream"}
