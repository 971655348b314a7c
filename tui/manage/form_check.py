"""Validation of the draft with the domain's own rules, each problem placed under the field it is about.

:func:`tui.domain.base.check_user_input` reports a problem at a JSON path; a rule that spans fields
(a block's ``problems()``: "'x' is required; give either 'y' or 'y_plaintext'") reports them all,
joined, at the block. Those are asked again one by one from the block's model, and each sentence
goes to the one field it quotes (or to the block when it quotes several). Two rules are the form's
own: a secret reference must name a secret the workspace has (it refuses to save one that does not),
and an existing endpoint keeps its name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from tui.domain.base import Problem, check_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.domain.errors import SwitchboardError
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, PROVIDER_CONFIGS, UserChecked
from tui.domain.secret_refs import SecretRef, parse_secret_ref
from tui.manage.form import model_fields, nested_block, provider_fields
from tui.manage.form_draft import EndpointDraft, Json, body_of, entity_key, get_secret

_QUOTED = re.compile(r"'([A-Za-z0-9_]+)'")
_REF_IN_TEXT = re.compile(r"\{\{\s*secrets/[^{}\s]+/[^{}\s]+\s*\}\}")
_CONFIG_KEYS = {key: model for key, model in PROVIDER_CONFIGS.values()}


@dataclass(frozen=True)
class FormProblem:
    """A problem and the key of the field (or section) it belongs to."""

    key: str
    message: str


def check_draft(
    draft: EndpointDraft, *, fixed_name: str | None = None, known_refs: Collection[SecretRef] | None = None
) -> list[FormProblem]:
    """Every problem of the draft: the domain's, a changed name when ``fixed_name`` is the endpoint's,
    references to secrets not in ``known_refs`` (unchecked while that is None), a traffic split left half given."""
    body = body_of(draft)
    _, problems = check_user_input(CreateServingEndpoint, body)
    found = [placed for problem in problems for placed in _place(problem, body)]
    if fixed_name is not None and draft.name != fixed_name:
        found.append(FormProblem("name", f"an existing endpoint keeps its name '{fixed_name}'; duplicate it instead"))
    found += _traffic_problems(draft)
    found += _tag_problems(draft)
    if known_refs is not None:
        found += _missing_secrets(draft, set(known_refs))
    return found


def problems_of_error(draft: EndpointDraft, err: SwitchboardError) -> list[FormProblem]:
    """A refused save, placed: a missing secret under the fields that refer to it, a taken name under the name."""
    if err.error_code == "RESOURCE_ALREADY_EXISTS":
        return [FormProblem("name", err.message)]
    refs = {ref for text in _REF_IN_TEXT.findall(err.message) if (ref := parse_secret_ref(text))}
    keys = [key for key, ref in secret_fields(draft) if ref in refs]
    return [FormProblem(key, err.message) for key in keys] or [FormProblem("endpoint", err.message)]


def secret_fields(draft: EndpointDraft) -> list[tuple[str, SecretRef | None]]:
    """(key, reference) of every credential field shown, None where it holds no valid reference."""
    found = []
    for i, entity in enumerate(draft.entities):
        for spec in provider_fields(entity.provider, entity.config):
            if spec.kind == "secret":
                key = entity_key(i, "config", spec.name)
                text, plaintext = get_secret(draft, key)
                found.append((key, None if plaintext else parse_secret_ref(text)))
    return found


def _missing_secrets(draft: EndpointDraft, known: set[SecretRef]) -> list[FormProblem]:
    return [
        FormProblem(key, f"there is no secret {ref} in this workspace: pick one (ctrl+o) or create it (ctrl+n)")
        for key, ref in secret_fields(draft)
        if ref is not None and ref not in known
    ]


def _traffic_problems(draft: EndpointDraft) -> list[FormProblem]:
    given = [e.traffic is not None for e in draft.entities]
    if len(given) < 2 or all(given) or not any(given):
        return []
    return [
        FormProblem(entity_key(i, "traffic"), "give a percentage (0 for none), or leave all blank to split evenly")
        for i, has in enumerate(given)
        if not has
    ]


def _tag_problems(draft: EndpointDraft) -> list[FormProblem]:
    keys = [str(t.get("key")) for t in draft.tags or [] if isinstance(t, dict)]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    return [FormProblem("tags", f"tag '{k}' is given more than once") for k in twice]


# ---- placing the domain's problems ------------------------------------------------------------


def _place(problem: Problem, body: Json) -> list[FormProblem]:
    path, message = problem.path, problem.message
    if not path:
        return [FormProblem("endpoint", message)]
    head = path[0]
    if head in ("name", "description"):
        return [FormProblem(str(head), message)]
    if head == "tags":
        where = f"tag {int(path[1]) + 1}: " if len(path) > 1 and isinstance(path[1], int) else ""
        return [FormProblem("tags", where + message)]
    if head != "config":
        return [FormProblem("endpoint", str(problem))]
    config = body.get("config") or {}
    if len(path) == 1:
        return [
            FormProblem("traffic" if "traffic" in s or "route" in s else "entities", s)
            for s in _sentences(EndpointCoreConfigInput, config, message)
        ]
    if path[1] == "traffic_config":
        return [FormProblem("traffic", message)]
    if path[1] != "served_entities" or len(path) < 3 or not isinstance(path[2], int):
        return [FormProblem("entities", str(Problem(path[1:], message)))]
    return _place_in_entity(path[2], path[3:], message, config)


def _place_in_entity(i: int, path: tuple[int | str, ...], message: str, config: Json) -> list[FormProblem]:
    if not path:
        return [
            FormProblem(entity_key(i, "entity", "name") if s.startswith("Served entity name") else entity_key(i), s)
            for s in message.split("; ")
        ]
    if path[0] != "external_model":
        return [FormProblem(entity_key(i, "entity", str(path[0])), message)]
    model = (config["served_entities"][i] or {}).get("external_model") or {}
    rest = path[1:]
    if not rest:
        names = {s.name for s in model_fields()}
        if message.startswith("unknown field"):
            return [FormProblem(entity_key(i), f"external_model: {message}")]
        quoted = [q for q in _QUOTED.findall(message) if q in names]
        if quoted:
            return [FormProblem(entity_key(i, "model", quoted[0]), message)]
        return [FormProblem(entity_key(i, "model", "task") if " has no " in message else entity_key(i), message)]
    if rest[0] not in _CONFIG_KEYS:
        return [FormProblem(entity_key(i, "model", str(rest[0])), message)]
    return _place_in_config(i, _CONFIG_KEYS[str(rest[0])], model.get(rest[0]) or {}, rest[1:], message)


def _place_in_config(
    i: int, model: type[BaseModel], block: Json, path: tuple[int | str, ...], message: str
) -> list[FormProblem]:
    """A problem of provider config ``block`` (of served entity ``i``) at ``path`` inside it."""
    group = ""
    info = model.model_fields.get(str(path[0])) if path else None
    nested = nested_block(info.annotation) if info else None
    if nested is not None:
        group, model, block, path = str(path[0]), nested, block.get(str(path[0])) or {}, path[1:]
    prefix = f"{group}." if group else ""
    if path:
        return [FormProblem(entity_key(i, "config", prefix + _base(str(path[0]))), message)]
    section = entity_key(i, "config", group)
    if message.startswith("unknown field"):
        return [FormProblem(section, message)]
    placed = []
    for sentence in _sentences(model, block, message):
        quoted = {_base(q) for q in _QUOTED.findall(sentence) if q in model.model_fields}
        placed.append(
            FormProblem(entity_key(i, "config", prefix + quoted.pop()) if len(quoted) == 1 else section, sentence)
        )
    return placed


def _sentences(model: type[BaseModel], data: Any, joined: str) -> list[str]:
    """The rules a block breaks, one sentence each, asked of the block's model (``joined`` if it cannot say)."""
    if issubclass(model, UserChecked) and isinstance(data, dict):
        try:
            problems = model.model_validate(data).problems()
        except ValidationError:
            problems = []
        if problems:
            return problems
    return [joined]


def _base(name: str) -> str:
    return name.removesuffix(PLAINTEXT_SUFFIX)
