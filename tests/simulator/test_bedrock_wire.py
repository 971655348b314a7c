"""The simulated Amazon Bedrock runtime on the wire, driven by botocore (its SigV4 signer and its
``EventStreamBuffer``) rather than by our own client: what a boto3 user would see."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from tests.simulator.helpers import KEY
from tui.simulator import Simulator

CHAT_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0"
BODY = {"messages": [{"role": "user", "content": [{"text": "Say hi"}]}], "inferenceConfig": {"maxTokens": 12}}


def signed(sim: Simulator, path: str, body: Any, *, secret: str = KEY, token: str | None = None) -> dict[str, str]:
    request = AWSRequest(
        "POST", sim.base_url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials(KEY, secret, token), "bedrock", "us-east-1").add_auth(request)
    return dict(request.headers.items())


async def post(http: httpx.AsyncClient, sim: Simulator, path: str, body: Any, **kw: Any) -> httpx.Response:
    return await http.post(path, content=json.dumps(body).encode(), headers=signed(sim, path, body, **kw))


def frames(raw: bytes) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    return [(m.headers, json.loads(m.payload)) for m in buffer]


async def test_converse_answers_a_botocore_signed_request(sim: Simulator, http: httpx.AsyncClient) -> None:
    resp = await post(http, sim, f"{CHAT_PATH}/converse", BODY)
    assert resp.status_code == 200 and resp.headers["x-amzn-requestid"]
    body = resp.json()
    assert body["output"]["message"]["role"] == "assistant" and body["stopReason"] == "max_tokens"
    assert body["usage"] == {"inputTokens": 2, "outputTokens": 12, "totalTokens": 14}
    assert sim.requests[-1].path == "/model/anthropic.claude-3-haiku-20240307-v1:0/converse"


async def test_an_inference_profile_arn_is_one_path_segment(sim: Simulator, http: httpx.AsyncClient) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    resp = await post(http, sim, f"/model/{quote(arn, safe='-_.~')}/converse", BODY)
    assert resp.status_code == 200 and resp.json()["output"]["message"]["content"][0]["text"]
    assert sim.requests[-1].path == f"/model/{arn}/converse"


async def test_session_tokens_are_accepted_when_signed(sim: Simulator, http: httpx.AsyncClient) -> None:
    resp = await post(http, sim, f"{CHAT_PATH}/converse", BODY, token="FwoGZXIvYXdzEXAMPLE")
    assert resp.status_code == 200


async def test_converse_stream_frames_decode_with_botocore(sim: Simulator, http: httpx.AsyncClient) -> None:
    whole = (await post(http, sim, f"{CHAT_PATH}/converse", BODY)).json()
    resp = await post(http, sim, f"{CHAT_PATH}/converse-stream", BODY)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/vnd.amazon.eventstream"
    decoded = frames(resp.content)
    names = [h[":event-type"] for h, _ in decoded]
    assert names == ["messageStart", *["contentBlockDelta"] * 12, "contentBlockStop", "messageStop", "metadata"]
    assert all(h[":message-type"] == "event" and h[":content-type"] == "application/json" for h, _ in decoded)
    text = "".join(p["delta"]["text"] for h, p in decoded if h[":event-type"] == "contentBlockDelta")
    assert text == whole["output"]["message"]["content"][0]["text"]
    assert decoded[-2][1] == {"stopReason": "max_tokens"} and decoded[-1][1]["usage"] == whole["usage"]


async def test_an_exception_frame_inside_a_200(sim: Simulator, http: httpx.AsyncClient) -> None:
    resp = await post(http, sim, "/model/m%40fault%3Derror_event%2Ccut_after%3D2/converse-stream", BODY)
    assert resp.status_code == 200
    headers, payload = frames(resp.content)[-1]
    assert headers == {
        ":exception-type": "throttlingException",
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    assert payload == {"message": "Too many requests, please wait before trying again."}


async def test_a_malformed_frame_fails_botocore_checksum(sim: Simulator, http: httpx.AsyncClient) -> None:
    resp = await post(http, sim, "/model/m%40fault%3Dmalformed%2Ccut_after%3D2/converse-stream", BODY)
    with pytest.raises(ChecksumMismatch):
        frames(resp.content)


@pytest.mark.parametrize(
    ("headers", "kind", "message"),
    [
        ({}, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        ({"authorization": "AWS4-HMAC-SHA256 nonsense"}, "IncompleteSignatureException", "requires 'Credential'"),
        ({"authorization": "Bearer wrong-key"}, "AccessDeniedException", "Invalid API Key"),
    ],
)
async def test_requests_without_valid_credentials(
    http: httpx.AsyncClient, headers: dict[str, str], kind: str, message: str
) -> None:
    resp = await http.post(f"{CHAT_PATH}/converse", json=BODY, headers=headers)
    assert resp.status_code == 403 and message in resp.json()["message"]
    assert resp.headers["x-amzn-errortype"].split(":")[0] == kind


async def test_the_bedrock_api_key(http: httpx.AsyncClient) -> None:
    resp = await http.post(f"{CHAT_PATH}/converse", json=BODY, headers={"authorization": f"Bearer {KEY}"})
    assert resp.status_code == 200


async def test_a_signature_by_another_secret_or_over_another_body(sim: Simulator, http: httpx.AsyncClient) -> None:
    resp = await post(http, sim, f"{CHAT_PATH}/converse", BODY, secret="not-the-secret")
    assert resp.status_code == 403 and resp.headers["x-amzn-errortype"].startswith("InvalidSignatureException:")
    headers = signed(sim, f"{CHAT_PATH}/converse", BODY)
    tampered = await http.post(f"{CHAT_PATH}/converse", json={**BODY, "system": [{"text": "x"}]}, headers=headers)
    assert tampered.status_code == 403 and "signature we calculated does not match" in tampered.json()["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**BODY, "model": "x"}, "extraneous key [model]"),
        ({**BODY, "inferenceConfig": {"temperature": 1.5}}, "temperature: must be between 0 and 1"),
        ({"messages": []}, "must start with a user message"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "content: must be a list of content blocks"),
    ],
)
async def test_validation_errors(sim: Simulator, http: httpx.AsyncClient, body: dict[str, Any], words: str) -> None:
    resp = await post(http, sim, f"{CHAT_PATH}/converse", body)
    assert resp.status_code == 400 and words in resp.json()["message"]
    assert resp.headers["x-amzn-errortype"].startswith("ValidationException:")


async def test_invoke_model_embeddings(sim: Simulator, http: httpx.AsyncClient) -> None:
    titan = await post(http, sim, "/model/amazon.titan-embed-text-v2%3A0/invoke", {"inputText": "a b", "dimensions": 4})
    assert titan.status_code == 200 and titan.json()["inputTextTokenCount"] == 2 and len(titan.json()["embedding"]) == 4
    body = {"texts": ["a", "b"], "input_type": "search_document"}
    cohere = (await post(http, sim, "/model/cohere.embed-english-v3/invoke", body)).json()
    assert cohere["response_type"] == "embeddings_floats" and len(cohere["embeddings"]) == 2
    assert cohere["texts"] == ["a", "b"]


async def test_unknown_operations_are_bedrock_404s(http: httpx.AsyncClient) -> None:
    resp = await http.post("/model/x/generate", json={})
    assert resp.status_code == 404 and resp.headers["x-amzn-errortype"].startswith("UnknownOperationException:")
