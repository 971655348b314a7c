"""The Databricks backend beyond the contract suite: answers a real workspace gives that ``serve`` does not.

A scripted stub on 127.0.0.1 answers each route as told and records what arrived, so a test can say
both what the backend raised and how many requests it sent (a 429 must not be retried).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderUnreachable,
    RequestLimitExceeded,
    ResourceConflict,
    ResourceDoesNotExist,
    StreamInterrupted,
    SwitchboardError,
)
from tui.locations import data_dir
from tui.simulator.endpoints import endpoint_body
from tui.workspace.databricks.workspace import DatabricksWorkspace, history_path
from tui.workspace.history import HistoryEntry

TOKEN = "dapi-test-token-never-shown"
ME = "/api/2.0/preview/scim/v2/Me"
CHAT: dict[str, Any] = {"messages": [{"role": "user", "content": "hi"}]}
ENDPOINT = "/api/2.0/serving-endpoints"


@dataclass
class Answer:
    status: int
    body: bytes | str | dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stub:
    """Route (``"GET /path"``) -> scripted answer; ``seen`` lists (method, path, JSON body) as they arrived."""

    url: str
    answers: dict[str, Answer] = field(default_factory=dict)
    seen: list[tuple[str, str, Any]] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            stub.seen.append((self.command, path, json.loads(raw) if raw else None))
            stub.auth.append(self.headers.get("authorization"))
            answer = stub.answers.get(f"{self.command} {path}", Answer(404, {"error_code": "ENDPOINT_NOT_FOUND"}))
            body = answer.body
            data = json.dumps(body).encode() if isinstance(body, dict) else body
            data = data.encode() if isinstance(data, str) else data
            self.send_response(answer.status)
            for name, value in {"content-type": "application/json", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    return Handler


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Stub("")))
    stub = Stub(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(stub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
async def db(stub: Stub, tmp_path: Path) -> AsyncIterator[DatabricksWorkspace]:
    """The backend on ``stub``, whose token is user ``tester``'s (asked only when needed)."""
    stub.answers[f"GET {ME}"] = Answer(200, me("tester"))
    workspace = DatabricksWorkspace(stub.url, TOKEN, history=tmp_path / "history.db")
    try:
        yield workspace
    finally:
        await workspace.aclose()


def me(user: str, *groups: str) -> dict[str, Any]:
    """A SCIM ``Me`` answer as Databricks gives it."""
    return {"id": "1", "userName": user, "groups": [{"display": g, "value": "2"} for g in ("users", *groups)]}


def sse(*events: str) -> str:
    return "".join(f"data: {event}\n\n" for event in events)


# -- errors


async def test_a_429_is_raised_at_once_with_its_retry_after(db: DatabricksWorkspace, stub: Stub) -> None:
    limited = {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "Too many calls for endpoint chat"}
    stub.answers["POST /serving-endpoints/chat/invocations"] = Answer(429, limited, {"retry-after": "30"})
    started = time.monotonic()
    with pytest.raises(RequestLimitExceeded) as refused:
        await db.query("chat", CHAT)
    assert time.monotonic() - started < 2
    assert refused.value.retry_after == 30 and refused.value.http_status == 429
    assert refused.value.message == "Too many calls for endpoint chat"
    assert len(stub.seen) == 1  # never retried
    with pytest.raises(RequestLimitExceeded):
        async for _ in db.stream("chat", CHAT):
            pass
    assert len(stub.seen) == 2


async def test_a_429_without_a_databricks_body_is_still_a_rate_limit(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers["GET /api/2.0/secrets/scopes/list"] = Answer(429, "slow down", {"retry-after": "5"})
    with pytest.raises(RequestLimitExceeded) as refused:
        await db.list_scopes()
    assert refused.value.retry_after == 5 and "slow down" in refused.value.message


async def test_a_server_error_body_keeps_its_code_and_message(db: DatabricksWorkspace, stub: Stub) -> None:
    busy = {"error_code": "RESOURCE_CONFLICT", "message": "Endpoint chat is being updated; try again later"}
    stub.answers[f"PUT {ENDPOINT}/chat/config"] = Answer(409, busy)
    config = parse_user_input(EndpointCoreConfigInput, endpoint_body("http://sim", "openai", "chat")["config"], "c")
    with pytest.raises(ResourceConflict) as conflict:
        await db.update_config("chat", config)
    assert conflict.value.message == busy["message"]
    stub.answers[f"GET {ENDPOINT}/chat"] = Answer(500, {"error_code": "INTERNAL_ERROR", "message": "boom"})
    with pytest.raises(SwitchboardError) as internal:
        await db.get_endpoint("chat")
    assert (internal.value.error_code, internal.value.message) == ("INTERNAL_ERROR", "boom")


async def test_an_unknown_code_keeps_the_servers_status(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers[f"GET {ENDPOINT}"] = Answer(418, {"error_code": "FEATURE_DISABLED", "message": "Serving is off"})
    with pytest.raises(SwitchboardError) as disabled:
        await db.list_endpoints()
    assert (disabled.value.error_code, disabled.value.http_status) == ("FEATURE_DISABLED", 418)


@pytest.mark.parametrize(
    ("status", "body", "code", "retry"),
    [
        (403, "Forbidden", "PERMISSION_DENIED", None),
        (404, "", "ENDPOINT_NOT_FOUND", None),
        (503, "maintenance", "TEMPORARILY_UNAVAILABLE", 12.0),
        (504, "", "DEADLINE_EXCEEDED", None),
        (400, {"error_code": "ALREADY_EXISTS", "message": "scope s exists"}, "RESOURCE_ALREADY_EXISTS", None),
        (429, {"error_code": "RESOURCE_EXHAUSTED", "message": "quota"}, "REQUEST_LIMIT_EXCEEDED", 12.0),
    ],
)
async def test_answers_without_our_codes_get_the_sdks_code(
    db: DatabricksWorkspace, stub: Stub, status: int, body: str | dict[str, Any], code: str, retry: float | None
) -> None:
    stub.answers["POST /api/2.0/secrets/scopes/create"] = Answer(status, body, {"retry-after": "12"})
    with pytest.raises(SwitchboardError) as failed:
        await db.create_scope("s")
    assert (failed.value.error_code, failed.value.retry_after) == (code, retry)
    assert failed.value.message


async def test_a_body_that_is_not_json_is_told_with_its_status(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers[f"GET {ENDPOINT}"] = Answer(
        502, "<html><body>Bad gateway</body></html>", {"content-type": "text/html"}
    )
    with pytest.raises(SwitchboardError) as bad:
        await db.list_endpoints()
    assert "502" in bad.value.message and "Bad gateway" in bad.value.message
    stub.answers[f"GET {ENDPOINT}"] = Answer(200, "not json")
    with pytest.raises(SwitchboardError, match="not JSON"):
        await db.list_endpoints()


async def test_a_refused_token_is_unauthenticated_and_never_quoted(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers["GET /api/2.0/secrets/scopes/list"] = Answer(401, {"message": f"Invalid token {TOKEN}"})
    with pytest.raises(SwitchboardError) as refused:
        await db.list_scopes()
    assert refused.value.error_code == "UNAUTHENTICATED"
    assert TOKEN not in refused.value.message
    assert stub.auth == [f"Bearer {TOKEN}"]


async def test_an_unreachable_host_says_so(tmp_path: Path) -> None:
    workspace = DatabricksWorkspace("http://127.0.0.1:9", TOKEN, history=tmp_path / "h.db")
    try:
        with pytest.raises(ProviderUnreachable) as unreachable:
            await workspace.list_scopes()
        assert "127.0.0.1:9" in unreachable.value.message and TOKEN not in unreachable.value.message
    finally:
        await workspace.aclose()


async def test_a_stream_ending_without_done_or_with_an_error_is_incomplete(db: DatabricksWorkspace, stub: Stub) -> None:
    route = "POST /serving-endpoints/chat/invocations"
    chunk = json.dumps({"object": "chat.completion.chunk", "choices": []})
    stub.answers[route] = Answer(200, sse(chunk), {"content-type": "text/event-stream"})
    got: list[dict[str, Any]] = []
    with pytest.raises(StreamInterrupted, match="without \\[DONE\\]"):
        async for item in db.stream("chat", CHAT):
            got.append(item)
    assert len(got) == 1 and stub.seen[-1][2]["stream"] is True
    failed = json.dumps({"error_code": "BAD_GATEWAY", "message": "provider went away"})
    stub.answers[route] = Answer(200, sse(chunk, failed), {"content-type": "text/event-stream"})
    with pytest.raises(SwitchboardError, match="provider went away"):
        async for _ in db.stream("chat", CHAT):
            pass
    stub.answers[route] = Answer(200, sse(chunk, "[DONE]"), {"content-type": "text/event-stream"})
    assert len([c async for c in db.stream("chat", CHAT)]) == 1


async def test_a_query_never_asks_for_a_stream(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers["POST /serving-endpoints/chat/invocations"] = Answer(200, {"object": "chat.completion"})
    assert (await db.query("chat", {**CHAT, "stream": True}))["object"] == "chat.completion"
    assert "stream" not in stub.seen[-1][2]


@pytest.mark.parametrize("name", ["", "a/b"])
async def test_a_name_that_is_no_path_segment_is_refused_before_sending(
    db: DatabricksWorkspace, stub: Stub, name: str
) -> None:
    with pytest.raises(InvalidParameterValue):
        await db.get_endpoint(name)
    with pytest.raises(InvalidParameterValue):
        await db.query(name, CHAT)
    assert stub.seen == []


# -- local-only settings


@pytest.mark.parametrize(
    ("flavour", "extra", "named"),
    [
        ("anthropic", {}, "anthropic_config.anthropic_api_base"),
        ("azuread", {}, "openai_config.microsoft_entra_authority"),
        ("openai", {"n_strategy": "fan_out"}, "external_model.n_strategy"),
    ],
)
async def test_local_only_fields_are_refused_before_sending(
    db: DatabricksWorkspace, stub: Stub, flavour: str, extra: dict[str, Any], named: str
) -> None:
    body = endpoint_body("http://127.0.0.1:1", flavour, "chat", name="local", **extra)
    with pytest.raises(InvalidParameterValue) as refused:
        await db.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    assert named in refused.value.message and "Databricks" in refused.value.message
    config = parse_user_input(EndpointCoreConfigInput, body["config"], "config")
    with pytest.raises(InvalidParameterValue, match=named.replace(".", "\\.")):
        await db.update_config("local", config)
    assert stub.seen == []


async def test_a_local_only_provider_is_refused_before_sending(db: DatabricksWorkspace, stub: Stub) -> None:
    model = {"name": "gemini-2.0-flash", "provider": "gemini", "task": "llm/v1/chat"}
    model["gemini_config"] = {"gemini_api_key": "{{secrets/sim/key}}"}  # type: ignore[assignment]
    body = {"name": "g", "config": {"served_entities": [{"name": "g", "external_model": model}]}}
    with pytest.raises(InvalidParameterValue, match="provider 'gemini' is served only by the local workspace"):
        await db.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    assert stub.seen == []


# -- what Databricks does not have


async def test_usage_and_limit_status_say_a_databricks_workspace_does_not_report_them(
    db: DatabricksWorkspace, stub: Stub
) -> None:
    with pytest.raises(SwitchboardError) as status:  # no such route on a real workspace: 404 ENDPOINT_NOT_FOUND
        await db.rate_limit_status("chat")
    with pytest.raises(SwitchboardError) as usage:
        db.usage.rows("chat")
    for refused in (status.value, usage.value):
        assert refused.error_code == "NOT_IMPLEMENTED" and "does not report" in refused.message
        assert "only switchboard serve" in refused.message and TOKEN not in refused.message
    route = "GET /api/2.0/switchboard/serving-endpoints/gone/rate-limit-status"
    stub.answers[route] = Answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Endpoint gone"})
    with pytest.raises(SwitchboardError) as missing:  # a missing endpoint is not a missing report
        await db.rate_limit_status("gone")
    assert (missing.value.error_code, missing.value.message) == ("RESOURCE_DOES_NOT_EXIST", "Endpoint gone")


async def test_a_malformed_usage_answer_is_an_error_not_zero_use(db: DatabricksWorkspace, stub: Stub) -> None:
    for body in ({}, {"usage": [{"endpoint": "chat"}]}, {"usage": "many"}):
        stub.answers["GET /api/2.0/switchboard/usage"] = Answer(200, body)
        with pytest.raises(SwitchboardError, match="usage answer"):
            db.usage.rows()


async def test_own_tokens_go_to_the_token_api_and_others_are_an_admins_job(db: DatabricksWorkspace, stub: Stub) -> None:
    info = {"token_id": "abc", "comment": "ci", "creation_time": 1000, "expiry_time": -1}
    stub.answers["POST /api/2.0/token/create"] = Answer(200, {"token_value": "dapi-new", "token_info": info})
    stub.answers["GET /api/2.0/token/list"] = Answer(200, {"token_infos": [info]})
    stub.answers["POST /api/2.0/token/delete"] = Answer(200, {})
    new = await db.tokens.create("tester", comment="ci", lifetime_seconds=60)
    assert (new.token_value, new.token_info.token_id, new.token_info.user) == ("dapi-new", "abc", "tester")
    assert stub.seen[0][1] == ME and stub.seen[-1][2] == {"comment": "ci", "lifetime_seconds": 60}
    assert [(t.token_id, t.user) for t in await db.tokens.list()] == [("abc", "tester")]
    await db.tokens.revoke("abc")
    assert stub.seen[-1] == ("POST", "/api/2.0/token/delete", {"token_id": "abc"})
    sent = len(stub.seen)
    with pytest.raises(SwitchboardError) as denied:
        await db.tokens.create("alice")
    assert denied.value.error_code == "PERMISSION_DENIED" and "Only a workspace admin" in denied.value.message
    with pytest.raises(InvalidParameterValue, match="admins group, not through a token"):
        await db.tokens.create("tester", admin=True)
    with pytest.raises(InvalidParameterValue, match="keeps its own clock"):
        await db.tokens.create("tester", now=1.0)
    with pytest.raises(InvalidParameterValue, match="user must not be empty"):
        await db.tokens.create("")
    with pytest.raises(ResourceDoesNotExist, match="value, not its id"):
        await db.tokens.revoke(TOKEN)
    assert len(stub.seen) == sent  # every refusal above was made before sending
    assert TOKEN not in denied.value.message


async def test_an_admin_manages_every_token_and_asks_on_behalf_of_others(db: DatabricksWorkspace, stub: Stub) -> None:
    stub.answers[f"GET {ME}"] = Answer(200, me("boss", "admins"))
    managed = {"token_id": "t1", "comment": "", "creation_time": 5, "expiry_time": -1, "created_by_username": "bob"}
    stub.answers["GET /api/2.0/token-management/tokens"] = Answer(200, {"token_infos": [managed]})
    stub.answers["DELETE /api/2.0/token-management/tokens/t1"] = Answer(200, {})
    obo = "POST /api/2.0/token-management/on-behalf-of/tokens"
    stub.answers[obo] = Answer(200, {"token_value": "dapi-obo", "token_info": {**managed, "token_id": "t2"}})
    assert [(t.token_id, t.user) for t in await db.tokens.list()] == [("t1", "bob")]
    await db.tokens.revoke("t1")
    assert stub.seen[-1][:2] == ("DELETE", "/api/2.0/token-management/tokens/t1")
    created = await db.tokens.create("carol", comment="job")
    assert (created.token_value, created.token_info.token_id) == ("dapi-obo", "t2")
    assert stub.seen[-1][2] == {"application_id": "carol", "comment": "job"}
    refused = {"error_code": "INVALID_PARAMETER_VALUE", "message": "carol is not a service principal"}
    stub.answers[obo] = Answer(400, refused)
    with pytest.raises(InvalidParameterValue) as not_a_principal:  # what a real workspace says of a user
        await db.tokens.create("carol")
    assert "carol is not a service principal" in not_a_principal.value.message
    assert "only on behalf of service principals" in not_a_principal.value.message


async def test_authenticate_asks_whose_the_token_is_with_that_token(db: DatabricksWorkspace, stub: Stub) -> None:
    assert await db.tokens.authenticate("dapi-other") == "tester"  # the stub says so of every token
    assert stub.auth[-1] == "Bearer dapi-other" and stub.seen[-1][1] == ME
    for wrong in ("", " dapi-other", "dapi other", "dapi\n", "\udc80", "dapié"):
        assert await db.tokens.authenticate(wrong) is None
    assert stub.auth[-1] == "Bearer dapi-other"  # none of those was sent
    for status in (401, 403):
        stub.answers[f"GET {ME}"] = Answer(status, {"error_code": "UNAUTHENTICATED", "message": "no"})
        assert await db.tokens.authenticate("dapi-revoked") is None
    stub.answers[f"GET {ME}"] = Answer(500, {"error_code": "INTERNAL_ERROR", "message": "boom dapi-secret"})
    with pytest.raises(SwitchboardError) as broken:  # a failing server is not a wrong token
        await db.tokens.authenticate("dapi-secret")
    assert broken.value.error_code == "INTERNAL_ERROR" and "dapi-secret" not in broken.value.message
    with pytest.raises(InvalidParameterValue, match="keeps its own clock"):
        await db.tokens.authenticate("dapi-other", now=1.0)


def read_user(workspace: DatabricksWorkspace) -> str:
    """``workspace.user`` read off the event loop, as the app's warm-up and the CLI read it."""
    return asyncio.run(asyncio.to_thread(lambda: workspace.user))


def test_the_user_is_asked_once_off_the_loop_and_never_waited_for_on_it(stub: Stub, tmp_path: Path) -> None:
    stub.answers[f"GET {ME}"] = Answer(200, me("alice@example.com"))
    workspace = DatabricksWorkspace(stub.url, TOKEN, profile="prod", history=tmp_path / "h.db")

    async def on_the_loop() -> str:
        return workspace.user

    try:
        assert stub.seen == []  # opening asks nothing
        assert asyncio.run(on_the_loop()) == "?" and stub.seen == []  # a loop never waits for the network
        assert workspace.user == "alice@example.com" == workspace.user
        assert asyncio.run(on_the_loop()) == "alice@example.com"
        assert [path for _, path, _ in stub.seen] == [ME]  # once
    finally:
        asyncio.run(workspace.aclose())


def test_a_refused_token_names_the_profile_where_the_user_is_needed(stub: Stub, tmp_path: Path) -> None:
    stub.answers[f"GET {ME}"] = Answer(401, {"error_code": "UNAUTHENTICATED", "message": f"bad token {TOKEN}"})
    refused = DatabricksWorkspace(stub.url, TOKEN, profile="prod", history=tmp_path / "h.db")
    try:
        refused.warm_up()  # leaves the refusal to the calls
        assert refused.user == "?"  # a header must not fail
        with pytest.raises(SwitchboardError) as listing:
            asyncio.run(refused.tokens.list())
        with pytest.raises(InvalidParameterValue, match="acts as the user of its token \\(\\?\\)"):
            refused.as_user("alice")
        err = listing.value
        assert err.error_code == "UNAUTHENTICATED" and "token of profile 'prod'" in err.message
        assert TOKEN not in err.message and "[REDACTED]" in err.message
        stub.answers[f"GET {ME}"] = Answer(200, me("bob"))  # a token accepted again is learnt then
        assert refused.user == "bob"
    finally:
        asyncio.run(refused.aclose())
    stub.answers[f"GET {ME}"] = Answer(200, {"id": "1"})
    odd = DatabricksWorkspace(stub.url, TOKEN, history=tmp_path / "h.db")
    try:
        with pytest.raises(SwitchboardError, match="without a userName"):
            asyncio.run(odd.tokens.list())
    finally:
        asyncio.run(odd.aclose())


async def test_acting_as_another_user_is_refused_and_a_view_closes_nothing(db: DatabricksWorkspace, stub: Stub) -> None:
    await asyncio.to_thread(db.warm_up)  # learns the token's user, as the app does
    with pytest.raises(InvalidParameterValue, match="acts as the user of its token"):
        db.as_user("alice")
    view = db.as_user("tester")
    await view.aclose()
    stub.answers["GET /api/2.0/secrets/scopes/list"] = Answer(200, {"scopes": [{"name": "s"}]})
    assert [s.name for s in await db.list_scopes()] == ["s"]


def test_history_is_kept_in_a_local_file_per_profile() -> None:
    assert history_path("prod") == data_dir() / "databricks" / "prod.db"
    assert history_path("../a b") == data_dir() / "databricks" / ".._a_b.db"
    assert history_path("prod") != history_path("dev")


async def test_history_survives_reopening_the_profile(stub: Stub) -> None:
    entry = HistoryEntry(id="e1", created=1.0, title="t", task="chat", endpoints=("chat",))
    first = DatabricksWorkspace(stub.url, TOKEN, profile="prod")
    first.history.save(entry, '{"title": "t"}')
    assert history_path("prod").exists() and history_path("prod").parent.stat().st_mode & 0o777 == 0o700
    await first.aclose()
    again = DatabricksWorkspace(stub.url, TOKEN, profile="prod")
    try:
        assert again.history.list(10) == [entry] and again.label == stub.url
    finally:
        await again.aclose()
    assert stub.seen == []
