"""endpoints_using: which endpoints stop working when a scope or a key goes."""

from __future__ import annotations

from tui.domain.base import parse_stored
from tui.domain.endpoints import ServingEndpointDetailed
from tui.manage.dependents import endpoints_using
from tui.simulator.endpoints import endpoint_body

BASE = "http://127.0.0.1:9"


def _stored(name: str, secret: str, flavour: str = "openai") -> ServingEndpointDetailed:
    return parse_stored(ServingEndpointDetailed, endpoint_body(BASE, flavour, "chat", name=name, secret=secret))


ENDPOINTS = [
    _stored("uses-a-key", "{{secrets/a/key}}"),
    _stored("uses-a-other", "{{secrets/a/other}}", "anthropic"),
    _stored("uses-b", "{{secrets/b/key}}", "custom"),
    _stored("entra", "{{secrets/a/key}}", "azuread"),
]


def test_a_scope_is_used_by_every_endpoint_referring_to_any_of_its_keys() -> None:
    assert endpoints_using(ENDPOINTS, "a") == ["entra", "uses-a-key", "uses-a-other"]


def test_a_key_is_used_only_by_the_endpoints_naming_it() -> None:
    assert endpoints_using(ENDPOINTS, "a", "key") == ["entra", "uses-a-key"]
    assert endpoints_using(ENDPOINTS, "b", "key") == ["uses-b"]


def test_nothing_depends_on_an_unused_secret() -> None:
    assert endpoints_using(ENDPOINTS, "c") == []
    assert endpoints_using(ENDPOINTS, "a", "missing") == []
    assert endpoints_using([], "a") == []


def test_a_plaintext_key_is_no_reference() -> None:
    body = endpoint_body(BASE, "openai", "chat", name="plain")
    config = body["config"]["served_entities"][0]["external_model"]["openai_config"]
    config.pop("openai_api_key")
    config["openai_api_key_plaintext"] = "{{secrets/a/key}}"
    assert endpoints_using([parse_stored(ServingEndpointDetailed, body)], "a") == []
