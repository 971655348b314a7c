"""Our SigV4 signer: the spec's fixed test vector (providers.md §6) and botocore's ``SigV4Auth`` on 20
generated requests (model ids needing encoding, bodies, regions, ports, session tokens, dates)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tui.providers.bedrock import model_path
from tui.providers.bedrock_sigv4 import AwsCredentials, canonical_request, host_header, sign

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
URL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
BODY = b'{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":256}}'


def test_the_spec_test_vector() -> None:
    headers = sign("POST", URL, BODY, AwsCredentials(AKID, SECRET), "us-east-1", date_time="20240101T000000Z")
    assert headers == {
        "content-type": "application/json",
        "x-amz-date": "20240101T000000Z",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=a4b82a857feb6b976e5110a3d87b2ce8cd6ecb0703e1d15db215a6a5e5d1f32a",
    }
    canonical, signed = canonical_request(
        "POST",
        URL,
        {"content-type": "application/json", "host": host_header(URL), "x-amz-date": "20240101T000000Z"},
        BODY,
    )
    lines = canonical.split("\n")
    assert lines[1] == "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse"  # encoded twice
    assert lines[-1] == "d8695502972bd4d482308b656a524b7a7efcebba591a06801fadba6b39700dd1"
    assert signed == "content-type;host;x-amz-date"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://bedrock-runtime.eu-west-1.amazonaws.com/model/x/converse", "bedrock-runtime.eu-west-1.amazonaws.com"),
        ("https://example.com:443/model/x/converse", "example.com"),
        ("http://127.0.0.1:8123/model/x/converse", "127.0.0.1:8123"),
        ("http://127.0.0.1:80/model/x/converse", "127.0.0.1"),
    ],
)
def test_host_header_keeps_only_a_non_default_port(url: str, host: str) -> None:
    assert host_header(url) == host


MODELS = [
    "anthropic.claude-3-haiku-20240307-v1:0",
    "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "amazon.titan-embed-text-v2:0",
    "cohere.embed-english-v3",
    "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0",
    "meta.llama3~weird model+name@tokens=5",
]
REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"]
HOSTS = ["https://bedrock-runtime.{region}.amazonaws.com", "http://127.0.0.1:{port}", "https://proxy.example.com:8443"]


def generated_requests(count: int) -> list[tuple[str, bytes, str, str | None, datetime, dict[str, str]]]:
    rng = random.Random(20241)
    cases = []
    for i in range(count):
        region = REGIONS[i % len(REGIONS)]
        base = HOSTS[i % len(HOSTS)].format(region=region, port=rng.randint(1024, 65000))
        action = rng.choice(["converse", "converse-stream", "invoke"])
        url = f"{base}/model/{model_path(MODELS[i % len(MODELS)])}/{action}"
        text = "".join(rng.choice('abc xyz\n"é€😀') for _ in range(rng.randint(0, 40)))
        body = json.dumps({"messages": [{"role": "user", "content": [{"text": text}]}]}, separators=(",", ":")).encode()
        token = f"FwoGZXIvYXdzE{rng.getrandbits(64):x}//session+token=" if i % 2 else None
        when = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 10**8))
        extra = {"accept": "application/json"} if action == "invoke" else {}
        cases.append((url, body, region, token, when, extra))
    return cases


@pytest.mark.parametrize(("url", "body", "region", "token", "when", "extra"), generated_requests(20))
def test_signed_exactly_as_botocore_signs(
    url: str, body: bytes, region: str, token: str | None, when: datetime, extra: dict[str, str]
) -> None:
    date_time = when.strftime("%Y%m%dT%H%M%SZ")
    ours = sign("POST", url, body, AwsCredentials(AKID, SECRET, token), region, date_time=date_time, extra=extra)

    request = AWSRequest("POST", url, data=body, headers={"Content-Type": "application/json", **extra})
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        SigV4Auth(Credentials(AKID, SECRET, token), "bedrock", region).add_auth(request)
    assert request.headers["X-Amz-Date"] == date_time
    assert ours["authorization"] == request.headers["Authorization"]
    if token:
        assert ours["x-amz-security-token"] == token == request.headers["X-Amz-Security-Token"]
        assert "x-amz-security-token" in ours["authorization"].split("SignedHeaders=")[1]
