"""Saving the draft: what will change (shown before saving) and the workspace calls that do it.

A new endpoint is one ``create_endpoint``. An existing one changes its config with ``update_config``
and its tags with ``patch_tags`` (only when they changed); its rate limits and AI gateway are edited
elsewhere (F5) and are left as stored. Nothing is sent while the draft breaks a rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tui.domain.base import check_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed
from tui.domain.gateway import PatchTagsRequest, Tag
from tui.domain.provider_configs import PLAINTEXT_SUFFIX
from tui.manage.form_draft import EndpointDraft, Json, body_of, body_of_endpoint
from tui.workspace.protocol import Workspace

PLAINTEXT_SHOWN = "(a plaintext key, not shown)"
NONE = "(none)"


@dataclass(frozen=True)
class SavePlan:
    """What saving does: ``request`` for a new endpoint, or ``request.config`` and ``tags`` for an existing one."""

    request: CreateServingEndpoint
    existing: bool
    tags: PatchTagsRequest | None
    changes: list[str]


def plan_save(draft: EndpointDraft, original: ServingEndpointDetailed | None) -> SavePlan | None:
    """The plan for a valid draft (None while it breaks a rule: check it with ``check_draft``).
    ``original`` is the stored endpoint when editing one, None for a new (or duplicated) one."""
    body = body_of(draft)
    request, problems = check_user_input(CreateServingEndpoint, body)
    if request is None or problems:
        return None
    if original is None:
        return SavePlan(request, False, None, describe_changes(None, body))
    before = body_of_endpoint(original)
    return SavePlan(request, True, tags_patch(before.get("tags"), body.get("tags")), describe_changes(before, body))


async def save(workspace: Workspace, plan: SavePlan) -> str:
    """Carries out ``plan``; returns the endpoint's name. The config goes first: it is what the workspace
    may refuse (a missing secret), so a refusal leaves the tags as they were too."""
    name = plan.request.name
    if not plan.existing:
        await workspace.create_endpoint(plan.request)
        return name
    if plan.request.config is not None:
        await workspace.update_config(name, plan.request.config)
    if plan.tags is not None:
        await workspace.patch_tags(name, plan.tags)
    return name


def tags_patch(before: Any, after: Any) -> PatchTagsRequest | None:
    """The PATCH that turns tags ``before`` into ``after`` (None when they are the same)."""
    old = {str(t["key"]): t.get("value") for t in before or []}
    new = {str(t["key"]): t.get("value") for t in after or []}
    add = [Tag(key=k, value=v) for k, v in new.items() if k not in old or old[k] != v]
    delete = [k for k in old if k not in new]
    if not add and not delete:
        return None
    return PatchTagsRequest(add_tags=add or None, delete_tags=delete or None)


def describe_changes(before: Json | None, after: Json) -> list[str]:
    """One plain line per value that differs, ``path: old -> new`` (``path: value`` for a new endpoint).

    Paths read as the JSON does, the config's fields without ``config.`` in front. A secret reference
    is shown as the reference; a plaintext key never is.
    """
    new = _leaves(after)
    if before is None:
        return [f"{path}: {_shown(path, value)}" for path, value in new.items()]
    old = _leaves(before)
    lines = []
    for path in [*old, *(p for p in new if p not in old)]:
        if old.get(path, _MISSING) != new.get(path, _MISSING):
            lines.append(f"{path}: {_shown(path, old.get(path, _MISSING))} -> {_shown(path, new.get(path, _MISSING))}")
    return lines


_MISSING = object()


def _leaves(body: Json) -> dict[str, Any]:
    flat: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict) and node:
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and node:
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        else:
            flat[path] = node

    for key, value in body.items():
        walk(value, "" if key == "config" and isinstance(value, dict) and value else key)
    return flat


def _shown(path: str, value: Any) -> str:
    if value is _MISSING:
        return NONE
    if path.endswith(PLAINTEXT_SUFFIX):
        return PLAINTEXT_SHOWN
    return value if isinstance(value, str) else json.dumps(value)
