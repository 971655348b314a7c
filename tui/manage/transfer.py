"""Endpoints out of one workspace and into another, as Databricks create bodies.

Export keeps secret references and never writes a ``*_plaintext`` key (a workspace never gives one
back); an endpoint that held its key in plaintext is exported without it, with a note, and import
refuses it until the key is filled in. Import checks every body, the names and the secrets the bodies
refer to before it changes anything; when the workspace still refuses one endpoint midway, the ones
this import created are deleted again, and the error says which updates stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.domain.base import check_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed, strip_plaintext
from tui.domain.errors import (
    InvalidParameterValue,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
    SwitchboardError,
    error_from_code,
)
from tui.domain.gateway import PatchTagsRequest
from tui.domain.secret_refs import secret_refs_in
from tui.workspace.protocol import Workspace

EXPORTED_FIELDS = ("rate_limits", "ai_gateway", "tags", "description")
_ENTITY_OUTPUT_ONLY = ("state", "creator", "creation_timestamp")


@dataclass
class Export:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def create_body(endpoint: ServingEndpointDetailed) -> dict[str, Any]:
    """The body that creates ``endpoint`` again: its config, limits, gateway, tags and description."""
    data = strip_plaintext(endpoint.to_json())
    body: dict[str, Any] = {"name": data["name"]}
    if config := data.get("config"):
        entities = [{k: v for k, v in e.items() if k not in _ENTITY_OUTPUT_ONLY} for e in config["served_entities"]]
        body["config"] = {"served_entities": entities}
        if config.get("traffic_config"):
            body["config"]["traffic_config"] = config["traffic_config"]
    body.update({k: data[k] for k in EXPORTED_FIELDS if data.get(k) not in (None, [])})
    return body


async def export_endpoints(ws: Workspace) -> Export:
    result = Export()
    for endpoint in await ws.list_endpoints():
        body = create_body(endpoint)
        result.bodies.append(body)
        _, problems = check_user_input(CreateServingEndpoint, body)
        if problems:
            result.notes.append(
                f"endpoint '{endpoint.name}' is exported without its key (it held it in plaintext, which is never "
                "written): put it in a secret and set the reference in the file before importing it"
            )
    return result


def parse_bodies(data: Any) -> list[CreateServingEndpoint]:
    """Every body of an export file, checked; all problems raised together, naming their endpoint."""
    if not isinstance(data, list):
        raise InvalidParameterValue("An endpoints file is a JSON list of create bodies")
    requests, problems = [], []
    for i, body in enumerate(data):
        label = (
            f"endpoint '{body['name']}'" if isinstance(body, dict) and isinstance(body.get("name"), str) else f"[{i}]"
        )
        request, found = check_user_input(CreateServingEndpoint, body)
        problems += [f"{label}: {'.'.join(map(str, p.path)) or 'body'}: {p.message}" for p in found]
        if request is not None:
            requests.append(request)
    names = [r.name for r in requests]
    problems += [f"endpoint '{n}' appears twice" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise InvalidParameterValue("; ".join(problems))
    return requests


async def plan_import(ws: Workspace, requests: list[CreateServingEndpoint], replace: bool) -> list[tuple[str, str]]:
    """``(action, name)`` for each body: ``create`` or ``update`` (an existing one, only with ``replace``)."""
    existing = {e.name for e in await ws.list_endpoints()}
    taken = [r.name for r in requests if r.name in existing]
    if taken and not replace:
        raise ResourceAlreadyExists(f"Endpoints already exist: {', '.join(taken)} (--replace updates their config)")
    return [("update" if r.name in existing else "create", r.name) for r in requests]


async def check_secrets(ws: Workspace, requests: list[CreateServingEndpoint]) -> None:
    """Refuse the import, naming each one, when secrets the bodies refer to are not in ``ws``."""
    wanted = {(ref.scope, ref.key, r.name) for r in requests if r.config for ref in secret_refs_in(r.config.to_json())}
    if not wanted:
        return
    scopes = {s.name.lower(): s.name for s in await ws.list_scopes()}
    keys: dict[str, set[str]] = {}
    for scope in sorted({scope.lower() for scope, _, _ in wanted if scope.lower() in scopes}):
        keys[scope] = {m.key for m in await ws.list_secrets(scopes[scope])}
    missing = sorted(
        f"{scope}/{key} (endpoint '{name}')" for scope, key, name in wanted if key not in keys.get(scope.lower(), ())
    )
    if missing:
        raise ResourceDoesNotExist(
            f"Secrets the endpoints refer to are not in this workspace: {', '.join(missing)}. "
            "Store them first (secrets put-secret); nothing was changed"
        )


async def import_endpoints(
    ws: Workspace, requests: list[CreateServingEndpoint], replace: bool = False, dry_run: bool = False
) -> list[tuple[str, str]]:
    """Create (or with ``replace`` update the config, limits and gateway of, and add the tags to) every endpoint."""
    plan = await plan_import(ws, requests, replace)
    await check_secrets(ws, requests)
    if dry_run:
        return plan
    done: list[tuple[str, str]] = []
    for (action, name), request in zip(plan, requests, strict=True):
        try:
            await _apply(ws, action, request)
        except SwitchboardError as err:
            raise await _stopped(ws, name, err, done) from err
        done.append((action, name))
    return plan


async def _apply(ws: Workspace, action: str, request: CreateServingEndpoint) -> None:
    if action == "create":
        await ws.create_endpoint(request)
        return
    if request.config is not None:
        await ws.update_config(request.name, request.config)
    if request.rate_limits is not None:
        await ws.put_rate_limits(request.name, request.rate_limits)
    if request.ai_gateway is not None:
        await ws.put_ai_gateway(request.name, request.ai_gateway)
    if request.tags:
        await ws.patch_tags(request.name, PatchTagsRequest(add_tags=request.tags))


async def _stopped(ws: Workspace, name: str, err: SwitchboardError, done: list[tuple[str, str]]) -> SwitchboardError:
    """Delete what this import created, and say what happened: where it stopped, why, what was undone and
    what stays (an update cannot be taken back while it rolls out)."""
    deleted: list[str] = []
    kept: list[str] = []
    for action, done_name in reversed(done):
        if action != "create":
            continue
        try:
            await ws.delete_endpoint(done_name)
            deleted.append(done_name)
        except SwitchboardError:
            kept.append(done_name)
    updated = [n for action, n in done if action == "update"]
    parts = [f"Import stopped at endpoint '{name}': {err.message}"]
    if deleted:
        parts.append(f"Undone: {', '.join(reversed(deleted))} (created by this import) deleted again")
    if kept:
        parts.append(f"Could not delete {', '.join(reversed(kept))} again: delete them by hand")
    if updated:
        parts.append(f"Still updated: {', '.join(updated)} (run the import again with --replace once it is fixed)")
    if not done:
        parts.append("Nothing was changed")
    return error_from_code(err.error_code, ". ".join(parts), retry_after=err.retry_after)
