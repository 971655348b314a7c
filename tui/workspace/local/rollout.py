"""How a configuration rolls out on the local workspace, in the states Databricks shows (spec §4).

External models need no deployment, so by default a local endpoint is ready the moment it is written.
With a rollout time (``switchboard serve --rollout-seconds``, or the demo) it behaves as a Databricks
endpoint does: the new configuration waits in ``pending_config`` with ``config_update: IN_PROGRESS``
while the old one keeps serving (a new endpoint is ``NOT_READY`` until its first one is in), then it
takes over, or the update fails (``UPDATE_FAILED``: a secret it needs was deleted meanwhile) and the
old configuration stays. Clients that poll (the app) see the same transitions on both backends.

These functions change a stored endpoint document; the repository decides when to call them.
"""

from __future__ import annotations

from typing import Any

from tui.domain.errors import InvalidState, ResourceConflict

DUE_KEY = "_rollout_due_ms"
"""Stored beside the document while a rollout is under way: when it ends. Never handed out."""

IN_PROGRESS = "IN_PROGRESS"


def begin(doc: dict[str, Any], config: dict[str, Any], now_ms: int, seconds: float) -> None:
    """Put ``config`` (a config output, with its version) on its way to serving ``doc``'s traffic."""
    if seconds <= 0:
        _serve(doc, config)
        return
    _set_entity_state(config, "DEPLOYMENT_CREATING", f"Config version {config.get('config_version')} is rolling out")
    doc["pending_config"] = {**config, "start_time": now_ms}
    doc["state"] = {"ready": _ready(doc), "config_update": IN_PROGRESS}
    doc[DUE_KEY] = now_ms + round(seconds * 1000)


def due(doc: dict[str, Any], now_ms: int) -> bool:
    """Whether ``doc``'s rollout has run its time and must be finished before anyone sees it."""
    return updating(doc) and int(doc.get(DUE_KEY) or 0) <= now_ms


def updating(doc: dict[str, Any]) -> bool:
    return (doc.get("state") or {}).get("config_update") == IN_PROGRESS


def finish(doc: dict[str, Any], failure: str | None) -> None:
    """End the rollout: the pending config serves, or (``failure`` says why) the update failed."""
    doc.pop(DUE_KEY, None)
    pending = doc.pop("pending_config", None) or {}
    pending.pop("start_time", None)
    if failure is None:
        _set_entity_state(pending, "DEPLOYMENT_READY", "")
        _serve(doc, pending)
        return
    _set_entity_state(pending, "DEPLOYMENT_FAILED", failure)
    doc["pending_config"] = pending  # kept, so whoever looks can read why
    doc["state"] = {"ready": _ready(doc), "config_update": "UPDATE_FAILED"}


def refuse_update(doc: dict[str, Any]) -> None:
    """Raise the 409 Databricks answers when a config change arrives while another is rolling out."""
    if updating(doc):
        version = (doc.get("pending_config") or {}).get("config_version")
        raise ResourceConflict(
            f"Endpoint '{doc['name']}' is being updated (config version {version} is rolling out); "
            "change its configuration once that update has finished"
        )


def refuse_query(doc: dict[str, Any]) -> None:
    """Raise when ``doc`` has no configuration serving yet, saying why rather than 'nothing to query'."""
    if doc.get("config"):
        return
    if updating(doc):
        raise InvalidState(f"Endpoint '{doc['name']}' is not ready yet: its first configuration is still rolling out")
    if (doc.get("state") or {}).get("config_update") == "UPDATE_FAILED":
        raise InvalidState(f"Endpoint '{doc['name']}' is not ready: its configuration failed to roll out")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` without the rollout's bookkeeping."""
    return {k: v for k, v in doc.items() if k != DUE_KEY}


def _serve(doc: dict[str, Any], config: dict[str, Any]) -> None:
    doc["config"] = config
    doc.pop("pending_config", None)
    doc["state"] = {"ready": "READY", "config_update": "NOT_UPDATING"}


def _ready(doc: dict[str, Any]) -> str:
    return "READY" if doc.get("config") else "NOT_READY"


def _set_entity_state(config: dict[str, Any], deployment: str, message: str) -> None:
    for entity in config.get("served_entities") or []:
        entity["state"] = {"deployment": deployment, "deployment_state_message": message}
