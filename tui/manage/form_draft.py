"""The endpoint being edited (the draft) and its create body, both ways.

The draft is the create body cut into what the form edits: each served entity's own fields, its
external model's fields, one config block per provider tried (switching provider and back keeps what
was typed) and its traffic percentage; the endpoint's name, description and tags; everything else
(rate limits, AI gateway, ...) rides along unchanged. ``body_of(draft_of(body)) == body`` for every
body whose routes name its entities in order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tui.domain.endpoints import (
    TASK_CHAT,
    CreateServingEndpoint,
    EndpointCoreConfigInput,
    ServedEntityInput,
    ServingEndpointDetailed,
    even_split,
)
from tui.domain.names import default_served_entity_name
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, PROVIDER_CONFIGS
from tui.manage.form import variant_of

Json = dict[str, Any]


@dataclass
class EntityDraft:
    """One served entity as the form edits it."""

    entity: Json = field(default_factory=dict)
    """The served entity's fields but ``external_model`` (its ``name``, and any the form does not edit)."""
    model: Json = field(default_factory=dict)
    """The external model's fields but the provider config blocks (``name``, ``provider``, ``task``...)."""
    configs: dict[str, Json] = field(default_factory=dict)
    """Provider config blocks by key; only the chosen provider's goes into the body."""
    traffic: int | None = None

    @property
    def provider(self) -> str:
        return str(self.model.get("provider") or "")

    @property
    def config_key(self) -> str | None:
        found = PROVIDER_CONFIGS.get(self.provider)
        return found[0] if found else None

    @property
    def config(self) -> Json:
        """The chosen provider's config block (created empty the first time)."""
        key = self.config_key
        return self.configs.setdefault(key, {}) if key else {}

    @property
    def route_name(self) -> str:
        """The name a traffic route gives this entity: its own, or Databricks' default from the model."""
        return str(self.entity.get("name") or default_served_entity_name(str(self.model.get("name") or "")))


@dataclass
class EndpointDraft:
    top: Json = field(default_factory=dict)
    """The create body's fields but ``config`` and ``tags``: ``name``, ``description``, rate limits, ..."""
    config: Json = field(default_factory=dict)
    """The config's fields but ``served_entities`` and ``traffic_config`` (``auto_capture_config``)."""
    entities: list[EntityDraft] = field(default_factory=list)
    tags: list[Json] | None = None

    @property
    def name(self) -> str:
        return str(self.top.get("name") or "")


def new_draft(task: str = TASK_CHAT, provider: str = "openai") -> EndpointDraft:
    """A blank endpoint: one served entity of ``provider`` for ``task``, nothing else filled in."""
    return EndpointDraft(top={"name": ""}, entities=[new_entity(task, provider)])


def new_entity(task: str, provider: str) -> EntityDraft:
    """A served entity with no model name yet (so the domain says at once that it is required)."""
    return EntityDraft(model={"provider": provider, "task": task})


def draft_of(body: Json) -> EndpointDraft:
    """The draft of a create body (as a person would write it, or as :func:`body_of_endpoint` gives it)."""
    body = copy.deepcopy(body)
    config = body.pop("config", None)
    tags = body.pop("tags", None)
    draft = EndpointDraft(top=body, tags=tags if isinstance(tags, list) else None)
    if not isinstance(config, dict):
        return draft
    entities = config.pop("served_entities", None) or []
    traffic = config.pop("traffic_config", None)
    draft.config = config
    draft.entities = [_entity_draft(e) for e in entities if isinstance(e, dict)]
    routes = traffic.get("routes") if isinstance(traffic, dict) else None
    by_name = {e.route_name: e for e in draft.entities}
    for route in routes if isinstance(routes, list) else []:
        target = route.get("served_entity_name") or route.get("served_model_name") if isinstance(route, dict) else None
        if target in by_name:
            by_name[target].traffic = route.get("traffic_percentage")
    return draft


def _entity_draft(entity: Json) -> EntityDraft:
    model = entity.pop("external_model", None)
    model = model if isinstance(model, dict) else {}
    configs = {key: model.pop(key) for key, _ in PROVIDER_CONFIGS.values() if isinstance(model.get(key), dict)}
    return EntityDraft(entity=entity, model=model, configs=configs)


def body_of(draft: EndpointDraft) -> Json:
    """The create body the draft stands for: what is validated, shown in the JSON view and saved."""
    body = copy.deepcopy(draft.top)
    if draft.entities or draft.config:
        config: Json = copy.deepcopy(draft.config)
        config["served_entities"] = [_entity_body(e) for e in draft.entities]
        routes = [
            {"served_entity_name": e.route_name, "traffic_percentage": e.traffic}
            for e in draft.entities
            if e.traffic is not None
        ]
        if routes:
            config["traffic_config"] = {"routes": routes}
        body["config"] = config
    if draft.tags is not None:
        body["tags"] = copy.deepcopy(draft.tags)
    return body


def _entity_body(entity: EntityDraft) -> Json:
    out = copy.deepcopy(entity.entity)
    model = copy.deepcopy(entity.model)
    key = entity.config_key
    if key is not None:
        model[key] = shown_block(entity)
    out["external_model"] = model
    return out


def shown_block(entity: EntityDraft) -> Json:
    """The chosen provider's block with only the fields its variant shows (an Azure block keeps no
    ``openai_organization`` typed while it was plain OpenAI); fields no model knows stay, to be refused."""
    block = copy.deepcopy(entity.config)
    variant = variant_of(entity.provider)
    if variant is None:
        return block
    value = variant.value(block)
    return {k: v for k, v in block.items() if variant.applies(k.removesuffix(PLAINTEXT_SUFFIX), value)}


def body_of_endpoint(endpoint: ServingEndpointDetailed) -> Json:
    """The create body that would make ``endpoint`` as it is now (its pending config when one is rolling
    out): fields only a server sets are left out; write-only plaintext keys were never handed out."""
    data = endpoint.to_json()
    body: Json = {k: data[k] for k in CreateServingEndpoint.model_fields if k in data and k != "config"}
    source = data.get("pending_config") or data.get("config")
    if isinstance(source, dict):
        config = {k: v for k, v in source.items() if k in EndpointCoreConfigInput.model_fields}
        config["served_entities"] = [
            {k: v for k, v in e.items() if k in ServedEntityInput.model_fields}
            for e in config.get("served_entities") or []
        ]
        body["config"] = config
    return body


# ---- editing ----------------------------------------------------------------------------------


def add_entity(draft: EndpointDraft) -> EntityDraft:
    """A new served entity like the last one (same provider and task, so the endpoint stays one task,
    keys not copied); traffic is split evenly again."""
    last = draft.entities[-1] if draft.entities else new_entity(TASK_CHAT, "openai")
    entity = new_entity(str(last.model.get("task") or TASK_CHAT), last.provider or "openai")
    draft.entities.append(entity)
    _split_evenly(draft)
    return entity


def remove_entity(draft: EndpointDraft, index: int) -> None:
    """Removes served entity ``index`` (never the last one); the others share the traffic evenly."""
    if len(draft.entities) > 1:
        del draft.entities[index]
        _split_evenly(draft)


def _split_evenly(draft: EndpointDraft) -> None:
    routes = even_split([str(i) for i in range(len(draft.entities))])
    for entity, route in zip(draft.entities, routes, strict=True):
        entity.traffic = route.traffic_percentage


def traffic_total(draft: EndpointDraft) -> int | None:
    """The sum of the percentages given, None when none is (the workspace splits evenly)."""
    given = [e.traffic for e in draft.entities if e.traffic is not None]
    return sum(given) if given else None


# ---- fields by key ----------------------------------------------------------------------------
# A form field's key says where it lives in the draft: "name", "description", "entities.0.entity.name",
# "entities.0.model.task", "entities.0.config.openai_api_key", "entities.0.config.api_key_auth.value",
# "entities.0.traffic". Problems carry the same keys, so each is shown under its field.


def entity_key(index: int, part: str = "", name: str = "") -> str:
    """The key of served entity ``index`` itself, of one of its parts (entity/model/config/traffic) or fields."""
    return ".".join(p for p in ("entities", str(index), part, name) if p)


def parent_key(key: str) -> str:
    """Where a problem goes when its field is not shown: the enclosing section, up to ``endpoint``."""
    if "." not in key:
        return "endpoint"
    parent = key.rsplit(".", 1)[0]
    if parent.startswith("entities.") and parent.count(".") == 2 and parent.endswith(".model"):
        return parent.rsplit(".", 1)[0]
    return parent


def get_field(draft: EndpointDraft, key: str) -> Any:
    where, name = _locate(draft, key)
    return value_at(where, name) if where is not None else None


def set_field(draft: EndpointDraft, key: str, value: Any) -> None:
    """Sets the field at ``key``; an empty value (None or "") removes an optional field, as JSON would
    leave it out (the endpoint's name stays, empty, so the domain says it is required)."""
    if key.endswith(".traffic"):
        draft.entities[int(key.split(".")[1])].traffic = value if isinstance(value, int) else None
        return
    where, name = _locate(draft, key)
    if where is not None:
        set_at(where, name, "" if key == "name" and value is None else value, keep_empty=key == "name")


def set_secret(draft: EndpointDraft, key: str, text: str, *, plaintext: bool) -> None:
    """A credential as a reference (``x``) or in plaintext (``x_plaintext``): the other half is cleared."""
    set_field(draft, key + PLAINTEXT_SUFFIX, text if plaintext else None)
    set_field(draft, key, None if plaintext else text)


def get_secret(draft: EndpointDraft, key: str) -> tuple[str, bool]:
    """(text, plaintext?) of a credential field."""
    plain = get_field(draft, key + PLAINTEXT_SUFFIX)
    if plain:
        return str(plain), True
    return str(get_field(draft, key) or ""), False


def _locate(draft: EndpointDraft, key: str) -> tuple[Json | None, str]:
    parts = key.split(".", 3)
    if parts[0] != "entities":
        return draft.top, key
    if len(parts) < 4 or not parts[1].isdigit() or int(parts[1]) >= len(draft.entities):
        return None, ""
    entity = draft.entities[int(parts[1])]
    blocks = {"entity": entity.entity, "model": entity.model, "config": entity.config}
    return blocks.get(parts[2]), parts[3]


def value_at(block: Json, name: str) -> Any:
    """The value at a dotted ``name`` (``bearer_token_auth.token``), None when absent."""
    node: Any = block
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def set_at(block: Json, name: str, value: Any, *, keep_empty: bool = False) -> None:
    """Sets a dotted ``name``; an empty value removes it, and a nested group left empty goes too
    (an auth block nobody filled in is not given at all)."""
    head, _, rest = name.partition(".")
    if rest:
        inner = block.get(head)
        inner = inner if isinstance(inner, dict) else {}
        set_at(inner, rest, value)
        if inner:
            block[head] = inner
        else:
            block.pop(head, None)
    elif value in (None, "") and not keep_empty:
        block.pop(head, None)
    else:
        block[head] = value
