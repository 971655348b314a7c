"""The endpoint form, UI-free: fields from the domain models, draft <-> body, problems per field, diff, save."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tui.app.demo import demo_endpoints
from tui.domain.base import parse_user_input
from tui.domain.endpoints import TASKS, CreateServingEndpoint
from tui.domain.errors import ResourceAlreadyExists, ResourceDoesNotExist
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, PROVIDER_CONFIGS, PROVIDERS
from tui.domain.secret_refs import SecretRef
from tui.manage.form import entity_name_field, model_fields, provider_fields
from tui.manage.form_check import FormProblem, check_draft, problems_of_error
from tui.manage.form_draft import (
    EndpointDraft,
    add_entity,
    body_of,
    body_of_endpoint,
    draft_of,
    get_secret,
    new_draft,
    parent_key,
    remove_entity,
    set_field,
    set_secret,
)
from tui.manage.form_save import PLAINTEXT_SHOWN, describe_changes, plan_save, save
from tui.simulator.endpoints import CASES, SIM_REF, endpoint_body
from tui.workspace.local.workspace import LocalWorkspace

BASE = "http://127.0.0.1:9"
KNOWN = [SecretRef("sim", "key")]


def names(provider: str, block: dict[str, Any] | None = None) -> list[str]:
    return [s.name for s in provider_fields(provider, block or {})]


def required(provider: str, block: dict[str, Any] | None = None) -> set[str]:
    return {s.name for s in provider_fields(provider, block or {}) if s.required}


def keys(problems: list[FormProblem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.key, []).append(p.message)
    return out


def valid_draft(**overrides: Any) -> EndpointDraft:
    return draft_of(endpoint_body(BASE, "openai", "chat", name="my-endpoint", **overrides))


# ---- field specs --------------------------------------------------------------------------------


def test_each_provider_gets_exactly_its_fields() -> None:
    assert names("openai") == [
        "openai_api_type",
        "openai_api_key",
        "openai_api_base",
        "openai_api_version",
        "openai_organization",
    ]
    assert names("openai", {"openai_api_type": "azure"}) == [
        "openai_api_type",
        "openai_api_key",
        "openai_api_base",
        "openai_api_version",
        "openai_deployment_name",
    ]
    assert names("openai", {"openai_api_type": "AzureAD"}) == [
        "openai_api_type",
        "openai_api_base",
        "openai_api_version",
        "openai_deployment_name",
        "microsoft_entra_client_id",
        "microsoft_entra_client_secret",
        "microsoft_entra_tenant_id",
        "microsoft_entra_authority",
    ]
    assert names("anthropic") == ["anthropic_api_key", "anthropic_api_base", "anthropic_version"]
    assert names("custom") == [
        "custom_provider_url",
        "api_key_auth.key",
        "api_key_auth.value",
        "bearer_token_auth.token",
    ]
    assert names("databricks-model-serving") == ["databricks_workspace_url", "databricks_api_token"]
    assert names("no-such-provider") == []


def test_required_fields_follow_the_models_rules_for_the_values_given() -> None:
    assert required("openai") == {"openai_api_key"}
    assert required("openai", {"openai_api_type": "azure"}) == {
        "openai_api_key",
        "openai_api_base",
        "openai_api_version",
        "openai_deployment_name",
    }
    assert "microsoft_entra_client_secret" in required("openai", {"openai_api_type": "azuread"})
    assert required("amazon-bedrock") == {"aws_region", "bedrock_provider"}
    with_key = required("amazon-bedrock", {"aws_access_key_id": SIM_REF})
    assert {"aws_access_key_id", "aws_secret_access_key"} <= with_key


def test_every_field_of_every_provider_model_is_in_its_form() -> None:
    """A provider added to the domain gets its form: every model field is a form field (a plaintext half
    belongs to its secret field, a nested block's fields come as a group)."""
    for provider, (_, model) in PROVIDER_CONFIGS.items():
        covered = {s.name.split(".")[0] for s in provider_fields(provider, {})}
        variant_values = ("openai", "azure", "azuread") if provider == "openai" else ()
        for value in variant_values:
            covered |= {s.name for s in provider_fields(provider, {"openai_api_type": value})}
        expected = {n.removesuffix(PLAINTEXT_SUFFIX) for n in model.model_fields}
        assert covered == expected, provider


def test_kinds_choices_and_help_come_from_the_models() -> None:
    specs = {s.name: s for s in provider_fields("openai", {})}
    assert specs["openai_api_type"].kind == "choice"
    assert specs["openai_api_type"].choices == ("openai", "azure", "azuread")
    assert specs["openai_api_key"].kind == "secret"
    assert specs["openai_api_base"].kind == "url"
    assert "base URL" in specs["openai_api_base"].help
    bedrock = {s.name: s for s in provider_fields("amazon-bedrock", {})}
    assert bedrock["bedrock_provider"].choices[:2] == ("anthropic", "cohere")
    model = {s.name: s for s in model_fields()}
    assert model["provider"].choices == PROVIDERS
    assert model["task"].choices == TASKS
    assert "fan_out" in model["n_strategy"].help  # the field's docstring
    assert {"name", "provider", "task"} == {n for n, s in model.items() if s.required}
    assert entity_name_field().kind == "text"


def test_the_variant_table_agrees_with_the_validators() -> None:
    """A field the form hides for an api type is one the domain refuses there."""
    for api_type, hidden, value in (
        ("azure", "openai_organization", "org"),
        ("openai", "openai_deployment_name", "dep"),
        ("azuread", "openai_api_key", SIM_REF),
    ):
        assert hidden not in names("openai", {"openai_api_type": api_type})
        body = endpoint_body(BASE, "azure" if api_type != "openai" else "openai", "chat")
        block = body["config"]["served_entities"][0]["external_model"]["openai_config"]
        block.update({"openai_api_type": api_type, hidden: value})
        with pytest.raises(Exception, match=hidden):
            parse_user_input(CreateServingEndpoint, body, "endpoint")


# ---- draft <-> body --------------------------------------------------------------------------------


def _round_trip_bodies() -> list[dict[str, Any]]:
    bodies = [endpoint_body(BASE, flavour, task) for flavour, task in CASES]
    bodies += demo_endpoints(BASE)
    two = endpoint_body(BASE, "openai", "chat", name="split", tags=[{"key": "team", "value": "ml"}, {"key": "x"}])
    second = copy.deepcopy(two["config"]["served_entities"][0])
    second["name"] = "secondary"
    two["config"]["served_entities"].append(second)
    two["config"]["traffic_config"] = {
        "routes": [
            {"served_entity_name": "primary", "traffic_percentage": 70},
            {"served_entity_name": "secondary", "traffic_percentage": 30},
        ]
    }
    bodies.append(two)
    bodies.append(endpoint_body(BASE, "anthropic", "chat", n_strategy="fan_out", description="d", tags=[]))
    plain = endpoint_body(BASE, "custom", "chat")
    plain["config"]["served_entities"][0]["external_model"]["custom_provider_config"] = {
        "custom_provider_url": BASE,
        "api_key_auth": {"key": "x-key", "value_plaintext": "secret"},
    }
    bodies.append(plain)
    return bodies


@pytest.mark.parametrize("body", _round_trip_bodies(), ids=lambda b: b["name"])
def test_round_trip_through_the_draft_gives_the_same_json(body: dict[str, Any]) -> None:
    assert body_of(draft_of(body)) == body


async def test_a_stored_endpoint_reads_back_as_the_body_that_makes_it(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("sim")
    await workspace.put_secret("sim", "key", b"v")
    body = _round_trip_bodies()[-3]  # two entities, a split, tags
    body["rate_limits"] = [{"calls": 5, "key": "user", "renewal_period": "minute"}]
    stored = await workspace.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    again = body_of_endpoint(stored)
    assert again == body
    assert body_of(draft_of(again)) == body


def test_switching_provider_and_back_keeps_what_was_typed() -> None:
    draft = valid_draft()
    set_field(draft, "entities.0.config.openai_organization", "org-1")
    set_field(draft, "entities.0.model.provider", "anthropic")
    assert "openai_config" not in str(body_of(draft))
    set_field(draft, "entities.0.model.provider", "openai")
    block = body_of(draft)["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert block["openai_organization"] == "org-1"
    set_field(draft, "entities.0.config.openai_api_type", "azure")  # organization is not Azure's
    block = body_of(draft)["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert "openai_organization" not in block and block["openai_api_type"] == "azure"


def test_secret_fields_hold_a_reference_or_plaintext_never_both() -> None:
    draft = valid_draft()
    key = "entities.0.config.openai_api_key"
    set_secret(draft, key, "sk-live", plaintext=True)
    block = body_of(draft)["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert block["openai_api_key_plaintext"] == "sk-live" and "openai_api_key" not in block
    assert get_secret(draft, key) == ("sk-live", True)
    set_secret(draft, key, SIM_REF, plaintext=False)
    block = body_of(draft)["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert block["openai_api_key"] == SIM_REF and "openai_api_key_plaintext" not in block


def test_entities_are_added_and_removed_with_an_even_split() -> None:
    draft = valid_draft()
    add_entity(draft)
    add_entity(draft)
    assert [e.traffic for e in draft.entities] == [34, 33, 33]
    assert draft.entities[2].provider == "openai" and draft.entities[2].model["task"] == "llm/v1/chat"
    remove_entity(draft, 0)
    assert [e.traffic for e in draft.entities] == [50, 50]
    remove_entity(draft, 0)
    remove_entity(draft, 0)  # the last one stays
    assert [e.traffic for e in draft.entities] == [100]


# ---- problems, each under its field ---------------------------------------------------------------------


def test_a_valid_draft_has_no_problem() -> None:
    assert check_draft(valid_draft(), known_refs=KNOWN) == []


def test_a_new_draft_says_what_is_missing_under_each_field() -> None:
    found = keys(check_draft(new_draft()))
    assert found["name"] == ["Endpoint name must not be empty"]
    assert found["entities.0.model.name"] == ["is required"]


@pytest.mark.parametrize(
    ("key", "value", "where", "words"),
    [
        ("name", "bad name!", "name", "only letters, digits"),
        ("name", "-x", "name", "starts with '-'"),
        ("entities.0.model.name", None, "entities.0.model.name", "is required"),
        ("entities.0.model.name", "  ", "entities.0.model.name", "must not be empty"),
        ("entities.0.config.openai_api_base", "ftp://host", "entities.0.config.openai_api_base", "http://"),
        ("entities.0.config.openai_api_key", None, "entities.0.config.openai_api_key", "is required"),
        ("entities.0.config.openai_api_key", "sk-123", "entities.0.config.openai_api_key", "secret reference"),
        ("entities.0.config.opneai_api_base", "x", "entities.0.config", "did you mean 'openai_api_base'"),
        ("entities.0.model.task", "llm/v1/embeddings", "", ""),  # valid for openai
        ("entities.0.entity.name", "a b", "entities.0.entity.name", "Served entity name"),
    ],
)
def test_each_bad_input_is_shown_under_its_field(key: str, value: Any, where: str, words: str) -> None:
    draft = valid_draft()
    set_field(draft, key, value)
    found = keys(check_draft(draft, known_refs=KNOWN))
    if not where:
        assert found == {}
        return
    assert where in found, found
    assert any(words in m for m in found[where]), found[where]


def test_a_task_the_provider_has_not_is_shown_under_task() -> None:
    draft = draft_of(endpoint_body(BASE, "anthropic", "chat", name="a"))
    set_field(draft, "entities.0.model.task", "llm/v1/embeddings")
    assert "has no llm/v1/embeddings API" in keys(check_draft(draft))["entities.0.model.task"][0]


def test_azure_rules_are_split_one_per_field() -> None:
    draft = valid_draft()
    set_field(draft, "entities.0.config.openai_api_type", "azure")
    found = keys(check_draft(draft, known_refs=KNOWN))
    assert found["entities.0.config.openai_deployment_name"] == ["'openai_deployment_name' is required"]
    assert found["entities.0.config.openai_api_version"] == ["'openai_api_version' is required"]


def test_custom_auth_problems_go_to_the_group_or_the_field() -> None:
    draft = draft_of(endpoint_body(BASE, "custom", "chat", name="c"))
    set_secret(draft, "entities.0.config.bearer_token_auth.token", "", plaintext=False)
    assert keys(check_draft(draft))["entities.0.config"] == ["'api_key_auth' or 'bearer_token_auth' is required"]
    set_field(draft, "entities.0.config.api_key_auth.value", SIM_REF)
    found = keys(check_draft(draft))
    assert found["entities.0.config.api_key_auth.key"] == ["'key' is required"]


def test_traffic_must_add_up_to_100_and_be_given_to_all_or_none() -> None:
    draft = valid_draft()
    add_entity(draft)
    set_field(draft, "entities.1.model.name", "gpt-4o")
    set_secret(draft, "entities.1.config.openai_api_key", SIM_REF, plaintext=False)
    assert check_draft(draft, known_refs=KNOWN) == []
    set_field(draft, "entities.1.traffic", 40)
    assert "add up to 100, they add up to 90" in keys(check_draft(draft))["traffic"][0]
    set_field(draft, "entities.1.traffic", None)
    assert "entities.1.traffic" in keys(check_draft(draft))
    set_field(draft, "entities.0.traffic", None)
    assert check_draft(draft, known_refs=KNOWN) == []  # none given: an even split


def test_two_entities_with_one_name_are_refused() -> None:
    draft = valid_draft()
    add_entity(draft)
    set_field(draft, "entities.1.model.name", "gpt-4o")
    set_field(draft, "entities.1.entity.name", "primary")
    set_secret(draft, "entities.1.config.openai_api_key", SIM_REF, plaintext=False)
    assert "must be unique" in keys(check_draft(draft))["entities"][0]


def test_a_reference_to_a_missing_secret_is_shown_under_its_field() -> None:
    draft = valid_draft(secret="{{secrets/nope/key}}")
    assert check_draft(draft) == []  # secrets not known yet: not checked
    found = keys(check_draft(draft, known_refs=KNOWN))
    assert "no secret {{secrets/nope/key}}" in found["entities.0.config.openai_api_key"][0]


def test_an_existing_endpoint_keeps_its_name_and_tags_are_unique() -> None:
    draft = valid_draft(tags=[{"key": "a"}, {"key": "a", "value": "2"}])
    found = keys(check_draft(draft, fixed_name="other", known_refs=KNOWN))
    assert "keeps its name 'other'" in found["name"][0]
    assert found["tags"] == ["tag 'a' is given more than once"]
    draft.tags = [{"key": ""}]
    assert "must not be empty" in keys(check_draft(draft))["tags"][0]


def test_a_refused_save_is_placed_under_the_field_it_is_about() -> None:
    draft = valid_draft(secret="{{secrets/gone/key}}")
    err = ResourceDoesNotExist("Secret scope 'gone' does not exist (referenced as {{secrets/gone/key}})")
    assert [p.key for p in problems_of_error(draft, err)] == ["entities.0.config.openai_api_key"]
    assert problems_of_error(draft, ResourceAlreadyExists("Endpoint 'x' already exists"))[0].key == "name"
    assert problems_of_error(draft, ResourceDoesNotExist("elsewhere"))[0].key == "endpoint"


def test_a_problem_with_no_field_shown_goes_to_the_enclosing_section() -> None:
    assert parent_key("entities.0.config.api_key_auth.key") == "entities.0.config.api_key_auth"
    assert parent_key("entities.0.model.task") == "entities.0"
    assert parent_key("entities.0") == "entities"
    assert parent_key("tags") == "endpoint"


# ---- what will change, and saving ----------------------------------------------------------------------


def test_changes_name_each_value_and_never_show_a_plaintext_key() -> None:
    before = endpoint_body(BASE, "openai", "chat", name="e")
    draft = draft_of(before)
    set_field(draft, "entities.0.model.name", "gpt-4o")
    set_secret(draft, "entities.0.config.openai_api_key", "sk-very-secret", plaintext=True)
    lines = describe_changes(before, body_of(draft))
    assert "served_entities[0].external_model.name: gpt-4o-mini -> gpt-4o" in lines
    assert f"served_entities[0].external_model.openai_config.openai_api_key: {SIM_REF} -> (none)" in lines
    assert (
        f"served_entities[0].external_model.openai_config.openai_api_key_plaintext: (none) -> {PLAINTEXT_SHOWN}"
        in lines
    )
    assert not any("sk-very-secret" in line for line in lines)
    assert len(lines) == 3
    created = describe_changes(None, body_of(draft))
    assert "name: e" in created and not any("sk-very-secret" in line for line in created)


def test_nothing_is_planned_while_the_draft_is_invalid() -> None:
    assert plan_save(new_draft(), None) is None


async def test_save_creates_then_updates_config_and_tags_keeping_rate_limits(workspace: LocalWorkspace) -> None:
    await workspace.create_scope("sim")
    await workspace.put_secret("sim", "key", b"v")
    draft = valid_draft(tags=[{"key": "keep"}, {"key": "drop"}])
    draft.top["rate_limits"] = [{"calls": 3, "renewal_period": "minute"}]
    plan = plan_save(draft, None)
    assert plan is not None and not plan.existing
    assert await save(workspace, plan) == "my-endpoint"

    stored = await workspace.get_endpoint("my-endpoint")
    edit = draft_of(body_of_endpoint(stored))
    set_field(edit, "entities.0.model.name", "gpt-4o")
    edit.tags = [{"key": "keep"}, {"key": "new", "value": "1"}]
    plan = plan_save(edit, stored)
    assert plan is not None and plan.existing
    assert plan.tags is not None and plan.tags.delete_tags == ["drop"]
    assert [t.key for t in plan.tags.add_tags or []] == ["new"]
    await save(workspace, plan)
    after = await workspace.get_endpoint("my-endpoint")
    assert after.config is not None and after.config.served_entities[0].external_model is not None
    assert after.config.served_entities[0].external_model.name == "gpt-4o"
    assert {t.key for t in after.tags or []} == {"keep", "new"}
    assert [r.calls for r in after.rate_limits or []] == [3]


async def test_a_save_refused_by_the_workspace_changes_nothing(workspace: LocalWorkspace) -> None:
    draft = valid_draft(secret="{{secrets/missing/key}}")
    plan = plan_save(draft, None)
    assert plan is not None
    with pytest.raises(ResourceDoesNotExist, match="missing"):
        await save(workspace, plan)
    assert await workspace.list_endpoints() == []
