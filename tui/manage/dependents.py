"""What depends on a secret: the endpoints whose configs refer to it, so deleting says so first."""

from __future__ import annotations

from collections.abc import Iterable

from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.secret_refs import SecretRef, secret_refs_in


def refs_of(endpoint: ServingEndpointDetailed) -> list[SecretRef]:
    """Every secret reference in the endpoint's current and pending configs."""
    return secret_refs_in(endpoint.model_dump(include={"config", "pending_config"}, exclude_none=True))


def endpoints_using(endpoints: Iterable[ServingEndpointDetailed], scope: str, key: str | None = None) -> list[str]:
    """Names of the endpoints that refer to ``scope`` (to its ``key`` only, when given), sorted."""
    return sorted(
        endpoint.name
        for endpoint in endpoints
        if any(ref.scope == scope and (key is None or ref.key == key) for ref in refs_of(endpoint))
    )
