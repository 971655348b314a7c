"""How an endpoint reads in the F3 list and the detail view, and how the list filters and sorts.

Plain functions of the domain model (no Textual), so the screens only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from tui.domain.endpoints import ExternalModel, ServedEntityOutput, ServingEndpointDetailed
from tui.domain.simulated import is_simulated

COLUMNS = ("Name", "State", "Task", "Served (provider:model)", "Traffic", "Limits", "Last updated")

READY = {"READY": "Ready", "NOT_READY": "Not ready"}
UPDATE = {"IN_PROGRESS": "updating", "UPDATE_FAILED": "update failed", "UPDATE_CANCELED": "update cancelled"}


def entities(endpoint: ServingEndpointDetailed) -> list[ServedEntityOutput]:
    """What serves the endpoint; for a new one whose first configuration is rolling out, what will."""
    config = endpoint.config or endpoint.pending_config
    return config.served_entities if config else []


def model_shown(endpoint: ServingEndpointDetailed, model: ExternalModel) -> str:
    """The model's name; a simulated endpoint's timing knobs (``gpt-4o@ttft=0.3``) are left out.

    Only there: a real model name may hold an ``@`` (Vertex AI versions, ``claude-3-5-sonnet@20240620``).
    """
    return model.name.split("@")[0] if is_simulated(endpoint.tags) else model.name


def served(endpoint: ServingEndpointDetailed) -> str:
    """``provider:model`` of each served external model, e.g. ``Azure OpenAI:gpt-4o, anthropic:claude``."""
    models = [s.external_model for s in entities(endpoint) if s.external_model]
    return ", ".join(f"{m.provider_shown}:{model_shown(endpoint, m)}" for m in models) or "-"


def traffic_shares(endpoint: ServingEndpointDetailed) -> dict[str, int]:
    """Percent of traffic per served entity name; a lone entity without routes takes it all."""
    config = endpoint.config or endpoint.pending_config
    routes = config.traffic_config.routes if config and config.traffic_config else []
    shares = {(r.served_entity_name or r.served_model_name or "?"): r.traffic_percentage for r in routes}
    named = [s.name for s in entities(endpoint) if s.name]
    if not shares and len(named) == 1:
        return {named[0]: 100}
    return shares


def traffic(endpoint: ServingEndpointDetailed) -> str:
    """The split, e.g. ``a 80% · b 20%``; ``100%`` alone when one entity takes it all (the detail names it)."""
    shares = traffic_shares(endpoint)
    if list(shares.values()) == [100]:
        return "100%"
    return " · ".join(f"{name} {share}%" for name, share in shares.items()) or "-"


def state(endpoint: ServingEndpointDetailed) -> str:
    """``Ready``, ``Not ready``, with ``· updating`` (or how an update ended) while it matters."""
    if endpoint.state is None:
        return "-"
    ready = READY.get(endpoint.state.ready or "", endpoint.state.ready or "-")
    update = UPDATE.get(endpoint.state.config_update or "")
    return f"{ready} · {update}" if update else ready


def legacy_limits(endpoint: ServingEndpointDetailed) -> list[str]:
    """The endpoint's own rate limits, e.g. ``20 calls/min per user``."""
    return [f"{r.calls} calls/min per {r.effective_key}" for r in endpoint.rate_limits or []]


def gateway_limits(endpoint: ServingEndpointDetailed) -> list[str]:
    """The AI gateway's rate limits, e.g. ``100 calls + 5000 tokens/min per user_group analysts``."""
    gateway = endpoint.ai_gateway.rate_limits if endpoint.ai_gateway and endpoint.ai_gateway.rate_limits else []
    lines = []
    for g in gateway:
        amounts = [
            f"{g.calls} calls" if g.calls is not None else "",
            f"{g.tokens} tokens" if g.tokens is not None else "",
        ]
        who = f"{g.effective_key} {g.principal}" if g.principal else g.effective_key
        lines.append(f"{' + '.join(a for a in amounts if a)}/min per {who}")
    return lines


def limits(endpoint: ServingEndpointDetailed) -> str:
    """Both kinds in one cell, the gateway's marked."""
    return ", ".join([*legacy_limits(endpoint), *(f"{g} (gateway)" for g in gateway_limits(endpoint))]) or "-"


def tags(endpoint: ServingEndpointDetailed) -> str:
    return ", ".join(f"{t.key}={t.value}" if t.value else t.key for t in endpoint.tags or [])


def updated_ms(endpoint: ServingEndpointDetailed) -> int:
    return endpoint.last_updated_timestamp or endpoint.creation_timestamp or 0


def when(ms: int | None) -> str:
    """A millisecond timestamp to the minute, in local time."""
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M") if ms else "-"


def cells(endpoint: ServingEndpointDetailed) -> tuple[str, ...]:
    """The row of the F3 table, in :data:`COLUMNS` order."""
    name = f"{endpoint.name} (simulated)" if is_simulated(endpoint.tags) else endpoint.name
    return (
        name,
        state(endpoint),
        endpoint.task or "-",
        served(endpoint),
        traffic(endpoint),
        limits(endpoint),
        when(updated_ms(endpoint)),
    )


def matches(endpoint: ServingEndpointDetailed, query: str) -> bool:
    """Whether every word of ``query`` is in the row or the tags (any case)."""
    words = query.casefold().split()
    haystack = " ".join((*cells(endpoint), tags(endpoint))).casefold()
    return all(word in haystack for word in words)


def _text_key(column: int) -> Callable[[ServingEndpointDetailed], Any]:
    return lambda endpoint: cells(endpoint)[column].casefold()


SORT_KEYS: tuple[Callable[[ServingEndpointDetailed], Any], ...] = (
    lambda e: e.name.casefold(),
    *(_text_key(column) for column in range(1, 6)),
    updated_ms,
)
"""One key per column: text columns in any case, the last update by its time rather than its text."""


def arrange(
    endpoints: Sequence[ServingEndpointDetailed], query: str, column: int, descending: bool
) -> list[ServingEndpointDetailed]:
    """The endpoints that match ``query``, sorted by ``column`` (ties by name, always A to Z)."""
    shown = sorted((e for e in endpoints if matches(e, query)), key=lambda e: e.name.casefold())
    return sorted(shown, key=SORT_KEYS[column], reverse=descending)  # stable: equal keys keep name order
