"""Input that used to be accepted but wrong, or that crashed validation (issue 8).

Every case goes through the public entry points (``parse_user_input`` with the real models, the
``check_*`` name functions) and expects a clean INVALID_PARAMETER_VALUE whose message names the field
and says what is wrong; what a server sends (``parse_stored``) stays lenient.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tui.domain.base import DatabricksModel, parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, ServingEndpointDetailed
from tui.domain.errors import InvalidParameterValue
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimit, RateLimitsRequest
from tui.domain.names import check_endpoint_name, check_scope_name, check_secret_key
from tui.domain.provider_configs import PROVIDER_CONFIGS, OpenAIConfig, ProviderConfig
from tui.domain.schemas import ChatRequest, CompletionsRequest, EmbeddingsRequest

REF = "{{secrets/my_scope/my_key}}"
EM = "config.served_entities[0].external_model"
MB = 1 << 20
NameCheck = Callable[[str], None]


def body(
    *, name: str = "my-endpoint", model: str = "gpt-4o", config: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A valid create request for one OpenAI chat model; keyword arguments override or add fields."""
    external = {
        "name": model,
        "provider": "openai",
        "task": "llm/v1/chat",
        "openai_config": {"openai_api_key": REF} if config is None else config,
    }
    return {"name": name, "config": {"served_entities": [{"name": "ent", "external_model": external}]}, **extra}


def refused(model: type, data: dict[str, Any], *fragments: str, what: str = "serving endpoint") -> str:
    """Parse as user input; expect INVALID_PARAMETER_VALUE with every fragment in an encodable message."""
    with pytest.raises(InvalidParameterValue) as info:
        parse_user_input(model, data, what)
    message = str(info.value)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert message.startswith(f"Invalid {what}: "), message
    message.encode("utf-8")  # no lone surrogate reaches a terminal or a JSON error body
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def name_refused(check: NameCheck, name: str, *fragments: str) -> None:
    with pytest.raises(InvalidParameterValue) as info:
        check(name)
    str(info.value).encode("utf-8")
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


# ---- 1. URLs ----------------------------------------------------------------------------------------------

BAD_URLS = [
    ("ftp://x", "must be an http:// or https:// URL with a host, not 'ftp://x'"),
    ("javascript:alert(1)", "must be an http:// or https:// URL"),
    ("file:///etc/passwd", "must be an http:// or https:// URL"),
    ("not a url", "must be an http:// or https:// URL"),
    ("", "must be an http:// or https:// URL with a host, not ''"),
    ("http://", "must be an http:// or https:// URL with a host"),
    ("http://:8080", "must be an http:// or https:// URL with a host"),
    ("http://h:99999", "'http://h:99999' is not a valid URL; check the host and port (a port is a number from 1"),
    ("http://h:-1", "'http://h:-1' is not a valid URL"),
    ("http://h:port", "'http://h:port' is not a valid URL"),
    ("http://[::1", "'http://[::1' is not a valid URL"),
    ("http://h:0", "'http://h:0' has port 0; a port is a number from 1 to 65535"),
    ("http://h/\x1b]52;c;x\x07", "contains the control character '\\x1b'"),
    ("http://h/v1\n", "'http://h/v1' contains a space, tab or line break; a URL has none (write a space as %20)"),
    ("http://exa mple.com", "'http://exa mple.com' contains a space"),
    (" http://h", "'http://h' contains a space"),
]
URL_FIELD = re.compile(r".*(_api_base|_url|_uri|_authority)$")


def url_fields() -> list[tuple[type[ProviderConfig], str]]:
    """Every field of every provider config whose name says it holds a URL (a new provider's too)."""
    return [
        (cls, field) for _, cls in PROVIDER_CONFIGS.values() for field in cls.model_fields if URL_FIELD.fullmatch(field)
    ]


@pytest.mark.parametrize(("url", "fragment"), BAD_URLS)
def test_bad_base_url_refused_in_create_request(url: str, fragment: str) -> None:
    data = body(config={"openai_api_key": REF, "openai_api_base": url})
    refused(CreateServingEndpoint, data, f"{EM}.openai_config.openai_api_base: ", fragment)


@pytest.mark.parametrize(("url", "fragment"), BAD_URLS)
def test_bad_url_refused_in_every_url_field(url: str, fragment: str) -> None:
    fields = url_fields()
    assert len(fields) >= 13  # all *_api_base, databricks_workspace_url, custom_provider_url, Entra, Vertex token
    for cls, field in fields:
        refused(cls, {field: url}, f"{field}: {fragment}", what="config")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1",
        "https://x.openai.azure.com",
        "HTTPS://Example.com/v1/",
        "http://[::1]:8000",
        "http://user:pw@host:1/path?q=1",
        "https://h:65535",
    ],
)
def test_good_urls_accepted(url: str) -> None:
    assert parse_user_input(OpenAIConfig, {"openai_api_key": REF, "openai_api_base": url}, "config").api_base() == url


def test_url_at_the_limit_accepted() -> None:
    url = "https://h/" + "p" * 2038
    assert len(url) == 2048
    parse_user_input(OpenAIConfig, {"openai_api_key": REF, "openai_api_base": url}, "config")


def test_stored_url_is_taken_as_it_is() -> None:
    assert parse_stored(OpenAIConfig, {"openai_api_base": "ftp://x"}).openai_api_base == "ftp://x"


# ---- 2. booleans are not numbers --------------------------------------------------------------------------


def number_fields() -> list[tuple[type[DatabricksModel], str]]:
    """Every int or float field of every Databricks model, found by walking the model classes."""
    found: list[tuple[type[DatabricksModel], str]] = []
    pending: list[type[DatabricksModel]] = [DatabricksModel]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        found += [
            (cls, name)
            for name, field in cls.model_fields.items()
            if field.annotation in (int, float, int | None, float | None)
        ]
    return found


@pytest.mark.parametrize(
    ("model", "data", "fragment"),
    [
        (RateLimitsRequest, {"rate_limits": [{"calls": True}]}, "rate_limits[0].calls: must be a number, not true"),
        (AiGatewayConfig, {"rate_limits": [{"calls": False}]}, "rate_limits[0].calls: must be a number, not false"),
        (AiGatewayConfig, {"rate_limits": [{"tokens": True}]}, "rate_limits[0].tokens: must be a number, not true"),
        (
            EndpointCoreConfigInput,
            {
                **body()["config"],
                "traffic_config": {"routes": [{"served_entity_name": "ent", "traffic_percentage": True}]},
            },
            "traffic_config.routes[0].traffic_percentage: must be a number, not true",
        ),
        (
            CreateServingEndpoint,
            body(rate_limits=[{"calls": True}]),
            "rate_limits[0].calls: must be a number, not true",
        ),
    ],
)
def test_bool_refused_for_number(model: type, data: dict[str, Any], fragment: str) -> None:
    refused(model, data, fragment)


def test_every_number_field_refuses_bool() -> None:
    fields = number_fields()
    assert {"calls", "tokens", "traffic_percentage", "provisioned_model_units"} <= {f for _, f in fields}
    for cls, field in fields:
        refused(cls, {field: True}, f"{field}: must be a number, not true", what="x")


def test_numbers_still_accepted_from_user() -> None:
    req = parse_user_input(RateLimitsRequest, {"rate_limits": [{"calls": 5}, {"calls": "7"}]}, "rate limits")
    assert [r.calls for r in req.rate_limits] == [5, 7]


def test_stored_bool_stays_lenient() -> None:
    assert parse_stored(RateLimit, {"calls": True}).calls == 1


# ---- 3. length limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (body(model="m" * MB), f"{EM}.name: is 1,048,576 characters long; the limit is 256"),
        (body(model="m" * 257), f"{EM}.name: is 257 characters long; the limit is 256"),
        (
            body(config={"openai_api_key": REF, "openai_api_base": "https://h/" + "p" * MB}),
            "openai_api_base: is 1,048,586 characters long; the limit is 2,048",
        ),
        (body(tags=[{"key": "k" * 256}]), "tags[0].key: is 256 characters long; the limit is 255"),
        (body(tags=[{"key": "k", "value": "v" * MB}]), "tags[0].value: is 1,048,576 characters long; the limit is 255"),
        (body(description="d" * 8193), "description: is 8,193 characters long; the limit is 8,192"),
        (
            body(config={"openai_api_key_plaintext": "k" * MB}),
            "openai_api_key_plaintext: is 1,048,576 characters long; the limit is 8,192",
        ),
        (body(name="e" * MB), "name: Endpoint name is 1,048,576 characters long; the limit is 63"),
    ],
)
def test_too_long_text_refused_naming_the_limit(data: dict[str, Any], fragment: str) -> None:
    refused(CreateServingEndpoint, data, fragment)


def test_delete_tags_are_limited_like_tag_keys() -> None:
    refused(PatchTagsRequest, {"delete_tags": ["k" * 256]}, "delete_tags[0]: is 256", "the limit is 255", what="tags")


def test_text_at_the_limits_accepted() -> None:
    req = parse_user_input(
        CreateServingEndpoint,
        body(model="m" * 256, tags=[{"key": "k" * 255, "value": "v" * 255}], description="d" * 8192),
        "serving endpoint",
    )
    assert len(req.config.served_entities[0].external_model.name) == 256


def test_stored_long_text_taken_as_it_is() -> None:
    stored = parse_stored(ServingEndpointDetailed, {"name": "e", "description": "d" * MB})
    assert len(stored.description) == MB


# ---- 4. names a command line cannot address -----------------------------------------------------------------

DASH = "starts with '-', so a command line would take it for an option"


@pytest.mark.parametrize(
    ("check", "name", "kind"),
    [
        (check_endpoint_name, "--foo", "Endpoint name '--foo'"),
        (check_endpoint_name, "-", "Endpoint name '-'"),
        (check_scope_name, "-scope", "Scope name '-scope'"),
        (check_secret_key, "--help", "Secret key '--help'"),
    ],
)
def test_leading_dash_refused(check: NameCheck, name: str, kind: str) -> None:
    name_refused(check, name, kind, DASH)


def test_leading_dash_refused_in_create_request() -> None:
    refused(CreateServingEndpoint, body(name="--foo"), f"name: Endpoint name '--foo' {DASH}")
    data = body()
    data["config"]["served_entities"][0]["name"] = "-ent"
    refused(CreateServingEndpoint, data, "config.served_entities[0]", f"Served entity name '-ent' {DASH}")


@pytest.mark.parametrize("name", ["a-", "a--b", "_x"])
def test_dash_elsewhere_accepted(name: str) -> None:
    check_endpoint_name(name)
    check_scope_name(name)
    check_secret_key(name)


# ---- 5. lone surrogates and control characters -------------------------------------------------------------

NOT_TEXT = "is not valid text (it contains a lone surrogate)"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (body(name="a\ud800"), "name: "),
        (body(model="gpt\udc80"), f"{EM}.name: "),
        (body(config={"openai_api_key": "{{secrets/s\ud800/k}}"}), f"{EM}.openai_config.openai_api_key: "),
        (body(config={"openai_api_key": REF, "openai_api_base": "http://h\ud800"}), "openai_api_base: "),
        (body(tags=[{"key": "k", "value": "\udfff"}]), "tags[0].value: "),
        (body(description="\ud800"), "description: "),
        (body(config={"openai_api_key": REF, "k\ud800": 1}), f"{EM}.openai_config: a field name "),
        (body(**{"\ud800": 1}), "Invalid serving endpoint: a field name "),
    ],
)
def test_lone_surrogate_refused_cleanly(data: dict[str, Any], path: str) -> None:
    refused(CreateServingEndpoint, data, path + NOT_TEXT)


def test_lone_surrogate_in_served_entity_name_refused_cleanly() -> None:
    data = body()
    data["config"]["served_entities"][0]["name"] = "e\ud800"
    refused(CreateServingEndpoint, data, f"config.served_entities[0].name: {NOT_TEXT}")


def test_lone_surrogate_in_tags_patch_refused_cleanly() -> None:
    refused(PatchTagsRequest, {"delete_tags": ["\ud800"]}, f"delete_tags[0]: {NOT_TEXT}", what="tags")


@pytest.mark.parametrize(
    ("check", "kind"),
    [(check_endpoint_name, "Endpoint name"), (check_scope_name, "Scope name"), (check_secret_key, "Secret key")],
)
def test_lone_surrogate_in_names_refused_cleanly(check: NameCheck, kind: str) -> None:
    name_refused(check, "a\ud800", f"{kind} {NOT_TEXT}")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (body(model="gpt\x1b[2J"), f"{EM}.name: contains the control character '\\x1b'; only printable text"),
        (body(model="gpt\x00"), f"{EM}.name: contains the control character '\\x00'"),
        (body(model="gpt\r"), f"{EM}.name: contains the control character '\\r'"),
        (body(tags=[{"key": "k\x7f"}]), "tags[0].key: contains the control character '\\x7f'"),
        (body(tags=[{"key": "k", "value": "\x9b31m"}]), "tags[0].value: contains the control character '\\x9b'"),
        (body(tags=[{"key": "evil\u202e"}]), "tags[0].key: contains the control character '\\u202e'"),
    ],
)
def test_control_characters_refused(data: dict[str, Any], fragment: str) -> None:
    refused(CreateServingEndpoint, data, fragment)


@pytest.mark.parametrize(
    ("check", "name", "fragment"),
    [
        (check_endpoint_name, "a\x1b[2J", "contains '\\x1b'"),
        (check_scope_name, "s\x9b", "contains '\\x9b'"),
        (check_secret_key, "k\x07", "contains '\\x07'"),
    ],
)
def test_control_characters_refused_in_names(check: NameCheck, name: str, fragment: str) -> None:
    name_refused(check, name, fragment)


def test_tab_and_newline_allowed_in_tag_value() -> None:
    req = parse_user_input(CreateServingEndpoint, body(tags=[{"key": "k", "value": "a\tb\nc"}]), "serving endpoint")
    assert req.tags[0].value == "a\tb\nc"


# ---- 6. query request bodies -------------------------------------------------------------------------------

MESSAGES = [{"role": "user", "content": "hi"}]


def with_knobs(schema: type, knobs: dict[str, Any]) -> dict[str, Any]:
    return {"messages": MESSAGES, **knobs} if schema is ChatRequest else {"prompt": "hi", **knobs}


@pytest.mark.parametrize("schema", [ChatRequest, CompletionsRequest])
@pytest.mark.parametrize(
    ("knobs", "fragment"),
    [
        ({"stream": "yes"}, "stream: Input should be a valid boolean"),
        ({"stream": 1}, "stream: Input should be a valid boolean"),
        ({"stream": "true"}, "stream: Input should be a valid boolean"),
        ({"n": "2"}, "n: must be a number, not a string"),
        ({"n": True}, "n: must be a number, not true"),
        ({"n": 6}, "n: Input should be less than or equal to 5"),
        ({"max_tokens": 10**30}, "max_tokens: Input should be less than or equal to 1000000"),
        ({"max_tokens": True}, "max_tokens: must be a number, not true"),
        ({"max_tokens": "10"}, "max_tokens: must be a number, not a string"),
        ({"max_completion_tokens": 10**30}, "max_completion_tokens: Input should be less than or equal to 1000000"),
        ({"temperature": True}, "temperature: must be a number, not true"),
        ({"temperature": "0.5"}, "temperature: must be a number, not a string"),
        ({"top_p": False}, "top_p: must be a number, not false"),
        ({"presence_penalty": 3}, "presence_penalty: Input should be less than or equal to 2"),
        ({"frequency_penalty": True}, "frequency_penalty: must be a number, not true"),
    ],
)
def test_bad_knobs_refused(schema: type, knobs: dict[str, Any], fragment: str) -> None:
    refused(schema, with_knobs(schema, knobs), fragment, what="request")


@pytest.mark.parametrize("schema", [ChatRequest, CompletionsRequest])
@pytest.mark.parametrize(
    "knobs",
    [
        {},
        {"stream": True},
        {"stream": False},
        {"stream": None},
        {"temperature": 0, "top_p": 1, "n": 1, "max_tokens": 1},
        {"temperature": 2, "top_p": 0.0, "n": 5, "max_tokens": 1_000_000},
        {"temperature": 0.7, "max_tokens": 10.0, "stop": ["\n"], "presence_penalty": -2, "frequency_penalty": 2},
        {"top_k": 40, "extra_params": {"seed": 1}, "max_completion_tokens": 64},
    ],
)
def test_good_knobs_accepted(schema: type, knobs: dict[str, Any]) -> None:
    parse_user_input(schema, with_knobs(schema, knobs), "request")


@pytest.mark.parametrize("value", ["text", ["a", "b"], [1, 2], [[1, 2], [3]]])
def test_embeddings_input_accepted(value: Any) -> None:
    parse_user_input(EmbeddingsRequest, {"input": value}, "request")


@pytest.mark.parametrize("value", [[True], [[1, False]]])
def test_embeddings_token_ids_refuse_bools(value: Any) -> None:
    refused(EmbeddingsRequest, {"input": value}, "input", what="request")


def test_an_azure_endpoint_is_shown_as_azure_openai() -> None:
    from tui.domain.endpoints import ExternalModel

    azure = parse_stored(
        ExternalModel,
        {"name": "gpt-4o", "provider": "openai", "task": "llm/v1/chat", "openai_config": {"openai_api_type": "azure"}},
    )
    plain = parse_stored(
        ExternalModel, {"name": "gpt-4o", "provider": "openai", "task": "llm/v1/chat", "openai_config": {}}
    )
    anthropic = parse_stored(ExternalModel, {"name": "c", "provider": "anthropic", "task": "llm/v1/chat"})
    assert (azure.provider_shown, plain.provider_shown, anthropic.provider_shown) == (
        "Azure OpenAI",
        "openai",
        "anthropic",
    )
