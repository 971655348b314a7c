"""Azure OpenAI (+ Entra ID), Anthropic and Databricks dialects on the wire (raw httpx)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.simulator.helpers import (
    ANTHROPIC,
    AZURE,
    AZURE_VERSION,
    DATABRICKS,
    KEY,
    chunk_text,
    messages,
    openai_chunks,
    stream_events,
)
from tui.simulator import Simulator
from tui.simulator.text import tokenize

AZ_CHAT = "/openai/deployments/gpt4o-prod/chat/completions"
AZ_BODY: dict[str, Any] = {"messages": [{"role": "user", "content": "Say hi"}]}
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "app-123",
    "client_secret": KEY,
    "scope": "https://cognitiveservices.azure.com/.default",
}


# ------------------------------------------------------------------------------------------ Azure


async def test_azure_chat_uses_the_deployment_as_model_and_adds_filter_results(http: httpx.AsyncClient) -> None:
    r = await http.post(AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers=AZURE)
    assert r.status_code == 200 and r.headers["x-simulator"] == "switchboard"
    assert r.headers["apim-request-id"]
    data = r.json()
    assert data["model"] == "gpt4o-prod" and data["object"] == "chat.completion"
    assert data["prompt_filter_results"][0]["prompt_index"] == 0
    assert data["choices"][0]["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert data["usage"]["completion_tokens"] == len(tokenize(data["choices"][0]["message"]["content"]))


async def test_azure_stream_starts_with_the_prompt_filter_chunk(http: httpx.AsyncClient) -> None:
    body = {**AZ_BODY, "stream": True, "stream_options": {"include_usage": True}}
    _, events = await stream_events(
        http, "/openai/deployments/gpt4o@tokens=4/chat/completions", body, AZURE, params=AZURE_VERSION
    )
    (
        first,
        role,
        *content,
        finish,
        usage,
    ) = openai_chunks(events)
    assert (first["id"], first["model"], first["object"], first["choices"], first["created"]) == ("", "", "", [], 0)
    assert first["prompt_filter_results"]
    assert role["choices"][0]["delta"]["role"] == "assistant" and role["model"] == "gpt4o"
    assert len(content) == 4 and all("content_filter_results" in c["choices"][0] for c in content)
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert usage["choices"] == [] and usage["usage"]["completion_tokens"] == 4


async def test_azure_api_version_is_required(http: httpx.AsyncClient) -> None:
    r = await http.post(AZ_CHAT, json=AZ_BODY, headers=AZURE)
    assert r.status_code == 404 and r.json() == {"error": {"code": "404", "message": "Resource not found"}}
    r = await http.post(AZ_CHAT, params={"api-version": "latest"}, json=AZ_BODY, headers=AZURE)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
    r = await http.post(AZ_CHAT, params={"api-version": "2025-01-01-preview"}, json=AZ_BODY, headers=AZURE)
    assert r.status_code == 200


async def test_azure_wrong_or_missing_key_gets_azure_401s(http: httpx.AsyncClient) -> None:
    r = await http.post(AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers={"api-key": "nope-not-the-key"})
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "401"
    assert error["message"].startswith("Access denied due to invalid subscription key or wrong API endpoint.")
    assert "nope-not-the-key" not in r.text
    r = await http.post(AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY)
    assert r.status_code == 401 and "missing subscription key" in r.json()["error"]["message"]
    r = await http.post(AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers={"authorization": "Bearer made-up"})
    assert r.status_code == 401 and "Access token is missing, invalid" in r.json()["error"]["message"]


async def test_azure_validation_errors_and_v1_surface(http: httpx.AsyncClient) -> None:
    r = await http.post(AZ_CHAT, params=AZURE_VERSION, json={}, headers=AZURE)
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "messages" and r.json()["error"]["code"] == "missing_required_parameter"
    r = await http.post("/openai/v1/chat/completions", json={**AZ_BODY, "model": "gpt4o"}, headers=AZURE)
    assert r.status_code == 200 and r.json()["model"] == "gpt4o"
    r = await http.post("/openai/unknown", json={}, headers=AZURE)
    assert r.status_code == 404 and r.json()["error"]["code"] == "404"


async def test_azure_embeddings_and_completions(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/openai/deployments/emb/embeddings", params=AZURE_VERSION, json={"input": ["a", "b"]}, headers=AZURE
    )
    assert r.status_code == 200 and len(r.json()["data"]) == 2 and r.json()["model"] == "emb"
    r = await http.post(
        "/openai/deployments/inst/completions",
        params=AZURE_VERSION,
        json={"prompt": "Say hi", "max_tokens": 3},
        headers=AZURE,
    )
    assert r.json()["choices"][0]["finish_reason"] == "length" and r.json()["usage"]["completion_tokens"] == 3


async def test_entra_token_flow(sim: Simulator, http: httpx.AsyncClient) -> None:
    r = await http.post("/my-tenant-id/oauth2/v2.0/token", data=TOKEN_FORM)
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3599 and token["access_token"]
    assert sim.token_requests == 1
    assert sim.requests[-1].body == TOKEN_FORM
    ok = await http.post(
        AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers={"authorization": f"Bearer {token['access_token']}"}
    )
    assert ok.status_code == 200 and ok.json()["model"] == "gpt4o-prod"

    bad = await http.post("/my-tenant-id/oauth2/v2.0/token", data={**TOKEN_FORM, "client_secret": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    assert bad.json()["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert sim.token_requests == 2

    other = await http.post("/t/oauth2/v2.0/token", data={**TOKEN_FORM, "scope": "https://storage.azure.com/.default"})
    assert other.status_code == 200  # a token for another resource: Azure OpenAI refuses it
    refused = await http.post(
        AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers={"authorization": f"Bearer {other.json()['access_token']}"}
    )
    assert refused.status_code == 401
    grant = await http.post("/t/oauth2/v2.0/token", data={**TOKEN_FORM, "grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    scope = await http.post("/t/oauth2/v2.0/token", data={**TOKEN_FORM, "scope": "https://cognitiveservices.azure.com"})
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    assert sim.token_requests == 5
    sim.clear()
    assert sim.token_requests == 0


async def test_expired_entra_tokens_are_refused(sim: Simulator, http: httpx.AsyncClient) -> None:
    sim.token_expires_in = 0
    token = (await http.post("/t/oauth2/v2.0/token", data=TOKEN_FORM)).json()
    assert token["expires_in"] == 0
    r = await http.post(
        AZ_CHAT, params=AZURE_VERSION, json=AZ_BODY, headers={"authorization": f"Bearer {token['access_token']}"}
    )
    assert r.status_code == 401


# -------------------------------------------------------------------------------------- Anthropic


async def test_anthropic_message_shape(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/messages", json=messages(system="You are terse."), headers=ANTHROPIC)
    assert r.status_code == 200 and r.headers["request-id"].startswith("req_")
    data = r.json()
    assert data["id"].startswith("msg_") and data["type"] == "message" and data["role"] == "assistant"
    assert data["model"] == "claude-3-5-haiku"
    [block] = data["content"]
    assert block["type"] == "text" and block["text"].startswith("# ")
    assert data["stop_reason"] == "end_turn" and data["stop_sequence"] is None
    assert data["usage"]["input_tokens"] == 5
    assert data["usage"]["output_tokens"] == len(tokenize(block["text"]))


async def test_anthropic_stream_event_sequence(http: httpx.AsyncClient) -> None:
    response, events = await stream_events(http, "/v1/messages", messages("claude@tokens=5", stream=True), ANTHROPIC)
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [name for name, _ in events]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 5,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    datas = [json.loads(d) for _, d in events]
    assert all(d["type"] == n for n, d in zip(names, datas, strict=False))
    start = datas[0]["message"]
    assert start["content"] == [] and start["stop_reason"] is None and start["usage"]["input_tokens"] == 2
    assert all(d["delta"]["type"] == "text_delta" for d in datas[3:8])
    assert datas[-2]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert datas[-2]["usage"] == {"output_tokens": 5}
    full = (await http.post("/v1/messages", json=messages("claude@tokens=5"), headers=ANTHROPIC)).json()
    assert "".join(d["delta"]["text"] for d in datas[3:8]) == full["content"][0]["text"]


async def test_anthropic_max_tokens_and_stop_sequences(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/messages", json=messages(max_tokens=4), headers=ANTHROPIC)
    assert r.json()["stop_reason"] == "max_tokens" and r.json()["usage"]["output_tokens"] == 4
    r = await http.post("/v1/messages", json=messages(stop_sequences=["\n\n"]), headers=ANTHROPIC)
    assert r.json()["stop_reason"] == "stop_sequence" and r.json()["stop_sequence"] == "\n\n"
    assert "\n\n" not in r.json()["content"][0]["text"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "etype", "message"),
    [
        (messages(max_tokens=None), ANTHROPIC, 400, "invalid_request_error", "max_tokens: Field required"),
        (messages(), {"x-api-key": KEY}, 400, "invalid_request_error", "anthropic-version: header is required"),
        (
            messages(),
            {**ANTHROPIC, "x-api-key": "sk-ant-wrong-key-123"},
            401,
            "authentication_error",
            "invalid x-api-key",
        ),
        (messages(), {"anthropic-version": "2023-06-01"}, 401, "authentication_error", "x-api-key header is required"),
        (messages(n=2), ANTHROPIC, 400, "invalid_request_error", "n: Extra inputs are not permitted"),
        (messages(temperature=1.5), ANTHROPIC, 400, "invalid_request_error", "temperature: range: 0..1"),
        ({"model": "c", "max_tokens": 5}, ANTHROPIC, 400, "invalid_request_error", "messages: Field required"),
    ],
)
async def test_anthropic_errors(
    http: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str], status: int, etype: str, message: str
) -> None:
    body = {k: v for k, v in body.items() if v is not None}
    r = await http.post("/v1/messages", json=body, headers=headers)
    assert r.status_code == status
    data = r.json()
    assert data["type"] == "error" and data["request_id"].startswith("req_")
    assert data["error"] == {"type": etype, "message": message}
    assert "sk-ant-wrong-key-123" not in r.text


async def test_anthropic_system_role_bearer_auth_and_no_embeddings(http: httpx.AsyncClient) -> None:
    body = messages(messages=[{"role": "system", "content": "x"}, {"role": "user", "content": "y"}])
    r = await http.post("/v1/messages", json=body, headers=ANTHROPIC)
    assert r.status_code == 400 and 'Unexpected role "system"' in r.json()["error"]["message"]
    bearer = {"authorization": f"Bearer {KEY}", "anthropic-version": "2023-06-01"}
    assert (await http.post("/v1/messages", json=messages(), headers=bearer)).status_code == 200
    r = await http.post("/v1/embeddings", json={"model": "c", "input": "x"}, headers=ANTHROPIC)
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"


async def test_anthropic_legacy_complete(http: httpx.AsyncClient) -> None:
    body = {"model": "claude-2.1", "prompt": "\n\nHuman: Say hi\n\nAssistant:", "max_tokens_to_sample": 500}
    r = await http.post("/v1/complete", json=body, headers=ANTHROPIC)
    data = r.json()
    assert data["type"] == "completion" and data["id"].startswith("compl_")
    assert data["stop_reason"] == "stop_sequence" and data["model"] == "claude-2.1"
    assert data["completion"].startswith(" # ")
    short = (await http.post("/v1/complete", json={**body, "max_tokens_to_sample": 3}, headers=ANTHROPIC)).json()
    assert short["stop_reason"] == "max_tokens"
    _, events = await stream_events(http, "/v1/complete", {**body, "stream": True}, ANTHROPIC)
    assert {name for name, _ in events} == {"ping", "completion"}
    datas = [json.loads(d) for name, d in events if name == "completion"]
    assert all(d["stop_reason"] is None for d in datas[:-1]) and datas[-1]["stop_reason"] == "stop_sequence"
    assert "".join(d["completion"] for d in datas) == data["completion"]
    bad = await http.post("/v1/complete", json={**body, "prompt": "Say hi"}, headers=ANTHROPIC)
    assert bad.status_code == 400 and "Human:" in bad.json()["error"]["message"]
    missing = await http.post(
        "/v1/complete", json={k: v for k, v in body.items() if k != "max_tokens_to_sample"}, headers=ANTHROPIC
    )
    assert missing.status_code == 400 and "max_tokens_to_sample" in missing.json()["error"]["message"]


# ------------------------------------------------------------------------------------- Databricks


@pytest.mark.parametrize(
    ("body", "object_"),
    [
        ({"messages": [{"role": "user", "content": "Say hi"}]}, "chat.completion"),
        ({"prompt": "Say hi", "max_tokens": 4}, "text_completion"),
        ({"input": ["a", "b"]}, "list"),
    ],
)
async def test_databricks_invocations_pick_the_task_from_the_body(
    http: httpx.AsyncClient, body: dict[str, Any], object_: str
) -> None:
    r = await http.post("/serving-endpoints/my-endpoint/invocations", json=body, headers=DATABRICKS)
    assert r.status_code == 200 and r.headers["x-simulator"] == "switchboard"
    data = r.json()
    assert data["object"] == object_ and data["model"] == "my-endpoint"


async def test_databricks_stream_is_openai_shaped_with_data_lines_only(http: httpx.AsyncClient) -> None:
    body = {"messages": [{"role": "user", "content": "Say hi"}], "stream": True}
    _, events = await stream_events(http, "/serving-endpoints/chat%40tokens%3D6/invocations", body, DATABRICKS)
    chunks = openai_chunks(events)  # asserts data-only lines and the [DONE] terminator
    assert len(chunks) == 1 + 6 + 1 and chunks[1]["model"] == "chat"
    assert len(tokenize(chunk_text(chunks))) == 6
    _, events = await stream_events(
        http, "/serving-endpoints/c/invocations", {"prompt": "x", "stream": True, "max_tokens": 2}, DATABRICKS
    )
    assert {c["object"] for c in openai_chunks(events)} == {"text_completion_chunk"}


async def test_databricks_errors(http: httpx.AsyncClient) -> None:
    path = "/serving-endpoints/e/invocations"
    body = {"messages": [{"role": "user", "content": "x"}]}
    r = await http.post(path, json=body)
    assert r.status_code == 401 and r.json()["error_code"] == "UNAUTHENTICATED"
    r = await http.post(path, json=body, headers={"authorization": "Bearer dapi-wrong-token"})
    assert r.status_code == 403 and r.json() == {"error_code": "PERMISSION_DENIED", "message": "Invalid access token."}
    r = await http.post(path, json={"foo": 1}, headers=DATABRICKS)
    assert r.status_code == 400 and r.json()["error_code"] == "BAD_REQUEST"
    r = await http.post(path, json={**body, "n": 6}, headers=DATABRICKS)
    assert r.status_code == 400 and r.json()["error_code"] == "BAD_REQUEST"
    r = await http.post("/serving-endpoints/e@fault=429,retry_after=3/invocations", json=body, headers=DATABRICKS)
    assert r.status_code == 429 and r.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    assert r.headers["retry-after"] == "3"
    r = await http.post("/serving-endpoints/e/invocations", json=body, headers={**DATABRICKS, "x-sim-nope": "1"})
    assert r.status_code == 400 and "Unknown simulator knob 'nope'" in r.json()["message"]
    r = await http.post("/serving-endpoints/e/unknown", json=body, headers=DATABRICKS)
    assert r.status_code == 404 and r.json()["error_code"] == "ENDPOINT_NOT_FOUND"


async def test_databricks_openai_compatible_routes(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/serving-endpoints/chat/completions",
        json={"model": "my-endpoint", "messages": [{"role": "user", "content": "x"}]},
        headers=DATABRICKS,
    )
    assert r.status_code == 200 and r.json()["model"] == "my-endpoint"
    r = await http.post("/serving-endpoints/embeddings", json={"input": "x"}, headers=DATABRICKS)
    assert r.status_code == 400 and r.json()["error_code"] == "BAD_REQUEST"
