"""Following an endpoint's configuration update until it ends, on any backend.

Databricks answers a create or a config change at once with ``config_update: IN_PROGRESS`` and
finishes it later (spec §4); its own clients never look again (§6). The app does: it polls the
endpoint, often at first and then every few seconds, so the state a person sees is never stale for
long, and says how the update ended. A deleted endpoint ends the watch quietly; a workspace that
stops answering ends it with its error after a few tries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import ResourceDoesNotExist, SwitchboardError

FIRST_DELAYS = (0.5, 1.0, 1.0, 2.0, 2.0, 3.0)
"""Seconds between the first looks: an external model's update usually ends within seconds."""
STEADY_DELAY = 5.0
MAX_LOOKS = 400
"""About half an hour of looking; a longer update is left to the refresh key."""
MAX_FAILURES = 3
"""Errors in a row before the watch gives up (a blip is retried, an outage is reported)."""

Getter = Callable[[], Awaitable[ServingEndpointDetailed]]
Sleep = Callable[[float], Awaitable[object]]


def updating(endpoint: ServingEndpointDetailed) -> bool:
    return endpoint.state is not None and endpoint.state.config_update == "IN_PROGRESS"


def signature(endpoint: ServingEndpointDetailed) -> tuple[object, ...]:
    """What a watcher reports a change of: the states and which versions are serving and pending."""
    state = endpoint.state
    pending = endpoint.pending_config
    return (
        state.ready if state else None,
        state.config_update if state else None,
        endpoint.config.config_version if endpoint.config else None,
        pending.config_version if pending else None,
    )


def failure_reason(endpoint: ServingEndpointDetailed) -> str:
    """Why the last update failed, from its served entities' messages (empty when none says)."""
    config = endpoint.pending_config
    messages = [e.state.deployment_state_message for e in config.served_entities if e.state] if config else []
    return "; ".join(m for m in messages if m)


def outcome(endpoint: ServingEndpointDetailed) -> tuple[str, bool]:
    """A sentence saying how the update of ``endpoint`` ended, and whether that is a failure."""
    name = endpoint.name
    update = endpoint.state.config_update if endpoint.state else None
    if update == "UPDATE_FAILED":
        reason = failure_reason(endpoint)
        serving = "the previous configuration still serves" if endpoint.config else "it serves nothing yet"
        return f"Endpoint {name}: the update failed{f': {reason}' if reason else ''} ({serving})", True
    if update == "UPDATE_CANCELED":
        return f"Endpoint {name}: the update was cancelled", True
    version = endpoint.config.config_version if endpoint.config else None
    return f"Endpoint {name} is ready{f': config version {version} serves' if version else ''}", False


def delays() -> Iterator[float]:
    yield from FIRST_DELAYS
    for _ in range(MAX_LOOKS - len(FIRST_DELAYS)):
        yield STEADY_DELAY


async def follow(
    get: Getter,
    changed: Callable[[ServingEndpointDetailed], None],
    *,
    sleep: Sleep = asyncio.sleep,
) -> ServingEndpointDetailed | None:
    """Look at the endpoint until its update is over; ``changed`` hears of every new state seen.

    Returns the endpoint as it ended, or None when it was deleted meanwhile or is still updating
    after :data:`MAX_LOOKS` looks. Raises the workspace's error after :data:`MAX_FAILURES` in a row.
    """
    seen: tuple[object, ...] | None = None
    failures = 0
    for delay in delays():
        await sleep(delay)
        try:
            endpoint = await get()
        except ResourceDoesNotExist:
            return None
        except SwitchboardError:
            failures += 1
            if failures >= MAX_FAILURES:
                raise
            continue
        failures = 0
        if signature(endpoint) != seen:
            seen = signature(endpoint)
            changed(endpoint)
        if not updating(endpoint):
            return endpoint
    return None
