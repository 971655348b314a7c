"""Tokens, SCIM ``Me`` and the usage routes of ``switchboard serve``: Databricks' shapes, who may do what, no value
ever shown again (not in a list, an error or the log), through our app and through the real ``databricks-sdk``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.payloads import OPENAI_COMPLETIONS
from tui.server.app import create_app
from tui.workspace.local.workspace import LocalWorkspace

sdk = pytest.importorskip("databricks.sdk")
errors = pytest.importorskip("databricks.sdk.errors")

ME = "/api/2.0/preview/scim/v2/Me"
MANAGEMENT = "/api/2.0/token-management"
PUBLIC_FIELDS = {"token_id", "creation_time", "expiry_time", "comment"}
MANAGED_FIELDS = PUBLIC_FIELDS | {"created_by_username", "created_by_id", "owner_id"}


def new_token(ws: LocalWorkspace, user: str, **options: Any) -> str:
    return asyncio.run(ws.tokens.create(user, **options)).token_value


def as_bearer(client: TestClient, value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture
def admin(ws: LocalWorkspace) -> Iterator[TestClient]:
    """The app, every request carrying root's admin token."""
    value = new_token(ws, "root", admin=True)
    with TestClient(create_app(ws), headers={"Authorization": f"Bearer {value}"}) as client:
        yield client


def refused(answer: Any, status: int, code: str) -> str:
    """The Databricks error shape with ``status`` and ``code``; its message."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error_code", "message"} and body["error_code"] == code
    return str(body["message"])


def me(client: TestClient, value: str) -> Any:
    return client.get(ME, headers=as_bearer(client, value))


# -- the caller's own tokens


def test_a_caller_creates_lists_and_deletes_only_its_own_tokens(api: TestClient, ws: LocalWorkspace) -> None:
    bobs = new_token(ws, "bob")
    created = api.post("/api/2.0/token/create", json={"comment": "laptop", "lifetime_seconds": 600})
    assert created.status_code == 200
    value, info = created.json()["token_value"], created.json()["token_info"]
    assert set(info) == PUBLIC_FIELDS and info["comment"] == "laptop"
    assert info["expiry_time"] == info["creation_time"] + 600_000
    assert me(api, value).json()["userName"] == "alice"

    listed = api.get("/api/2.0/token/list")
    assert listed.status_code == 200 and value not in listed.text and value[3:] not in listed.text
    infos = listed.json()["token_infos"]
    assert info in infos and len(infos) == 2  # alice's fixture token and the new one; bob's is not shown
    assert all(set(i) == PUBLIC_FIELDS for i in infos)

    bob_id = next(t.token_id for t in asyncio.run(ws.tokens.list()) if t.user == "bob")
    gone = api.post("/api/2.0/token/delete", json={"token_id": bob_id})
    assert refused(gone, 404, "RESOURCE_DOES_NOT_EXIST") == f"Token '{bob_id}' does not exist"
    assert me(api, bobs).json()["userName"] == "bob"  # untouched

    assert api.post("/api/2.0/token/delete", json={"token_id": info["token_id"]}).json() == {}
    assert refused(me(api, value), 401, "UNAUTHENTICATED").startswith("Invalid access token")
    assert info not in api.get("/api/2.0/token/list").json()["token_infos"]


def test_a_token_made_through_the_api_is_never_an_admin_token(admin: TestClient) -> None:
    value = admin.post("/api/2.0/token/create", json={}).json()["token_value"]
    assert [g["display"] for g in me(admin, value).json()["groups"]] == ["users"]
    assert refused(admin.get(f"{MANAGEMENT}/tokens", headers=as_bearer(admin, value)), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"lifetime_seconds": -5}, "lifetime must be a whole number"),
        ({"lifetime_seconds": "soon"}, "lifetime_seconds"),
        ({"comment": "a\x1b[2Jb"}, "control character"),
        ({"lifetime": 60}, "lifetime"),
    ],
)
def test_a_bad_create_is_refused_and_nothing_is_created(
    api: TestClient, ws: LocalWorkspace, body: dict[str, Any], words: str
) -> None:
    assert words in refused(api.post("/api/2.0/token/create", json=body), 400, "INVALID_PARAMETER_VALUE")
    assert [t.user for t in asyncio.run(ws.tokens.list())] == ["alice"]


def test_a_bad_delete_is_refused(api: TestClient, token: str) -> None:
    assert refused(api.post("/api/2.0/token/delete", json={}), 400, "INVALID_PARAMETER_VALUE")
    by_value = api.post("/api/2.0/token/delete", json={"token_id": token})
    assert "value, not its id" in refused(by_value, 404, "RESOURCE_DOES_NOT_EXIST")
    assert token not in by_value.text and me(api, token).status_code == 200


# -- token management: admins only


def test_a_non_admin_may_not_manage_other_users_tokens(api: TestClient, ws: LocalWorkspace) -> None:
    bobs = new_token(ws, "bob")
    bob_id = next(t.token_id for t in asyncio.run(ws.tokens.list()) if t.user == "bob")
    attempts = [
        api.get(f"{MANAGEMENT}/tokens"),
        api.get(f"{MANAGEMENT}/tokens/{bob_id}"),
        api.delete(f"{MANAGEMENT}/tokens/{bob_id}"),
        api.post(f"{MANAGEMENT}/on-behalf-of/tokens", json={"application_id": "bob"}),
    ]
    for attempt in attempts:
        assert "admin token" in refused(attempt, 403, "PERMISSION_DENIED")
        assert bobs not in attempt.text
    assert [t.user for t in asyncio.run(ws.tokens.list())] == ["alice", "bob"]  # nothing minted or revoked
    assert me(api, bobs).json()["userName"] == "bob"


def test_an_admin_lists_gets_revokes_and_creates_for_others(admin: TestClient, ws: LocalWorkspace) -> None:
    bobs = new_token(ws, "bob", comment="bob's job")
    everyone = admin.get(f"{MANAGEMENT}/tokens").json()["token_infos"]
    assert [t["created_by_username"] for t in everyone] == ["root", "bob"]
    assert all(set(t) == MANAGED_FIELDS for t in everyone) and bobs not in str(everyone)
    bob = everyone[1]
    assert admin.get(f"{MANAGEMENT}/tokens", params={"created_by_username": "bob"}).json()["token_infos"] == [bob]
    by_id = admin.get(f"{MANAGEMENT}/tokens", params={"created_by_id": str(bob["created_by_id"])})
    assert by_id.json()["token_infos"] == [bob]
    bad_id = admin.get(f"{MANAGEMENT}/tokens", params={"created_by_id": "bob"})
    assert "numeric id" in refused(bad_id, 400, "INVALID_PARAMETER_VALUE")
    assert admin.get(f"{MANAGEMENT}/tokens/{bob['token_id']}").json() == {"token_info": bob}
    assert (
        refused(admin.get(f"{MANAGEMENT}/tokens/0000"), 404, "RESOURCE_DOES_NOT_EXIST") == "Token '0000' does not exist"
    )

    carol = admin.post(f"{MANAGEMENT}/on-behalf-of/tokens", json={"application_id": "carol", "comment": "ci"})
    assert carol.status_code == 200 and set(carol.json()["token_info"]) == MANAGED_FIELDS
    carols = carol.json()["token_value"]
    assert (carol.json()["token_info"]["created_by_username"], carol.json()["token_info"]["comment"]) == ("carol", "ci")
    assert me(admin, carols).json()["userName"] == "carol"
    assert [g["display"] for g in me(admin, carols).json()["groups"]] == ["users"]  # an admin mints no admin
    blank = admin.post(f"{MANAGEMENT}/on-behalf-of/tokens", json={"application_id": ""})
    assert "must not be empty" in refused(blank, 400, "INVALID_PARAMETER_VALUE")

    assert admin.delete(f"{MANAGEMENT}/tokens/{bob['token_id']}").json() == {}
    assert refused(me(admin, bobs), 401, "UNAUTHENTICATED")
    assert refused(admin.delete(f"{MANAGEMENT}/tokens/{bob['token_id']}"), 404, "RESOURCE_DOES_NOT_EXIST")


# -- SCIM Me and refused tokens


def test_me_names_the_tokens_user_as_databricks_does(api: TestClient, admin: TestClient, token: str) -> None:
    alice = api.get(ME).json()
    assert (alice["userName"], alice["displayName"], alice["active"]) == ("alice", "alice", True)
    assert alice["id"].isdigit() and alice["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert [g["display"] for g in alice["groups"]] == ["users"]
    root = admin.get(ME).json()
    assert root["userName"] == "root" and [g["display"] for g in root["groups"]] == ["users", "admins"]
    assert root["id"] != alice["id"] and api.get(ME).json()["id"] == alice["id"]  # stable per user
    assert token not in str(alice)


@pytest.mark.parametrize("path", [ME, "/api/2.0/token/list", f"{MANAGEMENT}/tokens", "/api/2.0/switchboard/usage"])
def test_no_revoked_or_expired_token_gets_in(anonymous: TestClient, ws: LocalWorkspace, path: str) -> None:
    revoked = asyncio.run(ws.tokens.create("root", admin=True))
    asyncio.run(ws.tokens.revoke(revoked.token_info.token_id))
    expired = new_token(ws, "root", admin=True, lifetime_seconds=60, now=1_000_000.0)
    for value in (revoked.token_value, expired):
        answer = anonymous.get(path, headers={"Authorization": f"Bearer {value}"})
        assert "Invalid access token" in refused(answer, 401, "UNAUTHENTICATED") and value not in answer.text
    assert "Missing access token" in refused(anonymous.get(path), 401, "UNAUTHENTICATED")


def test_no_value_reaches_the_log(admin: TestClient, ws: LocalWorkspace, caplog: pytest.LogCaptureFixture) -> None:
    bobs = new_token(ws, "bob")
    with caplog.at_level(logging.INFO, "switchboard.serve"):
        created = admin.post("/api/2.0/token/create", json={}).json()["token_value"]
        admin.get(f"{MANAGEMENT}/tokens")
        by_value = admin.delete(f"{MANAGEMENT}/tokens/{bobs}")  # a value where the id belongs
        admin.get(ME, headers=as_bearer(admin, created))
    assert "value, not its id" in refused(by_value, 404, "RESOURCE_DOES_NOT_EXIST")
    lines = [r.getMessage() for r in caplog.records if r.name == "switchboard.serve"]
    assert len(lines) == 4 and f"DELETE {MANAGEMENT}/tokens/sb-[REDACTED] 404" in lines[2]
    for value in (bobs, created):
        assert value not in caplog.text and value[3:] not in caplog.text


# -- usage and rate-limit status (Switchboard's own routes)


def test_usage_shows_a_caller_its_own_rows_and_an_admin_everyones(
    api: TestClient, admin: TestClient, ws: LocalWorkspace
) -> None:
    for user, endpoint in (("alice", "chat"), ("bob", "chat"), ("alice", "embed")):
        ws.usage.record(endpoint, endpoint, user, prompt_tokens=3, completion_tokens=4, now=600.0)
    mine = api.get("/api/2.0/switchboard/usage").json()["usage"]
    assert [(r["endpoint"], r["user"]) for r in mine] == [("chat", "alice"), ("embed", "alice")]
    assert mine[0] == {
        "endpoint": "chat",
        "served_entity": "chat",
        "user": "alice",
        "minute": 10,
        "calls": 1,
        "errors": 0,
        "prompt_tokens": 3,
        "completion_tokens": 4,
    }
    chat = admin.get("/api/2.0/switchboard/usage", params={"endpoint": "chat"}).json()["usage"]
    assert sorted(r["user"] for r in chat) == ["alice", "bob"]
    assert admin.get("/api/2.0/switchboard/usage", params={"since_minute": "11"}).json() == {"usage": []}
    bad = api.get("/api/2.0/switchboard/usage", params={"since_minute": "-1"})
    assert "since_minute" in refused(bad, 400, "INVALID_PARAMETER_VALUE")


def test_rate_limit_status_is_the_callers(with_secret: TestClient) -> None:
    assert with_secret.post("/api/2.0/serving-endpoints", json=OPENAI_COMPLETIONS).status_code == 200
    name = OPENAI_COMPLETIONS["name"]
    limits = {"rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}]}
    assert with_secret.put(f"/api/2.0/serving-endpoints/{name}/rate-limits", json=limits).status_code == 200
    answer = with_secret.get(f"/api/2.0/switchboard/serving-endpoints/{name}/rate-limit-status").json()
    [status] = answer["rate_limit_status"]
    assert (status["calls"], status["calls_limit"], status["tokens"], status["tokens_limit"]) == (0, 5, 0, None)
    missing = with_secret.get("/api/2.0/switchboard/serving-endpoints/nope/rate-limit-status")
    assert "nope" in refused(missing, 404, "RESOURCE_DOES_NOT_EXIST")


# -- the real databricks-sdk


def client(url: str, token: str):  # type: ignore[no-untyped-def]
    """No retries worth waiting for, and nothing of the environment's Databricks settings."""
    config = sdk.config.Config(host=url, token=token, auth_type="pat", retry_timeout_seconds=5)
    return sdk.WorkspaceClient(config=config)


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))


@pytest.mark.usefixtures("sdk_env")
def test_the_sdk_manages_its_own_tokens_and_knows_who_it_is(server_url: str, token: str) -> None:
    w = client(server_url, token)
    assert w.current_user.me().user_name == "alice"
    created = w.tokens.create(comment="from the sdk", lifetime_seconds=3600)
    assert created.token_value and created.token_info is not None and created.token_info.comment == "from the sdk"
    assert client(server_url, created.token_value).current_user.me().user_name == "alice"
    listed = list(w.tokens.list())
    assert created.token_info.token_id in [t.token_id for t in listed] and len(listed) == 2
    w.tokens.delete(token_id=created.token_info.token_id)
    assert [t.token_id for t in w.tokens.list()] != [created.token_info.token_id] and len(list(w.tokens.list())) == 1
    with pytest.raises(errors.Unauthenticated):
        client(server_url, created.token_value).current_user.me()
    with pytest.raises(errors.PermissionDenied, match="admin token"):
        list(w.token_management.list())
    with pytest.raises(errors.NotFound):
        w.tokens.delete(token_id="0000")


@pytest.mark.usefixtures("sdk_env")
def test_the_sdk_as_an_admin_manages_every_token(server_url: str, ws: LocalWorkspace, token: str) -> None:
    w = client(server_url, new_token(ws, "root", admin=True))
    assert "admins" in [g.display for g in w.current_user.me().groups or []]
    obo = w.token_management.create_obo_token(application_id="carol", comment="nightly", lifetime_seconds=60)
    assert obo.token_info is not None and obo.token_info.created_by_username == "carol"
    assert client(server_url, obo.token_value).current_user.me().user_name == "carol"
    users = [t.created_by_username for t in w.token_management.list()]
    assert users == ["alice", "root", "carol"]
    [alice] = w.token_management.list(created_by_username="alice")
    assert w.token_management.get(alice.token_id).token_info.created_by_username == "alice"  # type: ignore[union-attr]
    w.token_management.delete(alice.token_id)
    with pytest.raises(errors.Unauthenticated):
        client(server_url, token).current_user.me()
