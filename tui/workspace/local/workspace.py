"""The embedded workspace: everything in one SQLite file, no server to set up."""

from __future__ import annotations

import asyncio
import copy
import getpass
import os
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, ServingEndpointDetailed
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit, Tag
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.locations import data_dir, workspace_path
from tui.workspace.local.endpoints_repo import EndpointsRepo
from tui.workspace.local.history_repo import HistoryRepo
from tui.workspace.local.limits import Caller, applicable_limits
from tui.workspace.local.ratelimit import RateLimiter
from tui.workspace.local.secrets_repo import SecretsRepo
from tui.workspace.local.store import Store
from tui.workspace.local.tokens_repo import TokensRepo
from tui.workspace.local.usage_repo import UsageRepo
from tui.workspace.usage import LimitStatus

if TYPE_CHECKING:  # the HTTP stack is imported on first query, so CLI commands start fast
    from tui.transport.timeouts import Timeouts
    from tui.workspace.local.invoke import Invoker

T = TypeVar("T")


def local_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry, no USER variable: still usable
        return "local-user"


class LocalWorkspace:
    """The :class:`~tui.workspace.protocol.Workspace` on a local file.

    SQLite calls run in a worker thread so the app's event loop never waits on a busy file.
    """

    def __init__(
        self, path: Path, *, user: str | None = None, timeouts: Timeouts | None = None, rollout_seconds: float = 0.0
    ) -> None:
        self.path = path
        self.user = user or local_user()
        self.timeouts = timeouts
        self.store = Store(path)
        self.secrets = SecretsRepo(self.store)
        self.endpoints = EndpointsRepo(self.store, creator=self.user, rollout_seconds=rollout_seconds)
        self.rate_limiter = RateLimiter(self.store)
        self.usage = UsageRepo(self.store)
        self.history = HistoryRepo(self.store)
        self.tokens = TokensRepo(self.store)
        self._invoker: Invoker | None = None
        self._owner: LocalWorkspace | None = None

    def as_user(self, user: str) -> LocalWorkspace:
        """This workspace acting as ``user``: same file, repos and provider client; only the caller differs."""
        owner = self._owner or self
        view = copy.copy(owner)
        view.user = user
        view.endpoints = EndpointsRepo(owner.store, creator=user, rollout_seconds=owner.endpoints.rollout_seconds)
        view._owner = owner
        return view

    @classmethod
    def open(
        cls,
        option: str | os.PathLike[str] | None = None,
        *,
        user: str | None = None,
        timeouts: Timeouts | None = None,
        rollout_seconds: float = 0.0,
    ) -> LocalWorkspace:
        """Open (creating if needed) the workspace chosen by ``--workspace``, the env var or the default."""
        path = workspace_path(option)
        default_dir = data_dir()
        workspace = cls(path, user=user, timeouts=timeouts, rollout_seconds=rollout_seconds)
        if path.parent == default_dir:
            os.chmod(default_dir, 0o700)
        return workspace

    @property
    def label(self) -> str:
        home = str(Path.home())
        text = str(self.path)
        return "~" + text[len(home) :] if text.startswith(home + os.sep) else text

    async def _run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(partial(fn, *args))

    # -- secrets
    async def list_scopes(self) -> list[SecretScope]:
        return await self._run(self.secrets.list_scopes)

    async def create_scope(self, scope: str) -> None:
        await self._run(self.secrets.create_scope, scope)

    async def delete_scope(self, scope: str) -> None:
        await self._run(self.secrets.delete_scope, scope)

    async def put_secret(self, scope: str, key: str, value: bytes) -> None:
        await self._run(self.secrets.put_secret, scope, key, value)

    async def list_secrets(self, scope: str) -> list[SecretMetadata]:
        return await self._run(self.secrets.list_secrets, scope)

    async def delete_secret(self, scope: str, key: str) -> None:
        await self._run(self.secrets.delete_secret, scope, key)

    # -- endpoints
    async def list_endpoints(self) -> list[ServingEndpointDetailed]:
        return await self._run(self.endpoints.list)

    async def get_endpoint(self, name: str) -> ServingEndpointDetailed:
        return await self._run(self.endpoints.get, name)

    async def create_endpoint(self, request: CreateServingEndpoint) -> ServingEndpointDetailed:
        return await self._run(self.endpoints.create, request)

    async def update_config(self, name: str, config: EndpointCoreConfigInput) -> ServingEndpointDetailed:
        return await self._run(self.endpoints.update_config, name, config)

    async def put_rate_limits(self, name: str, rate_limits: list[RateLimit]) -> list[RateLimit]:
        return await self._run(self.endpoints.put_rate_limits, name, rate_limits)

    async def put_ai_gateway(self, name: str, gateway: AiGatewayConfig) -> AiGatewayConfig:
        return await self._run(self.endpoints.put_ai_gateway, name, gateway)

    async def patch_tags(self, name: str, patch: PatchTagsRequest) -> list[Tag]:
        return await self._run(self.endpoints.patch_tags, name, patch)

    async def delete_endpoint(self, name: str) -> None:
        await self._run(self.endpoints.delete, name)

    # -- invocation
    @property
    def invoker(self) -> Invoker:
        if self._owner is not None:
            return self._owner.invoker
        if self._invoker is None:
            from tui.transport.client import Transport
            from tui.workspace.local.invoke import Invoker

            self._invoker = Invoker(
                self.endpoints, self.secrets, self.rate_limiter, self.usage, Transport(self.timeouts)
            )
        return self._invoker

    def warm_up(self) -> None:
        """Import and build the provider path now (httpx, providers, the pooled client: ~170 ms here).

        The app calls this in a thread after its first paint, so the first prompt sent does not freeze
        the screen for that long; without it the first call does the same work on demand.
        """
        _ = self.invoker

    async def query(self, name: str, request: dict[str, Any], *, caller: Caller | None = None) -> dict[str, Any]:
        return await self.invoker.query(name, request, caller or Caller(self.user))

    def stream(
        self, name: str, request: dict[str, Any], *, caller: Caller | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        return self.invoker.stream(name, request, caller or Caller(self.user))

    async def rate_limit_status(self, name: str, *, caller: Caller | None = None) -> list[LimitStatus]:
        """Each limit that applies to ``caller`` on endpoint ``name``: its label, use and size this minute."""
        endpoint = await self.get_endpoint(name)
        gateway = endpoint.ai_gateway.rate_limits if endpoint.ai_gateway else None
        limits = applicable_limits(name, caller or Caller(self.user), endpoint.rate_limits, gateway)
        status: list[LimitStatus] = []
        for limit in limits:
            calls, tokens = await self._run(self.rate_limiter.usage, limit)
            status.append(
                LimitStatus(
                    label=limit.label, calls=calls, calls_limit=limit.calls, tokens=tokens, tokens_limit=limit.tokens
                )
            )
        return status

    async def aclose(self) -> None:
        if self._owner is not None:
            return
        if self._invoker is not None:
            await self._invoker.transport.aclose()
        await self._run(self.usage.close)
        self.store.close()
