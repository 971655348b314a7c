"""The simulator's Google dialects on the wire: Gemini (API key, alt=sse framing, Google error bodies with
RetryInfo, embeddings) and Vertex AI (bearer tokens, predict) with its OAuth token endpoint, which verifies
the JWT assertion's signature against the registered service account's public key and its claims."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest

from tests.providers.service_account import CLIENT_EMAIL, KEY_ID, register, service_account_key
from tests.simulator.helpers import KEY, parse_sse
from tui.simulator import Simulator

GEMINI = {"x-goog-api-key": KEY}
GENERATE = "/v1beta/models/gemini-2.0-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.0-flash:streamGenerateContent"
VERTEX = "/v1/projects/p/locations/us-central1/publishers/google/models"
TOKEN = "/oauth2/v4/token"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def contents(text: str = "Say hi", **config: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
    if config:
        body["generationConfig"] = config
    return body


# ------------------------------------------------------------------------------------------------ Gemini


async def test_generate_content_answers_candidates_and_usage(http: httpx.AsyncClient) -> None:
    response = await http.post(GENERATE, json=contents(maxOutputTokens=5), headers=GEMINI)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"candidates", "usageMetadata", "modelVersion", "responseId"}
    [candidate] = body["candidates"]
    assert candidate["finishReason"] == "MAX_TOKENS" and candidate["index"] == 0
    assert candidate["content"]["role"] == "model" and candidate["content"]["parts"][0]["text"]
    assert body["usageMetadata"] == {"promptTokenCount": 2, "candidatesTokenCount": 5, "totalTokenCount": 7}


async def test_the_key_may_ride_in_the_query(http: httpx.AsyncClient) -> None:
    response = await http.post(GENERATE, json=contents(maxOutputTokens=2), params={"key": KEY})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "status", "google_status", "words"),
    [
        ({}, 403, "PERMISSION_DENIED", "unregistered callers"),
        ({"x-goog-api-key": "wrong-key-123456"}, 400, "INVALID_ARGUMENT", "API key not valid"),
    ],
)
async def test_key_errors_in_googles_shape(
    http: httpx.AsyncClient, headers: dict[str, str], status: int, google_status: str, words: str
) -> None:
    response = await http.post(GENERATE, json=contents(), headers=headers)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status and error["status"] == google_status and words in error["message"]
    if status == 400:
        assert error["details"][0]["reason"] == "API_KEY_INVALID"
    assert "wrong-key-123456" not in response.text


async def test_openai_fields_are_unknown_names(http: httpx.AsyncClient) -> None:
    response = await http.post(GENERATE, json={**contents(), "max_tokens": 5}, headers=GEMINI)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Invalid JSON payload received. Unknown name \"max_tokens\" at '': Cannot find field."
    )
    response = await http.post(GENERATE, json=contents(max_tokens=5), headers=GEMINI)
    assert "Unknown name \"max_tokens\" at 'generation_config'" in response.json()["error"]["message"]


async def test_alt_sse_stream_is_crlf_data_lines_without_names_or_done(http: httpx.AsyncClient) -> None:
    async with http.stream(
        "POST", STREAM, params={"alt": "sse"}, json=contents(maxOutputTokens=6), headers=GEMINI
    ) as response:
        raw = b"".join([piece async for piece in response.aiter_raw()])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    assert raw.count(b"\r\n\r\n") == 6 and b"[DONE]" not in raw
    events = parse_sse(raw)
    assert all(name is None for name, _ in events)
    chunks = [json.loads(data) for _, data in events]
    assert len({c["responseId"] for c in chunks}) == 1
    assert [c["candidates"][0].get("finishReason") for c in chunks] == [None] * 5 + ["MAX_TOKENS"]
    assert chunks[0]["usageMetadata"] == {"promptTokenCount": 2, "totalTokenCount": 2}
    assert chunks[-1]["usageMetadata"] == {"promptTokenCount": 2, "candidatesTokenCount": 6, "totalTokenCount": 8}


async def test_a_stream_without_alt_sse_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(STREAM, json=contents(), headers=GEMINI)
    assert response.status_code == 400 and "alt=sse" in response.json()["error"]["message"]


async def test_a_429_says_when_to_retry_in_retry_info_not_in_a_header(http: httpx.AsyncClient) -> None:
    response = await http.post(
        GENERATE.replace("flash", "flash@fault=429,retry_after=37"), json=contents(), headers=GEMINI
    )
    assert response.status_code == 429 and "retry-after" not in response.headers
    error = response.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["details"] == [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]


async def test_an_error_mid_stream_is_a_data_line_with_googles_error(http: httpx.AsyncClient) -> None:
    path = STREAM.replace("flash", "flash@fault=error_event,cut_after=2,tokens=10")
    async with http.stream("POST", path, params={"alt": "sse"}, json=contents(), headers=GEMINI) as response:
        raw = b"".join([piece async for piece in response.aiter_raw()])
    events = [json.loads(data) for _, data in parse_sse(raw)]
    assert len(events) == 3 and "candidates" in events[1]
    assert events[-1] == {
        "error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}
    }


async def test_safety_triggers(http: httpx.AsyncClient) -> None:
    blocked = (await http.post(GENERATE, json=contents("x [sim:block]"), headers=GEMINI)).json()
    assert "candidates" not in blocked and blocked["promptFeedback"]["blockReason"] == "SAFETY"
    stopped = (await http.post(GENERATE, json=contents("x [sim:safety]"), headers=GEMINI)).json()
    assert stopped["candidates"][0]["finishReason"] == "SAFETY"
    assert stopped["candidates"][0]["safetyRatings"][1]["blocked"] is True


async def test_embed_and_batch_embed(http: httpx.AsyncClient) -> None:
    one = await http.post(
        "/v1beta/models/text-embedding-004:embedContent",
        json={"content": {"parts": [{"text": "a"}]}, "outputDimensionality": 3},
        headers=GEMINI,
    )
    assert len(one.json()["embedding"]["values"]) == 3
    items = [{"model": "models/text-embedding-004", "content": {"parts": [{"text": t}]}} for t in "ab"]
    batch = await http.post(
        "/v1beta/models/text-embedding-004:batchEmbedContents", json={"requests": items}, headers=GEMINI
    )
    assert [len(e["values"]) for e in batch.json()["embeddings"]] == [8, 8]
    items[1]["model"] = "models/other"
    mismatch = await http.post(
        "/v1beta/models/text-embedding-004:batchEmbedContents", json={"requests": items}, headers=GEMINI
    )
    assert mismatch.status_code == 400 and "Model mismatch" in mismatch.json()["error"]["message"]


# ---------------------------------------------------------------------------------- Vertex OAuth tokens


def assertion(sim: Simulator, seed: int = 0, **changes: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": CLIENT_EMAIL,
        "scope": SCOPE,
        "aud": f"{sim.base_url}{TOKEN}",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    private = service_account_key(seed).private_pem
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, private, "RS256", headers={"kid": KEY_ID})


async def exchange(http: httpx.AsyncClient, token_assertion: str) -> httpx.Response:
    return await http.post(TOKEN, data={"grant_type": JWT_BEARER, "assertion": token_assertion})


async def test_a_signed_assertion_gets_a_token_that_opens_vertex(sim: Simulator, http: httpx.AsyncClient) -> None:
    register(sim, service_account_key())
    response = await exchange(http, assertion(sim))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"} and body["token_type"] == "Bearer"
    assert sim.token_requests == 1
    auth = {"authorization": f"Bearer {body['access_token']}"}
    answer = await http.post(
        f"{VERTEX}/gemini-2.0-flash:generateContent", json=contents(maxOutputTokens=3), headers=auth
    )
    assert answer.status_code == 200 and answer.json()["candidates"][0]["finishReason"] == "MAX_TOKENS"
    predict = await http.post(
        f"{VERTEX}/text-embedding-005:predict", json={"instances": [{"content": "a b"}]}, headers=auth
    )
    [prediction] = predict.json()["predictions"]
    assert prediction["embeddings"]["statistics"] == {"truncated": False, "token_count": 2}


@pytest.mark.parametrize(
    ("changes", "seed", "error", "words"),
    [
        ({}, 1, "invalid_grant", "Invalid JWT Signature."),
        ({"iss": "nobody@example.iam.gserviceaccount.com"}, 0, "invalid_grant", "account not found"),
        ({"aud": "https://example.com/token"}, 0, "invalid_grant", "Failed audience check"),
        ({"exp": int(time.time()) - 10}, 0, "invalid_grant", "short-lived token"),
        ({"exp": int(time.time()) + 7200}, 0, "invalid_grant", "short-lived token"),
        ({"scope": "https://www.googleapis.com/auth/drive"}, 0, "invalid_scope", "Invalid OAuth scope"),
        ({"iat": None}, 0, "invalid_grant", "Invalid JWT"),
    ],
    ids=["signature", "issuer", "audience", "expired", "too-long", "scope", "no-iat"],
)
async def test_bad_assertions_are_refused(
    sim: Simulator, http: httpx.AsyncClient, changes: dict[str, Any], seed: int, error: str, words: str
) -> None:
    register(sim, service_account_key())
    response = await exchange(http, assertion(sim, seed, **changes))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == error and words in body["error_description"]


async def test_the_grant_type_and_the_assertion_are_required(sim: Simulator, http: httpx.AsyncClient) -> None:
    refused = await http.post(TOKEN, data={"grant_type": "client_credentials"})
    assert refused.json()["error"] == "unsupported_grant_type"
    missing = await http.post(TOKEN, data={"grant_type": JWT_BEARER})
    assert missing.json() == {"error": "invalid_request", "error_description": "Missing required parameter: assertion"}


async def test_vertex_wants_a_token_it_issued_and_roles_on_every_turn(sim: Simulator, http: httpx.AsyncClient) -> None:
    path = f"{VERTEX}/gemini-2.0-flash:generateContent"
    for headers in ({}, {"authorization": f"Bearer {KEY}"}):
        response = await http.post(path, json=contents(), headers=headers)
        assert response.status_code == 401 and response.json()["error"]["status"] == "UNAUTHENTICATED"
    register(sim, service_account_key())
    token = (await exchange(http, assertion(sim))).json()["access_token"]
    no_role = {"contents": [{"parts": [{"text": "hi"}]}]}
    response = await http.post(path, json=no_role, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "valid role" in response.json()["error"]["message"]
