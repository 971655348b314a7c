"""``/api/2.0/secrets/...`` as the Databricks Secrets API: bodies, answers and errors."""

from __future__ import annotations

import base64

from starlette.testclient import TestClient

from tests.server.conftest import SCOPE, SECRET_VALUE


def test_scopes_are_created_listed_and_deleted(api: TestClient) -> None:
    assert api.post("/api/2.0/secrets/scopes/create", json={"scope": "team"}).json() == {}
    assert api.get("/api/2.0/secrets/scopes/list").json() == {
        "scopes": [{"name": "team", "backend_type": "DATABRICKS"}]
    }
    assert api.post("/api/2.0/secrets/scopes/delete", json={"scope": "team"}).json() == {}
    assert api.get("/api/2.0/secrets/scopes/list").json() == {"scopes": []}


def test_a_duplicate_scope_is_refused_as_databricks_does(api: TestClient) -> None:
    api.post("/api/2.0/secrets/scopes/create", json={"scope": "team"})
    answer = api.post("/api/2.0/secrets/scopes/create", json={"scope": "team"})
    assert answer.status_code == 400
    assert answer.json() == {"error_code": "RESOURCE_ALREADY_EXISTS", "message": "Scope team already exists!"}


def test_create_scope_takes_the_optional_fields_real_clients_send(api: TestClient) -> None:
    body = {"scope": "team", "initial_manage_principal": "users", "scope_backend_type": "DATABRICKS"}
    assert api.post("/api/2.0/secrets/scopes/create", json=body).status_code == 200


def test_a_key_vault_scope_or_a_bad_name_is_an_invalid_parameter(api: TestClient) -> None:
    vault = api.post("/api/2.0/secrets/scopes/create", json={"scope": "v", "scope_backend_type": "AZURE_KEYVAULT"})
    assert vault.status_code == 400
    assert vault.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "scope_backend_type" in vault.json()["message"]
    bad = api.post("/api/2.0/secrets/scopes/create", json={"scope": "no spaces"})
    assert (bad.status_code, bad.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")


def test_secrets_list_metadata_only(with_secret: TestClient) -> None:
    answer = with_secret.get("/api/2.0/secrets/list", params={"scope": SCOPE})
    [secret] = answer.json()["secrets"]
    assert secret["key"] == "openai_api_key"
    assert isinstance(secret["last_updated_timestamp"], int)
    assert SECRET_VALUE not in answer.text


def test_a_bytes_value_is_stored_and_a_secret_deleted(with_secret: TestClient) -> None:
    body = {"scope": SCOPE, "key": "binary", "bytes_value": base64.b64encode(b"\x00\xff").decode()}
    assert with_secret.post("/api/2.0/secrets/put", json=body).json() == {}
    keys = [s["key"] for s in with_secret.get("/api/2.0/secrets/list", params={"scope": SCOPE}).json()["secrets"]]
    assert keys == ["binary", "openai_api_key"]
    assert with_secret.post("/api/2.0/secrets/delete", json={"scope": SCOPE, "key": "binary"}).json() == {}
    missing = with_secret.post("/api/2.0/secrets/delete", json={"scope": SCOPE, "key": "binary"})
    assert (missing.status_code, missing.json()["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_put_needs_exactly_one_non_empty_value(with_secret: TestClient) -> None:
    cases = {
        "neither": {"scope": SCOPE, "key": "k"},
        "both": {"scope": SCOPE, "key": "k", "string_value": "a", "bytes_value": "YQ=="},
        "empty": {"scope": SCOPE, "key": "k", "string_value": ""},
        "not base64": {"scope": SCOPE, "key": "k", "bytes_value": "not base64!"},
        "a number": {"scope": SCOPE, "key": "k", "string_value": 5},
        "no key": {"scope": SCOPE, "string_value": "a"},
    }
    for case, body in cases.items():
        answer = with_secret.post("/api/2.0/secrets/put", json=body)
        assert (answer.status_code, answer.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), case
    keys = [s["key"] for s in with_secret.get("/api/2.0/secrets/list", params={"scope": SCOPE}).json()["secrets"]]
    assert keys == ["openai_api_key"]


def test_a_missing_scope_is_resource_does_not_exist(api: TestClient) -> None:
    for answer in (
        api.get("/api/2.0/secrets/list", params={"scope": "nope"}),
        api.post("/api/2.0/secrets/put", json={"scope": "nope", "key": "k", "string_value": "v"}),
        api.post("/api/2.0/secrets/scopes/delete", json={"scope": "nope"}),
    ):
        assert answer.status_code == 404
        assert answer.json() == {
            "error_code": "RESOURCE_DOES_NOT_EXIST",
            "message": "Secret scope 'nope' does not exist",
        }


def test_list_without_its_scope_parameter_says_which_is_missing(api: TestClient) -> None:
    answer = api.get("/api/2.0/secrets/list")
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "'scope'" in answer.json()["message"]


def test_values_never_come_out_and_acls_are_not_supported(with_secret: TestClient) -> None:
    got = with_secret.get("/api/2.0/secrets/get", params={"scope": SCOPE, "key": "openai_api_key"})
    assert (got.status_code, got.json()["error_code"]) == (400, "BAD_REQUEST")
    assert SECRET_VALUE not in got.text
    assert base64.b64encode(SECRET_VALUE.encode()).decode() not in got.text
    for answer in (
        with_secret.post(
            "/api/2.0/secrets/acls/put", json={"scope": SCOPE, "principal": "users", "permission": "READ"}
        ),
        with_secret.get("/api/2.0/secrets/acls/list", params={"scope": SCOPE}),
        with_secret.get("/api/2.0/secrets/acls/get", params={"scope": SCOPE, "principal": "users"}),
        with_secret.post("/api/2.0/secrets/acls/delete", json={"scope": SCOPE, "principal": "users"}),
    ):
        assert answer.status_code == 501
        assert answer.json()["error_code"] == "NOT_IMPLEMENTED"
        assert "ACLs are not supported" in answer.json()["message"]


def test_every_route_answers_with_a_trailing_slash_too(api: TestClient) -> None:
    assert api.post("/api/2.0/secrets/scopes/create/", json={"scope": "team"}).status_code == 200
    assert api.get("/api/2.0/secrets/scopes/list/").json()["scopes"][0]["name"] == "team"
