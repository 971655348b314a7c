"""The seam between the faces (app, CLI, server) and the backends (local, Databricks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, ServingEndpointDetailed
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit, Tag
from tui.domain.secrets import SecretMetadata, SecretScope
from tui.workspace.history import History
from tui.workspace.tokens import Tokens
from tui.workspace.usage import LimitStatus, Usage


class Workspace(Protocol):
    """Secrets and serving endpoints, as one workspace holds them, and what the faces need around them.

    Every method raises a :class:`tui.domain.errors.SwitchboardError` with a Databricks error code
    on failure. Secret values go in and never come out. Open one with
    :func:`tui.workspace.factory.open_workspace`.
    """

    @property
    def label(self) -> str:
        """Where this workspace lives, for the header and messages (a path or a host)."""
        ...

    @property
    def user(self) -> str:
        """Who calls: the user that per-user rate limits count and the header shows."""
        ...

    @property
    def history(self) -> History:
        """Past playground comparisons."""
        ...

    @property
    def usage(self) -> Usage:
        """Calls and tokens per endpoint, user and minute."""
        ...

    @property
    def tokens(self) -> Tokens:
        """Access tokens of ``switchboard serve``, each standing for a user."""
        ...

    def as_user(self, user: str) -> Workspace:
        """A view of this same workspace acting as ``user``: endpoints it creates name ``user`` as creator,
        and its calls count against ``user``'s per-user rate limits and usage. Closing the view is a no-op;
        the workspace it came from still owns the connections.
        """
        ...

    # -- secrets
    async def list_scopes(self) -> list[SecretScope]: ...

    async def create_scope(self, scope: str) -> None: ...

    async def delete_scope(self, scope: str) -> None: ...

    async def put_secret(self, scope: str, key: str, value: bytes) -> None: ...

    async def list_secrets(self, scope: str) -> list[SecretMetadata]: ...

    async def delete_secret(self, scope: str, key: str) -> None: ...

    # -- endpoints
    async def list_endpoints(self) -> list[ServingEndpointDetailed]: ...

    async def get_endpoint(self, name: str) -> ServingEndpointDetailed: ...

    async def create_endpoint(self, request: CreateServingEndpoint) -> ServingEndpointDetailed: ...

    async def update_config(self, name: str, config: EndpointCoreConfigInput) -> ServingEndpointDetailed: ...

    async def put_rate_limits(self, name: str, rate_limits: list[RateLimit]) -> list[RateLimit]: ...

    async def put_ai_gateway(self, name: str, gateway: AiGatewayConfig) -> AiGatewayConfig: ...

    async def patch_tags(self, name: str, patch: PatchTagsRequest) -> list[Tag]: ...

    async def delete_endpoint(self, name: str) -> None: ...

    # -- invocation
    async def query(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        """The standard response for a standard request (chat, completions or embeddings)."""
        ...

    def stream(self, name: str, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Standard chunks as they arrive. Chunks yielded before an error stay valid (partial answer)."""
        ...

    async def rate_limit_status(self, name: str) -> list[LimitStatus]:
        """Each rate limit of endpoint ``name`` that applies to :attr:`user`, with its use this minute."""
        ...

    def warm_up(self) -> None:
        """Prepare the invocation path now (blocking; run it in a thread) so the first query is quick."""
        ...

    async def aclose(self) -> None: ...
