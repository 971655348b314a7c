"""Secret references ``{{secrets/<scope>/<key>}}``, and the helpers that find, resolve and hide keys."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests import payloads
from tui.domain.base import parse_user_input
from tui.domain.endpoints import EndpointCoreConfigInput, plaintext_fields, strip_plaintext
from tui.domain.secret_refs import (
    SecretRef,
    parse_secret_ref,
    resolve_secret_refs,
    secret_ref_problem,
    secret_refs_in,
)

# ---- parse_secret_ref ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scope", "key"),
    [
        ("{{secrets/my_scope/my_key}}", "my_scope", "my_key"),
        ("{{ secrets/my_scope/my_key }}", "my_scope", "my_key"),
        ("{{   secrets/s/k}}", "s", "k"),
        ("{{secrets/s/k   }}", "s", "k"),
        ("  {{secrets/s/k}}\n", "s", "k"),
        ("{{secrets/my.scope@example.com/key-1_2.3}}", "my.scope@example.com", "key-1_2.3"),
        ("{{secrets/my_openai_secret_scope/openai_api_key}}", "my_openai_secret_scope", "openai_api_key"),
    ],
)
def test_parse_valid_ref(text: str, scope: str, key: str) -> None:
    ref = parse_secret_ref(text)
    assert ref == SecretRef(scope, key)
    assert str(ref) == f"{{{{secrets/{scope}/{key}}}}}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sk-123",
        "secrets/s/k",
        "{{secrets/onlyscope}}",
        "{{secrets/a/b/c}}",
        "{{secrets//k}}",
        "{{secrets/s/}}",
        "{{secret/s/k}}",
        "{{Secrets/s/k}}",
        "{secrets/s/k}",
        "{{secrets/s/k}",
        "{{secrets/my scope/k}}",
        "{{ secrets / s / k }}",
        "prefix {{secrets/s/k}}",
        "{{secrets/s/k}} suffix",
        "{{secrets/a/b}}{{secrets/c/d}}",
    ],
)
def test_parse_malformed_ref(text: str) -> None:
    assert parse_secret_ref(text) is None


def test_secret_ref_is_hashable_and_ordered() -> None:
    refs = [SecretRef("b", "a"), SecretRef("a", "z"), SecretRef("a", "b")]
    assert sorted(refs) == [SecretRef("a", "b"), SecretRef("a", "z"), SecretRef("b", "a")]
    assert len({SecretRef("s", "k"), SecretRef("s", "k")}) == 1


def test_secret_ref_problem_messages() -> None:
    assert secret_ref_problem("{{secrets/s/k}}", "cohere_api_key") is None
    malformed = secret_ref_problem("{{secrets/onlyscope}}", "cohere_api_key")
    assert malformed is not None
    assert "'{{secrets/onlyscope}}' is not a valid secret reference" in malformed
    assert "{{secrets/<scope>/<key>}}" in malformed
    literal = secret_ref_problem("abc", "cohere_api_key")
    assert literal is not None
    assert "must be a secret reference like {{secrets/my_scope/cohere_api_key}}" in literal
    assert "'cohere_api_key_plaintext'" in literal


# ---- secret_refs_in ---------------------------------------------------------------------------------------


def _config(*entities: dict[str, Any]) -> dict[str, Any]:
    return {"served_entities": list(entities)}


def _openai_entity(name: str, key: str | None = None, plaintext: str | None = None, **extra: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    if key is not None:
        cfg["openai_api_key"] = key
    if plaintext is not None:
        cfg["openai_api_key_plaintext"] = plaintext
    return {
        "name": name,
        "external_model": {"name": "gpt-4o", "provider": "openai", "task": "llm/v1/chat", "openai_config": cfg},
        **extra,
    }


def test_secret_refs_in_sorted_and_deduplicated() -> None:
    config = _config(
        _openai_entity("c", "{{secrets/zeta/key}}"),
        _openai_entity("a", "{{secrets/alpha/key2}}"),
        _openai_entity("b", "{{ secrets/alpha/key1 }}"),
        _openai_entity("d", "{{secrets/zeta/key}}"),
    )
    assert secret_refs_in(config) == [
        SecretRef("alpha", "key1"),
        SecretRef("alpha", "key2"),
        SecretRef("zeta", "key"),
    ]


def test_secret_refs_in_skips_plaintext_fields() -> None:
    config = _config(
        _openai_entity("a", plaintext="{{secrets/literal/not_a_ref}}"),
        {
            "name": "b",
            "external_model": {
                "name": "m",
                "provider": "custom",
                "task": "llm/v1/chat",
                "custom_provider_config": {
                    "custom_provider_url": "http://h",
                    "api_key_auth": {"key": "X-Key", "value_plaintext": "{{secrets/literal/too}}"},
                },
            },
        },
    )
    assert secret_refs_in(config) == []


def test_secret_refs_in_finds_refs_in_environment_vars_and_nested_auth() -> None:
    config = _config(
        _openai_entity(
            "a",
            "{{secrets/s/openai}}",
            environment_vars={"HF_TOKEN": "{{secrets/env_scope/hf}}", "PLAIN": "value", "DUP": "{{secrets/s/openai}}"},
        ),
        {
            "name": "b",
            "external_model": {
                "name": "m",
                "provider": "custom",
                "task": "llm/v1/chat",
                "custom_provider_config": {
                    "custom_provider_url": "http://h",
                    "bearer_token_auth": {"token": "{{secrets/custom/tok}}"},
                },
            },
        },
    )
    assert secret_refs_in(config) == [
        SecretRef("custom", "tok"),
        SecretRef("env_scope", "hf"),
        SecretRef("s", "openai"),
    ]


def test_secret_refs_in_ignores_malformed_and_non_strings() -> None:
    data = {"a": "{{secrets/onlyscope}}", "b": 5, "c": None, "d": ["x", {"e": "{{secrets/s/k}}"}], "f": True}
    assert secret_refs_in(data) == [SecretRef("s", "k")]


def test_secret_refs_in_tutorial_payloads() -> None:
    assert secret_refs_in(payloads.OPENAI_COMPLETIONS) == [SecretRef(payloads.OPENAI_SCOPE, "openai_api_key")]
    assert secret_refs_in(payloads.ANTHROPIC_COMPLETIONS) == [SecretRef(payloads.ANTHROPIC_SCOPE, "anthropic_api_key")]
    assert secret_refs_in(payloads.openai_plaintext()) == []


def test_secret_refs_in_parsed_config_json() -> None:
    cfg = parse_user_input(EndpointCoreConfigInput, copy.deepcopy(payloads.azure_openai()["config"]), "config")
    assert secret_refs_in(cfg.to_json()) == [SecretRef(payloads.OPENAI_SCOPE, "openai_api_key")]


# ---- resolve_secret_refs ----------------------------------------------------------------------------------

VALUES = {SecretRef("s", "openai"): "sk-real", SecretRef("env", "hf"): "hf-real"}


def test_resolve_secret_refs_replaces_every_ref() -> None:
    config = _config(
        _openai_entity("a", "{{ secrets/s/openai }}", environment_vars={"HF": "{{secrets/env/hf}}", "X": "1"})
    )
    original = copy.deepcopy(config)
    resolved = resolve_secret_refs(config, VALUES.__getitem__)
    entity = resolved["served_entities"][0]
    assert entity["external_model"]["openai_config"]["openai_api_key"] == "sk-real"
    assert entity["environment_vars"] == {"HF": "hf-real", "X": "1"}
    assert entity["external_model"]["name"] == "gpt-4o"
    assert config == original  # a copy; the input is left alone
    assert secret_refs_in(resolved) == []


def test_resolve_secret_refs_leaves_other_values() -> None:
    data = {"a": [1, None, True, "text", "{{secrets/onlyscope}}"], "b": {"c": 2.5}}
    calls: list[SecretRef] = []
    assert resolve_secret_refs(data, lambda ref: calls.append(ref) or "x") == data
    assert calls == []


def test_resolve_secret_refs_looks_up_each_occurrence() -> None:
    seen: list[SecretRef] = []

    def lookup(ref: SecretRef) -> str:
        seen.append(ref)
        return f"<{ref.scope}:{ref.key}>"

    out = resolve_secret_refs(["{{secrets/a/b}}", {"k": "{{secrets/a/b}}"}], lookup)
    assert out == ["<a:b>", {"k": "<a:b>"}]
    assert seen == [SecretRef("a", "b"), SecretRef("a", "b")]


def test_resolve_secret_refs_keeps_plaintext_values_literal() -> None:
    # A *_plaintext field holds the key itself (spec 3.3/3.4): even if it looks like a reference it is not
    # one, and secret_refs_in does not list it (so nobody checked that the caller may read that secret).
    config = _config(_openai_entity("a", plaintext="{{secrets/s/openai}}"))
    resolved = resolve_secret_refs(config, VALUES.__getitem__)
    cfg = resolved["served_entities"][0]["external_model"]["openai_config"]
    assert cfg["openai_api_key_plaintext"] == "{{secrets/s/openai}}"


# ---- strip_plaintext ---------------------------------------------------------------------------------------


def test_strip_plaintext_removes_every_plaintext_key_at_any_depth() -> None:
    data = {
        "top_plaintext": "x",
        "name": "ep",
        "config": {
            "served_entities": [
                _openai_entity("a", plaintext="sk-1"),
                {
                    "name": "b",
                    "external_model": {
                        "name": "m",
                        "provider": "custom",
                        "task": "llm/v1/chat",
                        "custom_provider_config": {
                            "custom_provider_url": "http://h",
                            "api_key_auth": {"key": "X-Key", "value_plaintext": "v"},
                            "bearer_token_auth": {"token_plaintext": "t", "token": "{{secrets/s/t}}"},
                        },
                    },
                },
            ],
            "nested": [[{"deep_plaintext": 1, "keep": 2}]],
        },
    }
    original = copy.deepcopy(data)
    out = strip_plaintext(data)
    assert data == original  # input untouched

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    assert not [k for k in keys(out) if k.endswith("_plaintext")]
    assert out["name"] == "ep"
    assert "top_plaintext" not in out
    assert out["config"]["served_entities"][0]["external_model"]["openai_config"] == {}
    custom = out["config"]["served_entities"][1]["external_model"]["custom_provider_config"]
    assert custom == {
        "custom_provider_url": "http://h",
        "api_key_auth": {"key": "X-Key"},
        "bearer_token_auth": {"token": "{{secrets/s/t}}"},
    }
    assert out["config"]["nested"] == [[{"keep": 2}]]


@pytest.mark.parametrize("value", [None, 3, "text_plaintext", ["a_plaintext"], []])
def test_strip_plaintext_leaves_non_dicts(value: Any) -> None:
    assert strip_plaintext(value) == value


def test_strip_plaintext_tutorial_payload_matches_what_get_returns() -> None:
    body = payloads.openai_plaintext()
    stripped = strip_plaintext(body)
    assert stripped["config"]["served_entities"] == payloads.served_config(body)
    assert "sk-plaintext-not-for-echo" not in repr(stripped)


# ---- plaintext_fields ---------------------------------------------------------------------------------------


def _parse_config(entities: list[dict[str, Any]]) -> EndpointCoreConfigInput:
    return parse_user_input(EndpointCoreConfigInput, {"served_entities": entities}, "config")


def test_plaintext_fields_lists_paths() -> None:
    config = _parse_config(
        [
            _openai_entity("a", "{{secrets/s/k}}"),
            _openai_entity("b", plaintext="sk-1"),
            {
                "name": "c",
                "external_model": {
                    "name": "m",
                    "provider": "custom",
                    "task": "llm/v1/chat",
                    "custom_provider_config": {
                        "custom_provider_url": "http://h",
                        "api_key_auth": {"key": "X-Key", "value_plaintext": "v"},
                    },
                },
            },
            {
                "name": "d",
                "external_model": {
                    "name": "m",
                    "provider": "custom",
                    "task": "llm/v1/chat",
                    "custom_provider_config": {
                        "custom_provider_url": "http://h",
                        "bearer_token_auth": {"token_plaintext": "t"},
                    },
                },
            },
            {
                "name": "e",
                "external_model": {
                    "name": "m",
                    "provider": "amazon-bedrock",
                    "task": "llm/v1/chat",
                    "amazon_bedrock_config": {
                        "aws_region": "us-east-1",
                        "bedrock_provider": "anthropic",
                        "aws_access_key_id_plaintext": "id",
                        "aws_secret_access_key_plaintext": "sk",
                    },
                },
            },
        ]
    )
    assert plaintext_fields(config) == [
        "served_entities[1].openai_config.openai_api_key_plaintext",
        "served_entities[2].custom_provider_config.api_key_auth.value_plaintext",
        "served_entities[3].custom_provider_config.bearer_token_auth.token_plaintext",
        "served_entities[4].amazon_bedrock_config.aws_access_key_id_plaintext",
        "served_entities[4].amazon_bedrock_config.aws_secret_access_key_plaintext",
    ]


def test_plaintext_fields_azuread_client_secret() -> None:
    config = _parse_config(
        [
            {
                "name": "a",
                "external_model": {
                    "name": "gpt-4o",
                    "provider": "openai",
                    "task": "llm/v1/chat",
                    "openai_config": {
                        "openai_api_type": "azuread",
                        "microsoft_entra_client_id": "c",
                        "microsoft_entra_tenant_id": "t",
                        "microsoft_entra_client_secret_plaintext": "secret",
                        "openai_api_base": "https://x",
                        "openai_deployment_name": "d",
                        "openai_api_version": "2024-02-01",
                    },
                },
            }
        ]
    )
    assert plaintext_fields(config) == ["served_entities[0].openai_config.microsoft_entra_client_secret_plaintext"]


def test_plaintext_fields_empty_with_secret_refs_only() -> None:
    config = parse_user_input(EndpointCoreConfigInput, copy.deepcopy(payloads.OPENAI_COMPLETIONS["config"]), "config")
    assert plaintext_fields(config) == []


def test_plaintext_fields_tutorial_plaintext_payload() -> None:
    config = parse_user_input(EndpointCoreConfigInput, payloads.openai_plaintext()["config"], "config")
    assert plaintext_fields(config) == ["served_entities[0].openai_config.openai_api_key_plaintext"]
