"""Bad input and bad callers get the Databricks error shape, never a trace; every request is logged once, safely."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import SCOPE, SECRET_VALUE
from tui.server.app import create_app
from tui.server.io import MAX_BODY_BYTES
from tui.workspace.local.workspace import LocalWorkspace

ROUTES = [
    ("GET", "/api/2.0/secrets/scopes/list"),
    ("POST", "/api/2.0/secrets/scopes/create"),
    ("POST", "/api/2.0/secrets/put"),
    ("GET", "/api/2.0/serving-endpoints"),
    ("POST", "/api/2.0/serving-endpoints/"),
    ("GET", "/api/2.0/serving-endpoints/x"),
    ("DELETE", "/api/2.0/serving-endpoints/x"),
    ("PUT", "/api/2.0/serving-endpoints/x/config"),
    ("PATCH", "/api/2.0/serving-endpoints/x/tags"),
    ("GET", "/api/2.0/no-such-api"),
]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer sb-not-a-token", "sb-no-scheme"],
)
def test_no_or_a_wrong_token_is_401_on_every_route(anonymous: TestClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in ROUTES:
        answer = anonymous.request(method, path, headers=headers, json={"scope": "s"})
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error_code"] == "UNAUTHENTICATED"
        assert answer.headers["www-authenticate"] == "Bearer"
    assert asyncio.run(anonymous.app.state.workspace.list_scopes()) == []  # type: ignore[attr-defined]


def test_a_revoked_or_expired_token_is_refused(ws: LocalWorkspace, anonymous: TestClient) -> None:
    revoked = asyncio.run(ws.tokens.create("bob"))
    asyncio.run(ws.tokens.revoke(revoked.token_info.token_id))
    answer = anonymous.get("/api/2.0/serving-endpoints", headers={"Authorization": f"Bearer {revoked.token_value}"})
    assert answer.status_code == 401
    assert "revoked" in answer.json()["message"]


def test_the_host_metadata_probe_needs_no_token_and_is_stable(anonymous: TestClient) -> None:
    first = anonymous.get("/.well-known/databricks-config")
    assert first.status_code == 200
    assert first.json()["workspace_id"].isdigit()
    assert anonymous.get("/.well-known/databricks-config").json() == first.json()


def test_unknown_routes_and_methods_answer_endpoint_not_found(api: TestClient) -> None:
    for method, path in [
        ("GET", "/api/2.0/clusters/list"),
        ("GET", "/"),
        ("PUT", "/api/2.0/serving-endpoints"),
        ("POST", "/api/2.0/secrets/scopes/list"),
        ("GET", "/api/2.0/serving-endpoints/x/config"),
    ]:
        answer = api.request(method, path)
        assert answer.status_code == 404
        assert answer.json() == {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"scope": "s"', "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'"scope"', "expected a JSON object"),
        (b'{"scope": 5}', "scope"),
        (b'{"scope": null}', "scope"),
        (b"{}", "scope: is required"),
        (b"", "scope: is required"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"scope": ' + b"9" * 5000 + b"}", "more than"),
    ],
)
def test_malformed_bodies_are_invalid_parameter_value(api: TestClient, body: bytes, expected: str) -> None:
    answer = api.post("/api/2.0/secrets/scopes/create", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert expected in answer.json()["message"]
    assert api.get("/api/2.0/secrets/scopes/list").json() == {"scopes": []}


def test_a_body_over_the_limit_is_413_declared_or_streamed(api: TestClient) -> None:
    huge = b'{"scope": "' + b"a" * MAX_BODY_BYTES + b'"}'

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        for start in range(0, len(huge), 64 * 1024):
            yield huge[start : start + 64 * 1024]

    for content in (huge, chunks()):
        answer = api.post("/api/2.0/secrets/scopes/create", content=content)
        assert answer.status_code == 413
        assert answer.json()["error_code"] == "REQUEST_TOO_LARGE"
        assert f"{MAX_BODY_BYTES:,}" in answer.json()["message"]


def test_an_unexpected_error_is_a_bare_500_and_logged(
    ws: LocalWorkspace, token: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(ws, "list_scopes", broken)
    with TestClient(create_app(ws)) as client, caplog.at_level(logging.INFO, "switchboard.serve"):
        answer = client.get("/api/2.0/secrets/scopes/list", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 500
    assert answer.json() == {
        "error_code": "INTERNAL_ERROR",
        "message": "Internal error; the server's log has the details",
    }
    assert "disk on fire" in caplog.text  # for whoever runs the server
    assert "GET /api/2.0/secrets/scopes/list 500" in caplog.text


def test_one_log_line_per_request_without_token_or_secret(
    with_secret: TestClient, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "switchboard.serve"):
        with_secret.post("/api/2.0/secrets/put", json={"scope": SCOPE, "key": "k2", "string_value": SECRET_VALUE})
        with_secret.get("/api/2.0/secrets/list", params={"scope": SCOPE, "token": token})
        with_secret.get("/api/2.0/serving-endpoints/x%1B%5B31m")  # the path arrives decoded
    lines = [r.getMessage() for r in caplog.records if r.name == "switchboard.serve"]
    assert len(lines) == 3
    assert lines[0].startswith("POST /api/2.0/secrets/put 200 ") and lines[0].endswith("ms alice")
    assert lines[1].startswith("GET /api/2.0/secrets/list 200 ")
    assert lines[2].startswith("GET /api/2.0/serving-endpoints/x␛[31m 404 ")
    assert token not in caplog.text
    assert SECRET_VALUE not in caplog.text
    assert "\x1b" not in caplog.text


def test_an_unauthenticated_request_is_logged_without_user(
    anonymous: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "switchboard.serve"):
        anonymous.get("/api/2.0/serving-endpoints", headers={"Authorization": "Bearer sb-guess"})
    [line] = [r.getMessage() for r in caplog.records if r.name == "switchboard.serve"]
    assert line.startswith("GET /api/2.0/serving-endpoints 401 ") and line.endswith("ms -")
    assert "sb-guess" not in caplog.text
