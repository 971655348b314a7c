"""Validation of user input (strict) and stored data (lenient) for serving-endpoint models.

Every rejection test checks the error class, the JSON path of the offending field and a phrase that
tells a person what is wrong.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests import payloads
from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import (
    CreateServingEndpoint,
    EndpointCoreConfigInput,
    ServingEndpointDetailed,
    even_split,
)
from tui.domain.errors import InvalidParameterValue
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimitsRequest
from tui.domain.names import (
    check_endpoint_name,
    check_scope_name,
    check_secret_key,
    default_served_entity_name,
)

WHAT = "serving endpoint"
EM = "config.served_entities[0].external_model"  # path of the first external model in a create body

REF = "{{secrets/my_scope/my_key}}"


# ---- helpers ---------------------------------------------------------------------------------------


def external(
    provider: str = "openai",
    config: dict[str, Any] | None = None,
    *,
    model: str = "gpt-4o",
    task: str = "llm/v1/chat",
    config_key: str | None = None,
) -> dict[str, Any]:
    """An external_model block; config defaults to a valid OpenAI one."""
    key = config_key or PROVIDER_KEYS[provider]
    cfg = {"openai_api_key": REF} if config is None else config
    return {"name": model, "provider": provider, "task": task, key: cfg}


def entity(ext: dict[str, Any] | None = None, name: str | None = "ent", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {} if name is None else {"name": name}
    if ext is not None:
        out["external_model"] = ext
    out.update(extra)
    return out


def create_body(*entities: dict[str, Any], name: str = "my-endpoint", **extra: Any) -> dict[str, Any]:
    if not entities:
        entities = (entity(external()),)
    body: dict[str, Any] = {"name": name, "config": {"served_entities": list(entities)}}
    body.update(extra)
    return body


def with_provider_config(provider: str, config: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return create_body(entity(external(provider, config, **kw)))


def expect_invalid(model: type, data: Any, *fragments: str, what: str = WHAT) -> str:
    """Parse as user input, expect InvalidParameterValue whose message contains every fragment."""
    with pytest.raises(InvalidParameterValue) as info:
        parse_user_input(model, data, what)
    err = info.value
    assert err.error_code == "INVALID_PARAMETER_VALUE"
    assert err.http_status == 400
    message = str(err)
    assert message.startswith(f"Invalid {what}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def parse_ok(model: type, data: Any, what: str = WHAT) -> Any:
    return parse_user_input(model, data, what)


PROVIDER_KEYS = {
    "openai": "openai_config",
    "anthropic": "anthropic_config",
    "cohere": "cohere_config",
    "amazon-bedrock": "amazon_bedrock_config",
    "google-cloud-vertex-ai": "google_cloud_vertex_ai_config",
    "ai21labs": "ai21labs_config",
    "palm": "palm_config",
    "databricks-model-serving": "databricks_model_serving_config",
    "custom": "custom_provider_config",
    "gemini": "gemini_config",
    "mistral": "mistral_config",
}

VALID_PROVIDER_CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("openai", {"openai_api_key": REF}),
    ("openai", {"openai_api_key_plaintext": "sk-123", "openai_organization": "org-1"}),
    (
        "openai",
        {
            "openai_api_type": "azure",
            "openai_api_key": REF,
            "openai_api_base": "https://x.openai.azure.com",
            "openai_deployment_name": "dep",
            "openai_api_version": "2023-05-15",
        },
    ),
    (
        "openai",
        {
            "openai_api_type": "azuread",
            "microsoft_entra_client_id": "cid",
            "microsoft_entra_tenant_id": "tid",
            "microsoft_entra_client_secret": REF,
            "openai_api_base": "https://x.openai.azure.com",
            "openai_deployment_name": "dep",
            "openai_api_version": "2023-05-15",
        },
    ),
    ("anthropic", {"anthropic_api_key": REF}),
    ("anthropic", {"anthropic_api_key_plaintext": "sk-ant"}),
    ("cohere", {"cohere_api_key": REF, "cohere_api_base": "https://api.cohere.ai/v1"}),
    (
        "amazon-bedrock",
        {
            "aws_region": "us-east-1",
            "bedrock_provider": "anthropic",
            "aws_access_key_id": "{{secrets/aws/id}}",
            "aws_secret_access_key_plaintext": "secret",
        },
    ),
    (
        "amazon-bedrock",
        {"aws_region": "us-east-1", "bedrock_provider": "Amazon", "instance_profile_arn": "arn:aws:iam::1:x"},
    ),
    (
        "amazon-bedrock",
        {"aws_region": "us-west-2", "bedrock_provider": "COHERE", "uc_service_credential_name": "cred"},
    ),
    ("google-cloud-vertex-ai", {"project_id": "p", "region": "us-central1", "private_key": REF}),
    ("google-cloud-vertex-ai", {"project_id": "p", "region": "us-central1", "private_key_plaintext": "pk"}),
    ("ai21labs", {"ai21labs_api_key": REF}),
    ("palm", {"palm_api_key_plaintext": "k"}),
    (
        "databricks-model-serving",
        {"databricks_workspace_url": "https://ws.cloud.databricks.com", "databricks_api_token": REF},
    ),
    (
        "custom",
        {"custom_provider_url": "http://localhost:8000/v1", "api_key_auth": {"key": "X-Api-Key", "value": REF}},
    ),
    (
        "custom",
        {"custom_provider_url": "http://localhost:8000/v1", "bearer_token_auth": {"token_plaintext": "tok"}},
    ),
    ("gemini", {"gemini_api_key": REF}),
    ("mistral", {"mistral_api_key_plaintext": "m"}),
]


# ---- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "my-endpoint_1", "A" * 63])
def test_endpoint_name_valid(name: str) -> None:
    check_endpoint_name(name)


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("", ["Endpoint name must not be empty"]),
        ("my endpoint", ["Endpoint name", "contains ' '", "only letters, digits, '-' and '_' are allowed"]),
        ("my.endpoint", ["Endpoint name", "contains '.'", "only letters, digits"]),
        ("a/b@c", ["contains '/', '@'"]),
        ("a" * 64, ["Endpoint name", "64 characters long", "limit is 63"]),
    ],
)
def test_endpoint_name_invalid(name: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidParameterValue) as info:
        check_endpoint_name(name)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("", ["name: Endpoint name must not be empty"]),
        ("bad name", ["name: Endpoint name 'bad name' contains ' '"]),
        ("x" * 64, ["name: Endpoint name", "limit is 63"]),
    ],
)
def test_endpoint_name_checked_in_create_request(name: str, fragments: list[str]) -> None:
    expect_invalid(CreateServingEndpoint, create_body(name=name), *fragments)


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("", ["config.served_entities[0]", "Served entity name must not be empty"]),
        ("my.model", ["config.served_entities[0]", "Served entity name 'my.model' contains '.'"]),
        ("with space", ["config.served_entities[0]", "Served entity name", "contains ' '"]),
        ("s" * 64, ["config.served_entities[0]", "Served entity name", "limit is 63"]),
    ],
)
def test_served_entity_name_invalid(name: str, fragments: list[str]) -> None:
    expect_invalid(CreateServingEndpoint, create_body(entity(external(), name=name)), *fragments)


def test_endpoint_name_required_in_create_request() -> None:
    expect_invalid(CreateServingEndpoint, {"config": create_body()["config"]}, "name: is required")


def test_served_entity_name_valid() -> None:
    req = parse_ok(CreateServingEndpoint, create_body(entity(external(), name="Model_v2-a")))
    assert req.config.served_entities[0].name == "Model_v2-a"


@pytest.mark.parametrize("name", ["s", "my_scope", "a-b.c@d", "user@example.com", "S" * 128])
def test_scope_name_valid(name: str) -> None:
    check_scope_name(name)


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("", ["Scope name must not be empty"]),
        ("my scope", ["Scope name 'my scope' contains ' '", "letters, digits, '-', '_', '.' and '@'"]),
        ("a/b", ["contains '/'"]),
        ("s" * 129, ["Scope name", "129 characters long", "limit is 128"]),
    ],
)
def test_scope_name_invalid(name: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidParameterValue) as info:
        check_scope_name(name)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("key", ["k", "openai_api_key", "a-b.c_D9", "k" * 128])
def test_secret_key_valid(key: str) -> None:
    check_secret_key(key)


@pytest.mark.parametrize(
    ("key", "fragments"),
    [
        ("", ["Secret key must not be empty"]),
        ("my key", ["Secret key 'my key' contains ' '", "letters, digits, '-', '_' and '.'"]),
        ("a@b", ["contains '@'"]),
        ("k" * 129, ["Secret key", "129 characters long", "limit is 128"]),
    ],
)
def test_secret_key_invalid(key: str, fragments: list[str]) -> None:
    with pytest.raises(InvalidParameterValue) as info:
        check_secret_key(key)
    for fragment in fragments:
        assert fragment in str(info.value)


# ---- task and provider --------------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"])
def test_task_values_accepted(task: str) -> None:
    req = parse_ok(CreateServingEndpoint, create_body(entity(external(task=task))))
    assert req.config.served_entities[0].external_model.task == task
    assert req.config.task == task


@pytest.mark.parametrize("task", ["llm/v1/chats", "chat", "llm/v2/completions", ""])
def test_task_values_rejected(task: str) -> None:
    expect_invalid(
        CreateServingEndpoint,
        create_body(entity(external(task=task))),
        f"{EM}.task",
        "must be one of",
        "'llm/v1/chat'",
        f"not {task!r}",
    )


@pytest.mark.parametrize(("provider", "config"), VALID_PROVIDER_CONFIGS)
def test_one_valid_config_per_provider_accepted(provider: str, config: dict[str, Any]) -> None:
    req = parse_ok(CreateServingEndpoint, with_provider_config(provider, config))
    model = req.config.served_entities[0].external_model
    assert model.provider == provider
    assert model.config_key == PROVIDER_KEYS[provider]
    assert model.provider_config() is not None


def test_every_provider_has_a_valid_config_case() -> None:
    assert {p for p, _ in VALID_PROVIDER_CONFIGS} == set(PROVIDER_KEYS)


@pytest.mark.parametrize("provider", ["opneai", "OpenAI", "bedrock", ""])
def test_provider_typo_rejected(provider: str) -> None:
    body = create_body(entity(external(config_key="openai_config") | {"provider": provider}))
    expect_invalid(CreateServingEndpoint, body, f"{EM}.provider", "must be one of", "'openai'", f"not {provider!r}")


def test_external_model_name_must_not_be_empty() -> None:
    expect_invalid(CreateServingEndpoint, create_body(entity(external(model="  "))), EM, "'name'", "must not be empty")


@pytest.mark.parametrize("missing", ["name", "provider", "task"])
def test_external_model_required_fields(missing: str) -> None:
    ext = external()
    del ext[missing]
    expect_invalid(CreateServingEndpoint, create_body(entity(ext)), f"{EM}.{missing}: is required")


# ---- exactly one matching provider config ------------------------------------------------------------


def test_missing_provider_config_rejected() -> None:
    ext = {"name": "gpt-4o", "provider": "openai", "task": "llm/v1/chat"}
    expect_invalid(CreateServingEndpoint, create_body(entity(ext)), EM, "provider 'openai' needs 'openai_config'")


def test_wrong_provider_config_rejected() -> None:
    ext = external("openai", {"anthropic_api_key": REF}, config_key="anthropic_config")
    expect_invalid(
        CreateServingEndpoint,
        create_body(entity(ext)),
        EM,
        "'anthropic_config' does not match provider 'openai'",
        "give only 'openai_config'",
    )


def test_two_provider_configs_rejected() -> None:
    ext = external("openai", {"openai_api_key": REF})
    ext["anthropic_config"] = {"anthropic_api_key": REF}
    expect_invalid(
        CreateServingEndpoint,
        create_body(entity(ext)),
        EM,
        "'anthropic_config' does not match provider 'openai'",
        "give only 'openai_config'",
    )


# ---- secret reference vs plaintext ------------------------------------------------------------------

# provider, config key, the secret field, the other fields a valid config needs
KEY_PAIRS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("openai", "openai_config", "openai_api_key", {}),
    ("anthropic", "anthropic_config", "anthropic_api_key", {}),
    ("cohere", "cohere_config", "cohere_api_key", {}),
    ("ai21labs", "ai21labs_config", "ai21labs_api_key", {}),
    ("palm", "palm_config", "palm_api_key", {}),
    ("gemini", "gemini_config", "gemini_api_key", {}),
    ("mistral", "mistral_config", "mistral_api_key", {}),
    ("google-cloud-vertex-ai", "google_cloud_vertex_ai_config", "private_key", {"project_id": "p", "region": "r"}),
    (
        "databricks-model-serving",
        "databricks_model_serving_config",
        "databricks_api_token",
        {"databricks_workspace_url": "https://ws"},
    ),
    (
        "openai",
        "openai_config",
        "microsoft_entra_client_secret",
        {
            "openai_api_type": "azuread",
            "microsoft_entra_client_id": "c",
            "microsoft_entra_tenant_id": "t",
            "openai_api_base": "https://x",
            "openai_deployment_name": "d",
            "openai_api_version": "2024-02-01",
        },
    ),
    (
        "amazon-bedrock",
        "amazon_bedrock_config",
        "aws_access_key_id",
        {"aws_region": "us-east-1", "bedrock_provider": "anthropic", "aws_secret_access_key": "{{secrets/aws/sk}}"},
    ),
    (
        "amazon-bedrock",
        "amazon_bedrock_config",
        "aws_secret_access_key",
        {"aws_region": "us-east-1", "bedrock_provider": "anthropic", "aws_access_key_id": "{{secrets/aws/id}}"},
    ),
]
KEY_PAIR_IDS = [f"{p}-{f}" for p, _, f, _ in KEY_PAIRS]


@pytest.mark.parametrize(("provider", "key", "field", "base"), KEY_PAIRS, ids=KEY_PAIR_IDS)
def test_key_pair_secret_ref_accepted(provider: str, key: str, field: str, base: dict[str, Any]) -> None:
    req = parse_ok(CreateServingEndpoint, with_provider_config(provider, {**base, field: REF}))
    block = req.config.served_entities[0].external_model.provider_config()
    assert getattr(block, field) == REF


@pytest.mark.parametrize(("provider", "key", "field", "base"), KEY_PAIRS, ids=KEY_PAIR_IDS)
def test_key_pair_plaintext_accepted(provider: str, key: str, field: str, base: dict[str, Any]) -> None:
    req = parse_ok(CreateServingEndpoint, with_provider_config(provider, {**base, f"{field}_plaintext": "v"}))
    block = req.config.served_entities[0].external_model.provider_config()
    assert getattr(block, f"{field}_plaintext") == "v"


@pytest.mark.parametrize(("provider", "key", "field", "base"), KEY_PAIRS, ids=KEY_PAIR_IDS)
def test_key_pair_both_rejected(provider: str, key: str, field: str, base: dict[str, Any]) -> None:
    cfg = {**base, field: REF, f"{field}_plaintext": "v"}
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config(provider, cfg),
        f"{EM}.{key}",
        f"give either '{field}' or '{field}_plaintext', not both",
    )


@pytest.mark.parametrize(("provider", "key", "field", "base"), KEY_PAIRS, ids=KEY_PAIR_IDS)
def test_key_pair_neither_rejected(provider: str, key: str, field: str, base: dict[str, Any]) -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config(provider, dict(base)),
        f"{EM}.{key}",
        f"'{field}' (a secret reference) or '{field}_plaintext' is required",
    )


@pytest.mark.parametrize(("provider", "key", "field", "base"), KEY_PAIRS, ids=KEY_PAIR_IDS)
def test_key_pair_non_reference_rejected_with_plaintext_hint(
    provider: str, key: str, field: str, base: dict[str, Any]
) -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config(provider, {**base, field: "sk-123"}),
        f"{EM}.{key}",
        f"'{field}' must be a secret reference like {{{{secrets/",
        f"use '{field}_plaintext'",
    )


def test_openai_api_key_literal_rejected_with_hint() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {"openai_api_key": "sk-123"}),
        f"{EM}.openai_config: 'openai_api_key' must be a secret reference like {{{{secrets/my_scope/openai_api_key}}}}",
        "to give the key itself use 'openai_api_key_plaintext'",
    )


@pytest.mark.parametrize(
    "bad_ref",
    ["{{secrets/onlyscope}}", "{{secrets/a/b/c}}", "{{secrets//key}}", "{{ secrets/scope key }}", "{{secret/s/k}}x"],
)
def test_malformed_secret_ref_rejected(bad_ref: str) -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {"openai_api_key": bad_ref}),
        f"{EM}.openai_config",
        "'openai_api_key'",
        "secret reference",
        "{{secrets/",
    )


def test_malformed_secret_ref_message_names_the_value() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {"openai_api_key": "{{secrets/onlyscope}}"}),
        "'{{secrets/onlyscope}}' is not a valid secret reference",
        "write it as {{secrets/<scope>/<key>}}",
    )


def test_secret_ref_with_spaces_inside_braces_accepted() -> None:
    parse_ok(CreateServingEndpoint, with_provider_config("openai", {"openai_api_key": "{{ secrets/s/k }}"}))


# ---- OpenAI / Azure -------------------------------------------------------------------------------------

AZURE = {
    "openai_api_type": "azure",
    "openai_api_key": REF,
    "openai_api_base": "https://x.openai.azure.com",
    "openai_deployment_name": "dep",
    "openai_api_version": "2023-05-15",
}
AZURE_AD = {
    "openai_api_type": "azuread",
    "microsoft_entra_client_id": "cid",
    "microsoft_entra_tenant_id": "tid",
    "microsoft_entra_client_secret": REF,
    "openai_api_base": "https://x.openai.azure.com",
    "openai_deployment_name": "dep",
    "openai_api_version": "2023-05-15",
}


@pytest.mark.parametrize("missing", ["openai_api_base", "openai_deployment_name", "openai_api_version"])
@pytest.mark.parametrize("base", [AZURE, AZURE_AD], ids=["azure", "azuread"])
def test_azure_required_fields(base: dict[str, Any], missing: str) -> None:
    cfg = {k: v for k, v in base.items() if k != missing}
    expect_invalid(
        CreateServingEndpoint, with_provider_config("openai", cfg), f"{EM}.openai_config", f"'{missing}' is required"
    )


@pytest.mark.parametrize("missing", ["microsoft_entra_client_id", "microsoft_entra_tenant_id"])
def test_azuread_required_entra_fields(missing: str) -> None:
    cfg = {k: v for k, v in AZURE_AD.items() if k != missing}
    expect_invalid(
        CreateServingEndpoint, with_provider_config("openai", cfg), f"{EM}.openai_config", f"'{missing}' is required"
    )


def test_azuread_client_secret_pair_required() -> None:
    cfg = {k: v for k, v in AZURE_AD.items() if k != "microsoft_entra_client_secret"}
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", cfg),
        "'microsoft_entra_client_secret' (a secret reference) or 'microsoft_entra_client_secret_plaintext' is required",
    )


def test_azuread_rejects_openai_api_key() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {**AZURE_AD, "openai_api_key": REF}),
        f"{EM}.openai_config",
        "remove 'openai_api_key'",
    )


def test_azure_api_type_case_insensitive() -> None:
    parse_ok(CreateServingEndpoint, with_provider_config("openai", {**AZURE, "openai_api_type": "Azure"}))
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {"openai_api_type": "AZURE", "openai_api_key": REF}),
        "'openai_api_base' is required",
    )


def test_unknown_openai_api_type_rejected() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {**AZURE, "openai_api_type": "azur"}),
        f"{EM}.openai_config.openai_api_type",
        "must be one of 'openai', 'azure', 'azuread'",
        "not 'azur'",
    )


@pytest.mark.parametrize("api_type", [None, "openai"])
def test_deployment_name_rejected_for_plain_openai(api_type: str | None) -> None:
    cfg: dict[str, Any] = {"openai_api_key": REF, "openai_deployment_name": "dep"}
    if api_type:
        cfg["openai_api_type"] = api_type
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", cfg),
        f"{EM}.openai_config",
        "'openai_deployment_name' applies only when openai_api_type is 'azure' or 'azuread'",
    )


def test_organization_rejected_for_azure() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("openai", {**AZURE, "openai_organization": "org"}),
        "'openai_organization' applies only when openai_api_type is 'openai'",
    )


# ---- Bedrock, Vertex, Databricks, custom ----------------------------------------------------------------

BEDROCK = {"aws_region": "us-east-1", "bedrock_provider": "anthropic", "instance_profile_arn": "arn:aws:iam::1:x"}
BEDROCK_PATH = f"{EM}.amazon_bedrock_config"


@pytest.mark.parametrize("missing", ["aws_region", "bedrock_provider"])
def test_bedrock_required_fields(missing: str) -> None:
    cfg = {k: v for k, v in BEDROCK.items() if k != missing}
    expect_invalid(
        CreateServingEndpoint, with_provider_config("amazon-bedrock", cfg), BEDROCK_PATH, f"'{missing}' is required"
    )


@pytest.mark.parametrize("value", ["anthropic", "Anthropic", "COHERE", "ai21labs", "AI21Labs", "amazon"])
def test_bedrock_provider_case_insensitive(value: str) -> None:
    req = parse_ok(
        CreateServingEndpoint, with_provider_config("amazon-bedrock", {**BEDROCK, "bedrock_provider": value})
    )
    assert req.config.served_entities[0].external_model.amazon_bedrock_config.bedrock_provider == value


@pytest.mark.parametrize("value", ["openai", "antropic", "meta"])
def test_bedrock_provider_unknown_rejected(value: str) -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("amazon-bedrock", {**BEDROCK, "bedrock_provider": value}),
        f"{BEDROCK_PATH}.bedrock_provider",
        "must be one of",
        "'anthropic'",
        f"not {value!r}",
    )


def test_bedrock_needs_an_auth_method() -> None:
    cfg = {"aws_region": "us-east-1", "bedrock_provider": "amazon"}
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("amazon-bedrock", cfg),
        BEDROCK_PATH,
        "give one way to authenticate",
        "instance_profile_arn",
    )


@pytest.mark.parametrize(
    ("auth", "named"),
    [
        (
            {"instance_profile_arn": "arn", "uc_service_credential_name": "cred"},
            "'instance_profile_arn' and 'uc_service_credential_name'",
        ),
        (
            {
                "aws_access_key_id": "{{secrets/a/id}}",
                "aws_secret_access_key": "{{secrets/a/sk}}",
                "instance_profile_arn": "arn",
            },
            "access keys and 'instance_profile_arn'",
        ),
    ],
)
def test_bedrock_only_one_auth_method(auth: dict[str, Any], named: str) -> None:
    cfg = {"aws_region": "us-east-1", "bedrock_provider": "amazon", **auth}
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("amazon-bedrock", cfg),
        BEDROCK_PATH,
        f"give only one way to authenticate, not {named}",
    )


@pytest.mark.parametrize("missing", ["project_id", "region"])
def test_vertex_required_fields(missing: str) -> None:
    cfg = {"project_id": "p", "region": "r", "private_key": REF}
    del cfg[missing]
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("google-cloud-vertex-ai", cfg),
        f"{EM}.google_cloud_vertex_ai_config",
        f"'{missing}' is required",
    )


def test_databricks_model_serving_needs_workspace_url() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("databricks-model-serving", {"databricks_api_token": REF}),
        f"{EM}.databricks_model_serving_config",
        "'databricks_workspace_url' is required",
    )


CUSTOM_PATH = f"{EM}.custom_provider_config"


def test_custom_needs_url() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("custom", {"bearer_token_auth": {"token": REF}}),
        CUSTOM_PATH,
        "'custom_provider_url' is required",
    )


def test_custom_needs_an_auth() -> None:
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("custom", {"custom_provider_url": "http://h"}),
        CUSTOM_PATH,
        "'api_key_auth' or 'bearer_token_auth' is required",
    )


def test_custom_rejects_two_auths() -> None:
    cfg = {
        "custom_provider_url": "http://h",
        "api_key_auth": {"key": "X-Key", "value": REF},
        "bearer_token_auth": {"token": REF},
    }
    expect_invalid(
        CreateServingEndpoint,
        with_provider_config("custom", cfg),
        CUSTOM_PATH,
        "give either 'api_key_auth' or 'bearer_token_auth', not both",
    )


@pytest.mark.parametrize(
    ("auth_key", "auth", "fragment"),
    [
        ("api_key_auth", {"key": "X-Key"}, "'value' (a secret reference) or 'value_plaintext' is required"),
        (
            "api_key_auth",
            {"key": "X-Key", "value": REF, "value_plaintext": "v"},
            "give either 'value' or 'value_plaintext', not both",
        ),
        ("api_key_auth", {"value": REF}, "'key' is required"),
        ("api_key_auth", {"key": "X-Key", "value": "plain"}, "use 'value_plaintext'"),
        ("bearer_token_auth", {}, "'token' (a secret reference) or 'token_plaintext' is required"),
        (
            "bearer_token_auth",
            {"token": REF, "token_plaintext": "t"},
            "give either 'token' or 'token_plaintext', not both",
        ),
        ("bearer_token_auth", {"token": "abc"}, "use 'token_plaintext'"),
    ],
)
def test_custom_auth_pairs(auth_key: str, auth: dict[str, Any], fragment: str) -> None:
    cfg = {"custom_provider_url": "http://h", auth_key: auth}
    expect_invalid(CreateServingEndpoint, with_provider_config("custom", cfg), f"{CUSTOM_PATH}.{auth_key}", fragment)


# ---- served entities -----------------------------------------------------------------------------------


def _n_entities(n: int, **ext_kw: Any) -> list[dict[str, Any]]:
    return [entity(external(**ext_kw), name=f"ent-{i}") for i in range(n)]


def test_ten_served_entities_accepted() -> None:
    req = parse_ok(CreateServingEndpoint, create_body(*_n_entities(10)))
    assert len(req.config.served_entities) == 10


def test_eleven_served_entities_rejected() -> None:
    expect_invalid(CreateServingEndpoint, create_body(*_n_entities(11)), "config:", "at most 10", "not 11")


def test_no_served_entities_rejected() -> None:
    expect_invalid(
        CreateServingEndpoint,
        {"name": "e", "config": {"served_entities": []}},
        "config:",
        "needs at least one served entity",
    )


def test_duplicate_explicit_names_rejected() -> None:
    body = create_body(entity(external(), name="same"), entity(external(model="gpt-4"), name="same"))
    expect_invalid(CreateServingEndpoint, body, "config:", "served entity names must be unique", "'same'")


def test_duplicate_default_names_rejected() -> None:
    # both default to 'gpt-3-5-turbo' (one from '.', one from ':')
    body = create_body(
        entity(external(model="gpt-3.5-turbo"), name=None),
        entity(external(model="gpt-3:5-turbo"), name=None),
    )
    expect_invalid(CreateServingEndpoint, body, "served entity names must be unique", "'gpt-3-5-turbo'", "set 'name'")


def test_explicit_name_clashing_with_default_name_rejected() -> None:
    body = create_body(entity(external(model="gpt-4o"), name=None), entity(external(model="other"), name="gpt-4o"))
    expect_invalid(CreateServingEndpoint, body, "served entity names must be unique", "'gpt-4o'")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-3.5-turbo-instruct", "gpt-3-5-turbo-instruct"),
        ("claude-2", "claude-2"),
        ("llama3:8b.q4", "llama3-8b-q4"),
        ("a.b:c.d", "a-b-c-d"),
    ],
)
def test_default_served_entity_name(model: str, expected: str) -> None:
    assert default_served_entity_name(model) == expected
    cfg = parse_ok(EndpointCoreConfigInput, {"served_entities": [entity(external(model=model), name=None)]}, "config")
    assert cfg.served_entities[0].name is None
    filled = cfg.with_defaults()
    assert filled.served_entities[0].name == expected
    assert [(r.served_entity_name, r.traffic_percentage) for r in filled.traffic_config.routes] == [(expected, 100)]


def test_external_models_must_share_task() -> None:
    body = create_body(
        entity(external(task="llm/v1/chat"), name="a"),
        entity(external(task="llm/v1/embeddings"), name="b"),
    )
    expect_invalid(
        CreateServingEndpoint,
        body,
        "config:",
        "all external models of an endpoint must have the same task",
        "llm/v1/chat",
        "llm/v1/embeddings",
    )


def test_mixing_external_and_non_external_rejected() -> None:
    body = create_body(
        entity(external(), name="a"), entity(None, name="b", entity_name="catalog.schema.model", entity_version="1")
    )
    expect_invalid(CreateServingEndpoint, body, "config:", "cannot mix external models with other served entities")


def test_external_model_with_custom_model_fields_rejected() -> None:
    body = create_body(entity(external(), name="a", workload_size="Small", scale_to_zero_enabled=True))
    expect_invalid(
        CreateServingEndpoint,
        body,
        "config.served_entities[0]",
        "'external_model' cannot be combined with",
        "'workload_size'",
        "'scale_to_zero_enabled'",
    )


def test_served_entity_without_model_rejected() -> None:
    expect_invalid(
        CreateServingEndpoint, create_body(entity(None, name="a")), "config.served_entities[0]", "give 'external_model'"
    )


def test_served_models_deprecated_rejected() -> None:
    expect_invalid(
        EndpointCoreConfigInput,
        {"served_models": [{"model_name": "m"}]},
        "'served_models' is deprecated",
        "use 'served_entities'",
        what="config",
    )


def test_config_name_from_sdk_accepted_and_dropped_by_with_defaults() -> None:
    cfg = parse_ok(EndpointCoreConfigInput, {"name": "ep", "served_entities": [entity(external())]}, "config")
    assert cfg.name == "ep"
    assert "name" not in cfg.with_defaults().to_json()


# ---- traffic config -------------------------------------------------------------------------------------


def _traffic_body(routes: list[dict[str, Any]]) -> dict[str, Any]:
    body = create_body(entity(external(), name="a"), entity(external(model="gpt-4"), name="b"))
    body["config"]["traffic_config"] = {"routes": routes}
    return body


def test_traffic_config_valid() -> None:
    body = _traffic_body(
        [{"served_entity_name": "a", "traffic_percentage": 70}, {"served_entity_name": "b", "traffic_percentage": 30}]
    )
    req = parse_ok(CreateServingEndpoint, body)
    filled = req.config.with_defaults()
    assert [(r.served_entity_name, r.traffic_percentage) for r in filled.traffic_config.routes] == [
        ("a", 70),
        ("b", 30),
    ]


def test_traffic_route_to_unknown_entity_rejected() -> None:
    body = _traffic_body(
        [{"served_entity_name": "a", "traffic_percentage": 50}, {"served_entity_name": "zz", "traffic_percentage": 50}]
    )
    expect_invalid(
        CreateServingEndpoint, body, "config:", "route refers to served entity 'zz'", "does not have", "'a', 'b'"
    )


def test_traffic_route_to_default_name_accepted() -> None:
    body = create_body(entity(external(model="gpt-3.5-turbo"), name=None))
    body["config"]["traffic_config"] = {"routes": [{"served_entity_name": "gpt-3-5-turbo", "traffic_percentage": 100}]}
    parse_ok(CreateServingEndpoint, body)


def test_traffic_route_without_target_rejected() -> None:
    body = _traffic_body([{"traffic_percentage": 100}])
    expect_invalid(CreateServingEndpoint, body, "config:", "each route needs 'served_entity_name'")


@pytest.mark.parametrize("pct", [-10, 101, 150])
def test_traffic_percentage_out_of_range(pct: int) -> None:
    body = _traffic_body(
        [
            {"served_entity_name": "a", "traffic_percentage": pct},
            {"served_entity_name": "b", "traffic_percentage": 100 - pct},
        ]
    )
    expect_invalid(CreateServingEndpoint, body, "config:", "traffic_percentage must be between 0 and 100", f"not {pct}")


@pytest.mark.parametrize(("a", "b"), [(50, 40), (60, 60), (0, 0)])
def test_traffic_must_sum_to_100(a: int, b: int) -> None:
    body = _traffic_body(
        [{"served_entity_name": "a", "traffic_percentage": a}, {"served_entity_name": "b", "traffic_percentage": b}]
    )
    expect_invalid(CreateServingEndpoint, body, "config:", "must add up to 100", f"add up to {a + b}")


def test_traffic_percentage_required() -> None:
    body = _traffic_body([{"served_entity_name": "a"}])
    expect_invalid(CreateServingEndpoint, body, "config.traffic_config.routes[0].traffic_percentage: is required")


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, [100]), (2, [50, 50]), (3, [34, 33, 33]), (6, [17, 17, 17, 17, 16, 16]), (7, [15, 15, 14, 14, 14, 14, 14])],
)
def test_with_defaults_even_split(n: int, expected: list[int]) -> None:
    cfg = parse_ok(EndpointCoreConfigInput, {"served_entities": _n_entities(n)}, "config")
    assert cfg.traffic_config is None
    routes = cfg.with_defaults().traffic_config.routes
    assert [r.traffic_percentage for r in routes] == expected
    assert sum(r.traffic_percentage for r in routes) == 100
    assert [r.served_entity_name for r in routes] == [f"ent-{i}" for i in range(n)]


def test_even_split_helper() -> None:
    assert even_split([]) == []
    routes = even_split(["x", "y", "z"])
    assert [(r.served_entity_name, r.traffic_percentage) for r in routes] == [("x", 34), ("y", 33), ("z", 33)]


def test_with_defaults_does_not_mutate_original() -> None:
    cfg = parse_ok(EndpointCoreConfigInput, {"served_entities": [entity(external(), name=None)]}, "config")
    cfg.with_defaults()
    assert cfg.served_entities[0].name is None
    assert cfg.traffic_config is None


# ---- unknown fields -------------------------------------------------------------------------------------


def _set(body: dict[str, Any], path: list[Any], key: str, value: Any) -> dict[str, Any]:
    node: Any = body
    for p in path:
        node = node[p]
    node[key] = value
    return body


def _create_with_gateway() -> dict[str, Any]:
    body = create_body()
    body["config"]["traffic_config"] = {"routes": [{"served_entity_name": "ent", "traffic_percentage": 100}]}
    body["tags"] = [{"key": "team", "value": "x"}]
    body["rate_limits"] = [{"calls": 5, "key": "user"}]
    body["ai_gateway"] = {
        "rate_limits": [{"calls": 5, "key": "user"}],
        "usage_tracking_config": {"enabled": True},
        "inference_table_config": {"enabled": False},
        "guardrails": {"input": {"safety": True, "pii": {"behavior": "BLOCK"}}, "output": {}},
        "fallback_config": {"enabled": True},
    }
    return body


SE = ["config", "served_entities", 0]
UNKNOWN_FIELD_CASES = [
    ([], "nmae", "", "name"),
    (["config"], "served_entitys", "config", "served_entities"),
    (SE, "external_modle", "config.served_entities[0]", "external_model"),
    ([*SE, "external_model"], "taks", EM, "task"),
    ([*SE, "external_model", "openai_config"], "openai_api_kye", f"{EM}.openai_config", "openai_api_key"),
    (["rate_limits", 0], "cals", "rate_limits[0]", "calls"),
    (["ai_gateway"], "rate_limit", "ai_gateway", "rate_limits"),
    (["ai_gateway", "rate_limits", 0], "tokns", "ai_gateway.rate_limits[0]", "tokens"),
    (["ai_gateway", "usage_tracking_config"], "enabeld", "ai_gateway.usage_tracking_config", "enabled"),
    (["ai_gateway", "inference_table_config"], "schema", "ai_gateway.inference_table_config", "schema_name"),
    (["ai_gateway", "guardrails"], "inptu", "ai_gateway.guardrails", "input"),
    (["ai_gateway", "guardrails", "input"], "safty", "ai_gateway.guardrails.input", "safety"),
    (["ai_gateway", "guardrails", "input", "pii"], "behaviour", "ai_gateway.guardrails.input.pii", "behavior"),
    (["ai_gateway", "fallback_config"], "enable", "ai_gateway.fallback_config", "enabled"),
    (
        ["config", "traffic_config", "routes", 0],
        "traffic_percent",
        "config.traffic_config.routes[0]",
        "traffic_percentage",
    ),
    (["tags", 0], "valeu", "tags[0]", "value"),
]


@pytest.mark.parametrize(
    ("path", "typo", "where", "suggestion"), UNKNOWN_FIELD_CASES, ids=[c[1] for c in UNKNOWN_FIELD_CASES]
)
def test_unknown_field_rejected_with_did_you_mean(path: list[Any], typo: str, where: str, suggestion: str) -> None:
    body = _set(_create_with_gateway(), path, typo, "x")
    parse_ok(CreateServingEndpoint, _create_with_gateway())  # the base body itself is valid
    msg = expect_invalid(CreateServingEndpoint, body, f"unknown field '{typo}' (did you mean '{suggestion}'?)")
    prefix = f"Invalid {WHAT}: "
    if where:
        assert msg.startswith(f"{prefix}{where}: unknown field '{typo}'"), msg
    else:
        assert msg.startswith(f"{prefix}unknown field '{typo}'"), msg


def test_unknown_field_far_from_any_lists_expected_fields() -> None:
    body = create_body()
    body["config"]["served_entities"][0]["external_model"]["openai_config"]["zzzzzz"] = 1
    expect_invalid(
        CreateServingEndpoint,
        body,
        f"{EM}.openai_config: unknown field 'zzzzzz' (expected one of:",
        "openai_api_key",
        "openai_api_type",
    )


def test_unknown_fields_in_standalone_requests() -> None:
    expect_invalid(
        RateLimitsRequest,
        {"rate_limit": []},
        "unknown field 'rate_limit' (did you mean 'rate_limits'?)",
        what="rate limits",
    )
    expect_invalid(PatchTagsRequest, {"add_tag": []}, "unknown field 'add_tag' (did you mean 'add_tags'?)", what="tags")
    expect_invalid(
        AiGatewayConfig, {"guardrail": {}}, "unknown field 'guardrail' (did you mean 'guardrails'?)", what="AI gateway"
    )


# ---- stored data is lenient -----------------------------------------------------------------------------

STORED: dict[str, Any] = {
    "name": "ep",
    "id": "abc123",
    "creator_display_name": "Tester",
    "state": {"ready": "READY", "config_update": "NOT_UPDATING", "new_state_field": 1},
    "config": {
        "config_version": 2,
        "future_config_field": {"x": [1, 2]},
        "served_entities": [
            {
                "name": "gpt",
                "state": {"deployment": "DEPLOYMENT_READY", "extra_state": "y"},
                "new_entity_field": True,
                "external_model": {
                    "name": "gpt-4o",
                    "provider": "openai",
                    "task": "llm/v1/chat",
                    "new_model_field": "z",
                    "openai_config": {"openai_api_key": "{{secrets/s/k}}", "new_openai_field": 7},
                },
            }
        ],
        "traffic_config": {"routes": [{"served_entity_name": "gpt", "traffic_percentage": 100, "route_extra": 0}]},
    },
    "ai_gateway": {"usage_tracking_config": {"enabled": True, "gw_extra": "q"}},
}


def test_parse_stored_keeps_unknown_fields_at_every_level() -> None:
    ep = parse_stored(ServingEndpointDetailed, copy.deepcopy(STORED))
    assert ep.to_json() == STORED


def test_parse_stored_is_not_strict_about_enums_and_rules() -> None:
    data = copy.deepcopy(STORED)
    model = data["config"]["served_entities"][0]["external_model"]
    model["provider"] = "some-new-provider"
    model["task"] = "llm/v2/responses"
    model["openai_config"] = {}  # neither key nor plaintext: as read back from a server
    data["rate_limits"] = [{"calls": 1, "renewal_period": "hour"}]
    ep = parse_stored(ServingEndpointDetailed, data)
    assert ep.to_json() == data


@pytest.mark.parametrize(
    "body",
    [payloads.openai_plaintext(), payloads.ANTHROPIC_COMPLETIONS, payloads.OPENAI_COMPLETIONS],
    ids=["openai-plaintext", "anthropic", "openai"],
)
def test_stored_data_without_plaintext_parses(body: dict[str, Any]) -> None:
    stored = {
        "name": body["name"],
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "config": {"config_version": 1, "served_entities": payloads.served_config(body)},
    }
    ep = parse_stored(ServingEndpointDetailed, stored)
    cfg = ep.config.served_entities[0].external_model.provider_config()
    assert cfg is not None
    assert cfg.plaintext_fields() == []
    assert ep.to_json() == stored


def test_parse_user_input_rejects_what_parse_stored_accepts() -> None:
    data = copy.deepcopy(payloads.OPENAI_COMPLETIONS)
    data["config"]["served_entities"][0]["external_model"]["openai_config"] = {}
    parse_stored(CreateServingEndpoint, data)
    expect_invalid(
        CreateServingEndpoint, data, "'openai_api_key' (a secret reference) or 'openai_api_key_plaintext' is required"
    )


# ---- legacy rate limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limit",
    [{"calls": 20}, {"calls": 0, "key": "endpoint"}, {"calls": 5, "key": "user", "renewal_period": "minute"}],
)
def test_legacy_rate_limit_valid(limit: dict[str, Any]) -> None:
    req = parse_ok(RateLimitsRequest, {"rate_limits": [limit]}, "rate limits")
    rl = req.rate_limits[0]
    assert rl.calls == limit["calls"]
    assert rl.effective_key == limit.get("key", "endpoint")
    assert rl.renewal_period == "minute"


@pytest.mark.parametrize(
    ("limit", "fragments"),
    [
        ({"key": "user"}, ["rate_limits[0].calls: is required"]),
        ({"calls": -1}, ["rate_limits[0]", "'calls' must be 0 or more"]),
        (
            {"calls": 1, "key": "user_group"},
            ["rate_limits[0].key", "must be one of 'user', 'endpoint'", "not 'user_group'"],
        ),
        ({"calls": 1, "key": "usr"}, ["rate_limits[0].key", "must be one of", "not 'usr'"]),
        (
            {"calls": 1, "renewal_period": "hour"},
            ["rate_limits[0].renewal_period", "must be one of 'minute'", "not 'hour'"],
        ),
        ({"calls": "many"}, ["rate_limits[0].calls"]),
    ],
)
def test_legacy_rate_limit_invalid(limit: dict[str, Any], fragments: list[str]) -> None:
    expect_invalid(RateLimitsRequest, {"rate_limits": [limit]}, *fragments, what="rate limits")


def test_legacy_rate_limit_in_create_request_names_index() -> None:
    body = create_body(rate_limits=[{"calls": 1}, {"calls": -3}])
    expect_invalid(CreateServingEndpoint, body, "rate_limits[1]", "'calls' must be 0 or more")


# ---- AI gateway -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limit",
    [
        {"calls": 10},
        {"tokens": 1000},
        {"calls": 10, "tokens": 1000, "key": "user"},
        {"calls": 1, "key": "endpoint"},
        {"calls": 1, "key": "user_group", "principal": "data-team"},
        {"tokens": 1, "key": "service_principal", "principal": "1234-abcd"},
        {"calls": 1, "key": "user", "principal": "someone@example.com"},
    ],
)
def test_gateway_rate_limit_valid(limit: dict[str, Any]) -> None:
    gw = parse_ok(AiGatewayConfig, {"rate_limits": [limit]}, "AI gateway")
    assert gw.rate_limits[0].effective_key == limit.get("key", "endpoint")


@pytest.mark.parametrize(
    ("limit", "fragments"),
    [
        ({"key": "user"}, ["rate_limits[0]", "give 'calls', 'tokens' or both"]),
        ({"calls": -1}, ["rate_limits[0]", "'calls' must be 0 or more"]),
        ({"tokens": -5}, ["rate_limits[0]", "'tokens' must be 0 or more"]),
        (
            {"calls": 1, "key": "group"},
            [
                "rate_limits[0].key",
                "must be one of 'user', 'endpoint', 'user_group', 'service_principal'",
                "not 'group'",
            ],
        ),
        ({"calls": 1, "key": "user_group"}, ["rate_limits[0]", "key 'user_group' needs a 'principal'"]),
        ({"calls": 1, "key": "service_principal"}, ["rate_limits[0]", "key 'service_principal' needs a 'principal'"]),
        (
            {"calls": 1, "key": "endpoint", "principal": "x"},
            ["rate_limits[0]", "key 'endpoint'", "takes no 'principal'"],
        ),
        ({"calls": 1, "principal": "x"}, ["rate_limits[0]", "key 'endpoint'", "takes no 'principal'"]),
        ({"calls": 1, "renewal_period": "day"}, ["rate_limits[0].renewal_period", "must be one of 'minute'"]),
    ],
)
def test_gateway_rate_limit_invalid(limit: dict[str, Any], fragments: list[str]) -> None:
    expect_invalid(AiGatewayConfig, {"rate_limits": [limit]}, *fragments, what="AI gateway")


def test_gateway_errors_in_create_request_have_full_path() -> None:
    body = create_body(ai_gateway={"rate_limits": [{"calls": 1}, {"key": "user_group", "calls": 1}]})
    expect_invalid(CreateServingEndpoint, body, "ai_gateway.rate_limits[1]", "needs a 'principal'")


@pytest.mark.parametrize(
    ("table", "missing"),
    [
        ({"enabled": True}, "'catalog_name' and 'schema_name'"),
        ({"enabled": True, "catalog_name": "main"}, "'schema_name'"),
        ({"enabled": True, "schema_name": "s"}, "'catalog_name'"),
    ],
)
def test_inference_table_needs_names_when_enabled(table: dict[str, Any], missing: str) -> None:
    expect_invalid(
        AiGatewayConfig,
        {"inference_table_config": table},
        "inference_table_config",
        f"enabling the inference table needs {missing}",
        what="AI gateway",
    )


@pytest.mark.parametrize(
    "table",
    [{"enabled": False}, {}, {"enabled": True, "catalog_name": "main", "schema_name": "s", "table_name_prefix": "p"}],
)
def test_inference_table_valid(table: dict[str, Any]) -> None:
    parse_ok(AiGatewayConfig, {"inference_table_config": table}, "AI gateway")


@pytest.mark.parametrize("behavior", ["NONE", "BLOCK", "MASK"])
@pytest.mark.parametrize("side", ["input", "output"])
def test_pii_behavior_valid(side: str, behavior: str) -> None:
    gw = parse_ok(AiGatewayConfig, {"guardrails": {side: {"pii": {"behavior": behavior}}}}, "AI gateway")
    assert getattr(gw.guardrails, side).pii.behavior == behavior


@pytest.mark.parametrize("behavior", ["mask", "REDACT", ""])
def test_pii_behavior_invalid(behavior: str) -> None:
    expect_invalid(
        AiGatewayConfig,
        {"guardrails": {"output": {"pii": {"behavior": behavior}}}},
        "guardrails.output.pii.behavior",
        "must be one of 'NONE', 'BLOCK', 'MASK'",
        f"not {behavior!r}",
        what="AI gateway",
    )


def test_fallback_config_enabled_required() -> None:
    expect_invalid(AiGatewayConfig, {"fallback_config": {}}, "fallback_config.enabled: is required", what="AI gateway")


@pytest.mark.parametrize("enabled", [True, False])
def test_fallback_config_valid(enabled: bool) -> None:
    gw = parse_ok(AiGatewayConfig, {"fallback_config": {"enabled": enabled}}, "AI gateway")
    assert gw.fallback_config.enabled is enabled


def test_full_gateway_config_round_trips() -> None:
    data = _create_with_gateway()["ai_gateway"]
    gw = parse_ok(AiGatewayConfig, copy.deepcopy(data), "AI gateway")
    out = gw.to_json()
    assert out["rate_limits"] == [{"calls": 5, "key": "user", "renewal_period": "minute"}]
    assert out["guardrails"]["input"] == {"safety": True, "pii": {"behavior": "BLOCK"}}
    assert out["fallback_config"] == {"enabled": True}


# ---- tags -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_tag_key_rejected(key: str) -> None:
    expect_invalid(
        PatchTagsRequest,
        {"add_tags": [{"key": key, "value": "v"}]},
        "add_tags[0]",
        "tag 'key' must not be empty",
        what="tags",
    )
    expect_invalid(
        CreateServingEndpoint, create_body(tags=[{"key": "ok"}, {"key": key}]), "tags[1]", "tag 'key' must not be empty"
    )


def test_tag_key_required() -> None:
    expect_invalid(PatchTagsRequest, {"add_tags": [{"value": "v"}]}, "add_tags[0].key: is required", what="tags")


def test_tag_too_long_rejected() -> None:
    expect_invalid(
        PatchTagsRequest, {"add_tags": [{"key": "k" * 256}]}, "add_tags[0].key", "the limit is 255", what="tags"
    )


def test_patch_tags_request_parses() -> None:
    req = parse_ok(
        PatchTagsRequest,
        {"add_tags": [{"key": "team", "value": "gen-ai"}, {"key": "flag"}], "delete_tags": ["old", "obsolete"]},
        "tags",
    )
    assert [(t.key, t.value) for t in req.add_tags] == [("team", "gen-ai"), ("flag", None)]
    assert req.delete_tags == ["old", "obsolete"]
    assert req.to_json() == {
        "add_tags": [{"key": "team", "value": "gen-ai"}, {"key": "flag"}],
        "delete_tags": ["old", "obsolete"],
    }


def test_patch_tags_request_may_be_empty() -> None:
    req = parse_ok(PatchTagsRequest, {}, "tags")
    assert req.add_tags is None and req.delete_tags is None


# ---- tutorial payloads ------------------------------------------------------------------------------------


def test_tutorial_openai_completions_with_secret_ref() -> None:
    req = parse_ok(CreateServingEndpoint, copy.deepcopy(payloads.OPENAI_COMPLETIONS))
    assert req.name == "openai-completions"
    model = req.config.served_entities[0].external_model
    assert (model.name, model.provider, model.task) == ("gpt-3.5-turbo-instruct", "openai", "llm/v1/completions")
    assert model.openai_config.openai_api_key == "{{secrets/my_openai_secret_scope/openai_api_key}}"
    assert [(t.key, t.value) for t in req.tags] == [("team", "gen-ai")]
    assert req.to_json() == payloads.OPENAI_COMPLETIONS


def test_tutorial_openai_completions_with_plaintext() -> None:
    req = parse_ok(CreateServingEndpoint, payloads.openai_plaintext())
    cfg = req.config.served_entities[0].external_model.openai_config
    assert cfg.openai_api_key is None
    assert cfg.openai_api_key_plaintext == "sk-plaintext-not-for-echo"


def test_tutorial_azure_openai() -> None:
    body = payloads.azure_openai()
    cfg_in = body["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert cfg_in["openai_api_base"] == "https://my-azure-openai-endpoint.openai.azure.com"
    req = parse_ok(CreateServingEndpoint, body)
    cfg = req.config.served_entities[0].external_model.openai_config
    assert cfg.api_type == "azure"
    assert cfg.openai_deployment_name == "my-gpt-35-turbo-deployment"
    assert cfg.openai_api_version == "2023-05-15"
    assert cfg.api_base() == "https://my-azure-openai-endpoint.openai.azure.com"


def test_tutorial_rate_limits() -> None:
    req = parse_ok(RateLimitsRequest, copy.deepcopy(payloads.RATE_LIMITS), "rate limits")
    assert [(r.key, r.renewal_period, r.calls) for r in req.rate_limits] == [("user", "minute", 20)]
    assert req.to_json() == payloads.RATE_LIMITS


def test_tutorial_anthropic_completions() -> None:
    req = parse_ok(CreateServingEndpoint, copy.deepcopy(payloads.ANTHROPIC_COMPLETIONS))
    model = req.config.served_entities[0].external_model
    assert (model.name, model.provider, model.task) == ("claude-2", "anthropic", "llm/v1/completions")
    assert model.anthropic_config.anthropic_api_key == "{{secrets/my_anthropic_secret_scope/anthropic_api_key}}"
    assert req.config.served_entities[0].name == "claude-completions"


# ---- non-object input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "type_name"),
    [([], "list"), ("endpoint", "str"), (None, "NoneType"), (42, "int"), ([{"name": "x"}], "list")],
)
@pytest.mark.parametrize(
    "model", [CreateServingEndpoint, EndpointCoreConfigInput, RateLimitsRequest, AiGatewayConfig, PatchTagsRequest]
)
def test_non_object_input_rejected(model: type, data: Any, type_name: str) -> None:
    expect_invalid(model, data, "expected a JSON object", f"got {type_name}")


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        ({"config": "abc"}, "config: must be a JSON object"),
        ({"config": {"served_entities": [["x"]]}}, "config.served_entities[0]: must be a JSON object"),
        ({"ai_gateway": 5}, "ai_gateway: must be a JSON object"),
    ],
)
def test_nested_non_object_rejected(patch: dict[str, Any], fragment: str) -> None:
    body = create_body()
    body.update(patch)
    expect_invalid(CreateServingEndpoint, body, fragment)


def test_many_problems_are_summarised() -> None:
    body = create_body(
        *[entity(external(provider="opneai", config_key="openai_config"), name=f"e{i}") for i in range(8)]
    )
    msg = expect_invalid(
        CreateServingEndpoint, body, "config.served_entities[0].external_model.provider", "... and 3 more"
    )
    assert msg.count("must be one of") == 5
