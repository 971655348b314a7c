"""Serving endpoints in the workspace file, stored as the Databricks endpoint JSON.

The stored document keeps write-only fields (``*_plaintext`` keys); everything handed out passes
through :func:`strip_plaintext`. A configuration reaches ``config`` through :mod:`.rollout`: at once by
default, or after ``rollout_seconds`` with the ``state`` / ``pending_config`` Databricks shows meanwhile.
A rollout whose time is up is finished by the first read or write that finds it, inside a write
transaction, so every reader (in any process) sees one outcome.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from typing import Any

from tui.domain.base import parse_stored
from tui.domain.endpoints import (
    CreateServingEndpoint,
    EndpointCoreConfigInput,
    ServingEndpointDetailed,
    strip_plaintext,
)
from tui.domain.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit, Tag
from tui.domain.names import check_endpoint_name
from tui.domain.secret_refs import secret_refs_in
from tui.workspace.local import rollout
from tui.workspace.local.secrets_repo import missing_secret_problem
from tui.workspace.local.store import Store


def _check_servable(config: EndpointCoreConfigInput) -> None:
    for entity in config.served_entities:
        if entity.external_model is None:
            raise InvalidParameterValue(
                f"The local workspace serves external models only; served entity '{entity.effective_name}' "
                "has no 'external_model'"
            )


def _missing_secret(conn: sqlite3.Connection, config: dict[str, Any]) -> str | None:
    """What is wrong with the first secret ``config`` refers to that is not there, as a sentence."""
    for ref in secret_refs_in(config):
        problem = missing_secret_problem(conn, ref)
        if problem:
            return problem[0].upper() + problem[1:]
    return None


def _check_secrets_exist(conn: sqlite3.Connection, config: EndpointCoreConfigInput) -> None:
    problem = _missing_secret(conn, config.to_json())
    if problem:
        raise ResourceDoesNotExist(problem)


def _config_output(config: EndpointCoreConfigInput, version: int, creator: str, now: int) -> dict[str, Any]:
    config = config.with_defaults()
    entities = [
        {
            **entity.to_json(),
            "state": {"deployment": "DEPLOYMENT_READY", "deployment_state_message": ""},
            "creator": creator,
            "creation_timestamp": now,
        }
        for entity in config.served_entities
    ]
    out: dict[str, Any] = {"served_entities": entities, "config_version": version}
    if config.traffic_config is not None:
        out["traffic_config"] = config.traffic_config.to_json()
    if config.auto_capture_config is not None:
        out["auto_capture_config"] = config.auto_capture_config
    return out


DOC_QUERY = "SELECT doc FROM endpoints WHERE name = ?"


def _doc_text(row: tuple[Any, ...] | None, name: str) -> str:
    """The stored text of :data:`DOC_QUERY`'s row for endpoint ``name``."""
    if row is None:
        raise ResourceDoesNotExist(f"Endpoint '{name}' does not exist")
    return str(row[0])


PARSED_KEPT = 64
"""Parsed endpoints :meth:`EndpointsRepo.for_query` keeps (all are dropped when it is full)."""

# aliases: inside the class, ``list`` names its method
RateLimits = list[RateLimit]
Tags = list[Tag]


class EndpointsRepo:
    def __init__(
        self, store: Store, creator: str, *, rollout_seconds: float = 0.0, clock: Callable[[], float] | None = None
    ) -> None:
        self._store = store
        self._creator = creator
        self.rollout_seconds = rollout_seconds
        """How long a new configuration takes to serve (0: at once)."""
        self._clock = clock
        self._parsed: dict[str, tuple[dict[str, Any], ServingEndpointDetailed]] = {}
        """Stored text -> (its document, its endpoint) for :meth:`for_query`."""

    def _now_ms(self) -> int:
        return int((self._clock or time.time)() * 1000)  # time.time looked up now: a test may have frozen it

    # -- reading
    def _load(self, conn: sqlite3.Connection, name: str) -> dict[str, Any]:
        return dict(json.loads(_doc_text(conn.execute(DOC_QUERY, (name,)).fetchone(), name)))

    def _save(self, conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
        doc["last_updated_timestamp"] = self._now_ms()
        conn.execute("UPDATE endpoints SET doc = ? WHERE name = ?", (json.dumps(doc), doc["name"]))

    @staticmethod
    def _public(doc: dict[str, Any]) -> ServingEndpointDetailed:
        return parse_stored(ServingEndpointDetailed, strip_plaintext(rollout.public(doc)))

    def _current(self, name: str) -> dict[str, Any]:
        """The stored document, its rollout finished first when its time is up."""
        with self._store.read() as conn:
            doc = self._load(conn, name)
        if not rollout.due(doc, self._now_ms()):
            return doc
        with self._store.write() as conn:
            return self._settled(conn, self._load(conn, name))

    def _settled(self, conn: sqlite3.Connection, doc: dict[str, Any]) -> dict[str, Any]:
        """``doc`` with a rollout whose time is up finished and saved (inside a write transaction)."""
        if rollout.due(doc, self._now_ms()):
            rollout.finish(doc, _missing_secret(conn, doc.get("pending_config") or {}))
            self._save(conn, doc)
        return doc

    def get(self, name: str) -> ServingEndpointDetailed:
        return self._public(self._current(name))

    def for_query(self, name: str) -> ServingEndpointDetailed:
        """The endpoint including write-only plaintext keys, to build provider requests; refused while
        it has no configuration serving.

        Parsed once per stored text (kept in memory, a few at most): every change to an endpoint changes its
        text (its ``last_updated_timestamp`` at least), so a query of an unchanged endpoint reads its row
        but parses nothing. The endpoint handed out is shared by the queries of that text: read it, never
        change it.
        """
        text = _doc_text(self._store.read_row(DOC_QUERY, (name,)), name)
        doc, endpoint = self._parsed.get(text) or (json.loads(text), None)
        due = rollout.due(doc, self._now_ms())
        if due:
            with self._store.write() as conn:
                doc, endpoint = self._settled(conn, self._load(conn, name)), None
        rollout.refuse_query(doc)
        if endpoint is None:
            endpoint = parse_stored(ServingEndpointDetailed, rollout.public(doc))
            if not due:  # a settled doc was saved under a new text
                if len(self._parsed) >= PARSED_KEPT:
                    self._parsed.clear()
                self._parsed[text] = (doc, endpoint)
        return endpoint

    def list(self) -> list[ServingEndpointDetailed]:
        with self._store.read() as conn:
            docs = _all(conn)
        now = self._now_ms()
        if any(rollout.due(doc, now) for doc in docs):
            with self._store.write() as conn:
                docs = [self._settled(conn, doc) for doc in _all(conn)]
        return [self._public(doc) for doc in docs]

    # -- writing
    def create(self, request: CreateServingEndpoint) -> ServingEndpointDetailed:
        check_endpoint_name(request.name)
        if request.config is None:
            raise InvalidParameterValue("'config' is required: an endpoint needs at least one served entity")
        _check_servable(request.config)
        now = self._now_ms()
        doc: dict[str, Any] = {
            "name": request.name,
            "id": uuid.uuid4().hex,
            "creator": self._creator,
            "creation_timestamp": now,
            "last_updated_timestamp": now,
            "task": request.config.task,
            "endpoint_type": "EXTERNAL_MODEL",
            "permission_level": "CAN_MANAGE",
        }
        for field in ("tags", "rate_limits", "ai_gateway", "route_optimized", "description", "budget_policy_id"):
            value = getattr(request, field)
            if value is not None:
                doc[field] = [v.to_json() for v in value] if isinstance(value, list) else _jsonable(value)
        rollout.begin(doc, _config_output(request.config, 1, self._creator, now), now, self.rollout_seconds)
        with self._store.write() as conn:
            if conn.execute("SELECT 1 FROM endpoints WHERE name = ?", (request.name,)).fetchone():
                raise ResourceAlreadyExists(f"Endpoint '{request.name}' already exists")
            _check_secrets_exist(conn, request.config)
            conn.execute(
                "INSERT INTO endpoints (name, id, doc) VALUES (?, ?, ?)", (request.name, doc["id"], json.dumps(doc))
            )
        return self._public(doc)

    def update_config(self, name: str, config: EndpointCoreConfigInput) -> ServingEndpointDetailed:
        _check_servable(config)
        with self._store.write() as conn:
            doc = self._settled(conn, self._load(conn, name))
            rollout.refuse_update(doc)
            _check_secrets_exist(conn, config)
            versions = (doc.get(key) or {} for key in ("config", "pending_config"))
            version = max(int(c.get("config_version") or 0) for c in versions) + 1
            now = self._now_ms()
            rollout.begin(doc, _config_output(config, version, self._creator, now), now, self.rollout_seconds)
            doc["task"] = config.task
            self._save(conn, doc)
        return self._public(doc)

    def put_rate_limits(self, name: str, rate_limits: RateLimits) -> RateLimits:
        with self._store.write() as conn:
            doc = self._settled(conn, self._load(conn, name))
            doc["rate_limits"] = [r.to_json() for r in rate_limits]
            self._save(conn, doc)
        return [parse_stored(RateLimit, r) for r in doc["rate_limits"]]

    def put_ai_gateway(self, name: str, gateway: AiGatewayConfig) -> AiGatewayConfig:
        with self._store.write() as conn:
            doc = self._settled(conn, self._load(conn, name))
            doc["ai_gateway"] = gateway.to_json()
            self._save(conn, doc)
        return parse_stored(AiGatewayConfig, doc["ai_gateway"])

    def patch_tags(self, name: str, patch: PatchTagsRequest) -> Tags:
        with self._store.write() as conn:
            doc = self._settled(conn, self._load(conn, name))
            tags = {t["key"]: t for t in doc.get("tags") or []}
            for key in patch.delete_tags or []:
                tags.pop(key, None)
            for tag in patch.add_tags or []:
                tags[tag.key] = tag.to_json()
            doc["tags"] = list(tags.values())
            self._save(conn, doc)
        return [parse_stored(Tag, t) for t in doc["tags"]]

    def delete(self, name: str) -> None:
        with self._store.write() as conn:
            if not conn.execute("DELETE FROM endpoints WHERE name = ?", (name,)).rowcount:
                raise ResourceDoesNotExist(f"Endpoint '{name}' does not exist")


def _all(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [json.loads(doc) for (doc,) in conn.execute("SELECT doc FROM endpoints ORDER BY name").fetchall()]


def _jsonable(value: Any) -> Any:
    return value.to_json() if hasattr(value, "to_json") else value
