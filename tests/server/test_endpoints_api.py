"""``/api/2.0/serving-endpoints`` as the Databricks Serving Endpoints API: bodies, answers and errors."""

from __future__ import annotations

import copy

from starlette.testclient import TestClient

from tests.payloads import OPENAI_COMPLETIONS, RATE_LIMITS, openai_plaintext, served_config

BASE = "/api/2.0/serving-endpoints"
NAME = OPENAI_COMPLETIONS["name"]


def created(api: TestClient) -> dict:
    answer = api.post(BASE, json=OPENAI_COMPLETIONS)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_endpoint_is_created_got_listed_and_deleted(with_secret: TestClient) -> None:
    endpoint = created(with_secret)
    assert endpoint["name"] == NAME
    assert endpoint["creator"] == "alice"  # the token's user, not the workspace's
    got = with_secret.get(f"{BASE}/{NAME}").json()
    assert (
        got["config"]["served_entities"][0]["external_model"] == served_config(OPENAI_COMPLETIONS)[0]["external_model"]
    )
    assert got["tags"] == [{"key": "team", "value": "gen-ai"}]
    assert [e["name"] for e in with_secret.get(BASE).json()["endpoints"]] == [NAME]
    assert with_secret.delete(f"{BASE}/{NAME}").json() == {}
    assert with_secret.get(f"{BASE}/").json() == {"endpoints": []}


def test_mlflow_and_sdk_spellings_are_accepted(with_secret: TestClient) -> None:
    """MLflow POSTs to the trailing slash with route_optimized false; the SDK puts the name inside config."""
    body = copy.deepcopy(OPENAI_COMPLETIONS)
    body["route_optimized"] = False
    body["config"]["name"] = NAME
    assert with_secret.post(f"{BASE}/", json=body).status_code == 200
    assert with_secret.get(f"{BASE}/{NAME}/").json()["name"] == NAME


def test_a_plaintext_key_is_never_echoed(with_secret: TestClient) -> None:
    body = openai_plaintext()
    answers = [with_secret.post(BASE, json=body), with_secret.get(f"{BASE}/{body['name']}"), with_secret.get(BASE)]
    for answer in answers:
        assert answer.status_code == 200
        assert "sk-plaintext-not-for-echo" not in answer.text


def test_config_rate_limits_gateway_and_tags_update(with_secret: TestClient) -> None:
    created(with_secret)
    config = copy.deepcopy(OPENAI_COMPLETIONS["config"])
    config["served_entities"][0]["external_model"]["name"] = "gpt-4o-mini"
    config["served_entities"][0]["external_model"]["task"] = "llm/v1/completions"
    updated = with_secret.put(f"{BASE}/{NAME}/config", json=config)
    assert updated.status_code == 200, updated.text
    assert updated.json()["config"]["served_entities"][0]["external_model"]["name"] == "gpt-4o-mini"

    assert with_secret.put(f"{BASE}/{NAME}/rate-limits", json=RATE_LIMITS).json() == RATE_LIMITS

    gateway = {"rate_limits": [{"key": "endpoint", "renewal_period": "minute", "calls": 5}]}
    assert with_secret.put(f"{BASE}/{NAME}/ai-gateway", json=gateway).json() == gateway
    assert with_secret.get(f"{BASE}/{NAME}").json()["ai_gateway"] == gateway

    tags = with_secret.patch(
        f"{BASE}/{NAME}/tags", json={"add_tags": [{"key": "env", "value": "dev"}], "delete_tags": ["team"]}
    )
    assert tags.json() == {"tags": [{"key": "env", "value": "dev"}]}


def test_a_missing_endpoint_is_resource_does_not_exist_on_every_route(with_secret: TestClient) -> None:
    for answer in (
        with_secret.get(f"{BASE}/nope"),
        with_secret.delete(f"{BASE}/nope"),
        with_secret.put(f"{BASE}/nope/config", json=OPENAI_COMPLETIONS["config"]),
        with_secret.put(f"{BASE}/nope/rate-limits", json=RATE_LIMITS),
        with_secret.put(f"{BASE}/nope/ai-gateway", json={}),
        with_secret.patch(f"{BASE}/nope/tags", json={"delete_tags": ["x"]}),
    ):
        assert answer.status_code == 404, answer.request.url
        assert answer.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        assert "nope" in answer.json()["message"]


def test_a_missing_secret_refuses_the_endpoint_and_stores_nothing(api: TestClient) -> None:
    answer = api.post(BASE, json=OPENAI_COMPLETIONS)
    assert (answer.status_code, answer.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    assert "my_openai_secret_scope" in answer.json()["message"]
    assert api.get(BASE).json() == {"endpoints": []}


def test_a_duplicate_endpoint_is_refused(with_secret: TestClient) -> None:
    created(with_secret)
    again = with_secret.post(BASE, json=OPENAI_COMPLETIONS)
    assert (again.status_code, again.json()["error_code"]) == (400, "RESOURCE_ALREADY_EXISTS")


def test_wrong_fields_and_types_name_the_json_path(with_secret: TestClient) -> None:
    created(with_secret)
    cases = [
        ("post", BASE, {"config": OPENAI_COMPLETIONS["config"]}, "name: is required"),
        ("post", BASE, {**OPENAI_COMPLETIONS, "nmae": "x"}, "unknown field 'nmae'"),
        ("put", f"{BASE}/{NAME}/rate-limits", {"rate_limits": [{"calls": True}]}, "rate_limits[0].calls"),
        ("put", f"{BASE}/{NAME}/rate-limits", {"rate_limits": "20"}, "rate_limits"),
        (
            "put",
            f"{BASE}/{NAME}/config",
            {"served_entities": [{"external_model": {"name": "m"}}]},
            "served_entities[0]",
        ),
        ("patch", f"{BASE}/{NAME}/tags", {"add_tags": [{"value": "v"}]}, "add_tags[0].key"),
        ("put", f"{BASE}/{NAME}/ai-gateway", {"fallback_config": {"enabled": "maybe"}}, "fallback_config.enabled"),
    ]
    for method, path, body, expected in cases:
        answer = with_secret.request(method.upper(), path, json=body)
        assert answer.status_code == 400, (path, body)
        assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert expected in answer.json()["message"], answer.json()["message"]
    assert with_secret.get(f"{BASE}/{NAME}").json()["config"]["served_entities"][0]["external_model"]["name"] == (
        "gpt-3.5-turbo-instruct"
    )
