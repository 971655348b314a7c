"""Vertex AI end to end against the simulator: the service-account JWT grant (signed, verified, cached,
refreshed before expiry), the exact requests under the project and region, Gemini answers, predict
embeddings, and a bad key in the secret named by its field, never shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.providers.rig import Rig
from tests.providers.service_account import (
    CLIENT_EMAIL,
    KEY_ID,
    VERTEX_REF,
    service_account_key,
    vertex_ready,
)
from tui.domain.base import parse_stored
from tui.domain.errors import ProviderAuthError
from tui.domain.provider_configs import GoogleCloudVertexAiConfig
from tui.providers import get_provider
from tui.providers.base import Call
from tui.providers.vertex_auth import GOOGLE_OAUTH, VertexGrants
from tui.simulator.text import embedding
from tui.transport.client import Transport
from tui.transport.redact import REDACTED
from tui.workspace.local.credentials import Credentials

MODEL = "gemini-2.0-flash"
PREFIX = "/v1/projects/sim-project/locations/us-central1/publishers/google/models"
CHAT = {
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "temperature": 0.5,
    "max_tokens": 16,
    "stop": ["\n\n"],
}
SPEC_BODY = {
    "contents": [{"role": "user", "parts": [{"text": "Say hi"}]}],
    "system_instruction": {"parts": [{"text": "You are terse."}]},
    "generationConfig": {"temperature": 0.5, "maxOutputTokens": 16, "stopSequences": ["\n\n"]},
}


async def vertex_endpoint(rig: Rig, task: str = "chat", **kwargs: Any) -> str:
    await vertex_ready(rig)
    return await rig.endpoint("vertex", task, secret=VERTEX_REF, **kwargs)


def token_requests(rig: Rig) -> list[Any]:
    return [r for r in rig.sim.requests if r.path == "/oauth2/v4/token"]


def api_requests(rig: Rig) -> list[Any]:
    return [r for r in rig.sim.requests if r.path != "/oauth2/v4/token"]


async def test_chat_goes_to_the_regional_path_with_the_exchanged_token(rig: Rig) -> None:
    name = await vertex_endpoint(rig)
    answer = await rig.ws.query(name, CHAT)
    [token] = token_requests(rig)
    [seen] = api_requests(rig)
    assert seen.path == f"{PREFIX}/{MODEL}:generateContent" and seen.query == {}
    assert seen.body == SPEC_BODY
    bearer = seen.headers["authorization"].removeprefix("Bearer ")
    assert rig.sim.token_audience(bearer) == "https://www.googleapis.com/auth/cloud-platform"
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert answer["object"] == "chat.completion" and answer["model"] == MODEL
    assert answer["choices"][0]["message"]["role"] == "assistant" and answer["choices"][0]["message"]["content"]
    usage = answer["usage"]
    assert usage["prompt_tokens"] == 5 and usage["total_tokens"] == 5 + usage["completion_tokens"]


async def test_the_assertion_is_an_rs256_jwt_of_the_service_account(rig: Rig) -> None:
    name = await vertex_endpoint(rig)
    await rig.ws.query(name, CHAT)
    [token] = token_requests(rig)
    assert set(token.body or {}) == {"grant_type", "assertion"}
    assert (token.body or {})["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assertion = (token.body or {})["assertion"]
    assert jwt.get_unverified_header(assertion) == {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
    here = f"{rig.base}/oauth2/v4/token"
    claims = jwt.decode(assertion, service_account_key().public_pem, algorithms=["RS256"], audience=here)
    assert claims == {
        "iss": CLIENT_EMAIL,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "aud": here,
        "iat": claims["iat"],
        "exp": claims["iat"] + 3600,
    }


async def test_the_token_is_fetched_once_and_cached(rig: Rig) -> None:
    name = await vertex_endpoint(rig)
    for _ in range(3):
        await rig.ws.query(name, CHAT)
    assert len(token_requests(rig)) == 1 and len(api_requests(rig)) == 3


async def test_a_token_about_to_expire_is_fetched_again(rig: Rig) -> None:
    rig.sim.token_expires_in = 200  # inside the five-minute refresh margin: every call exchanges again
    name = await vertex_endpoint(rig)
    await rig.ws.query(name, CHAT)
    await rig.ws.query(name, CHAT)
    assert len(token_requests(rig)) == 2
    rig.sim.token_expires_in = 3599
    await rig.ws.query(name, CHAT)
    await rig.ws.query(name, CHAT)
    assert len(token_requests(rig)) == 3


@pytest.mark.parametrize("task", ["chat", "completions"])
async def test_streams_use_sse_and_match_the_whole_answer(rig: Rig, task: str) -> None:
    name = await vertex_endpoint(rig, task)
    request = CHAT if task == "chat" else {"prompt": "Say hi", "max_tokens": 8}
    whole = await rig.ws.query(name, request)
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, request)]
    [seen] = api_requests(rig)
    assert seen.path == f"{PREFIX}/{MODEL}:streamGenerateContent" and seen.query == {"alt": "sse"}
    content = [c for c in chunks if c["choices"]]
    if task == "chat":
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in content)
        assert text == whole["choices"][0]["message"]["content"]
    else:
        assert "".join(c["choices"][0]["text"] for c in content) == whole["choices"][0]["text"]
    assert content[-1]["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]
    assert chunks[-1]["usage"] == whole["usage"]


async def test_embeddings_go_through_predict_and_count_tokens(rig: Rig) -> None:
    name = await vertex_endpoint(rig, "embeddings")
    answer = await rig.ws.query(name, {"input": ["alpha beta", "gamma"], "dimensions": 4})
    [seen] = api_requests(rig)
    assert seen.path == f"{PREFIX}/text-embedding-004:predict"
    assert seen.body == {
        "instances": [{"content": "alpha beta"}, {"content": "gamma"}],
        "parameters": {"autoTruncate": True, "outputDimensionality": 4},
    }
    assert answer == {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": embedding("text-embedding-004", text, 4)}
            for i, text in enumerate(["alpha beta", "gamma"])
        ],
        "model": "text-embedding-004",
        "usage": {"prompt_tokens": 3, "total_tokens": 3},
    }


def vertex_call(region: str, **config: Any) -> Call:
    parsed = parse_stored(
        GoogleCloudVertexAiConfig, {"project_id": "my-proj", "region": region, "private_key": "{}", **config}
    )
    return Call("llm/v1/chat", CHAT, False, MODEL, parsed, tokens={GOOGLE_OAUTH: "ya29.x"})


@pytest.mark.parametrize(
    ("region", "config", "url"),
    [
        (
            "us-central1",
            {},
            "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/"
            "publishers/google/models/gemini-2.0-flash:generateContent",
        ),
        (
            "global",
            {},
            "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/"
            "publishers/google/models/gemini-2.0-flash:generateContent",
        ),
        (
            "europe-west4",
            {"vertex_api_base": "https://private.example/v1beta1"},
            "https://private.example/v1beta1/projects/my-proj/locations/europe-west4/"
            "publishers/google/models/gemini-2.0-flash:generateContent",
        ),
    ],
)
def test_regional_and_global_hosts(region: str, config: dict[str, Any], url: str) -> None:
    """providers.md §5 worked example: the same body as Gemini, a bearer token, the region's host."""
    http = get_provider("google-cloud-vertex-ai").build(vertex_call(region, **config))
    assert http.url == url and http.params is None
    assert http.headers == {"authorization": "Bearer ya29.x"} and http.json == SPEC_BODY


# ------------------------------------------------------------------------------- bad keys in the secret

PEM = service_account_key().private_pem
BAD_KEYS = [
    ("not json at all " + PEM[40:90], "it is not JSON"),
    (PEM, "it holds a PEM key alone"),
    (service_account_key().json(client_email=None), "the field 'client_email' is missing or empty"),
    (service_account_key().json(private_key=""), "the field 'private_key' is missing or empty"),
    (service_account_key().json(private_key="MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "'private_key' is not a PEM"),
    (
        service_account_key().json(private_key=PEM.replace(PEM[60:120], "A" * 60)),
        "the field 'private_key' does not load as an unencrypted PEM private key",
    ),
    (service_account_key().json(type="authorized_user"), "its 'type' is 'authorized_user'"),
]


@pytest.mark.parametrize(("secret", "words"), BAD_KEYS, ids=[w for _, w in BAD_KEYS])
async def test_a_bad_service_account_key_names_the_field_and_never_shows_the_key(
    rig: Rig, secret: str, words: str
) -> None:
    name = await vertex_endpoint(rig)
    await rig.ws.put_secret("sim", "vertex", secret.encode())
    with pytest.raises(ProviderAuthError) as caught:
        await rig.ws.query(name, CHAT)
    message = caught.value.message
    assert message.startswith("The Vertex AI private_key is not a usable service-account JSON key: ")
    assert words in message
    assert "PRIVATE KEY" not in message and PEM[60:120] not in message and PEM[40:90] not in message
    assert not rig.sim.requests  # nothing was sent


async def test_a_key_the_token_service_does_not_know_is_an_auth_error(rig: Rig) -> None:
    name = await vertex_endpoint(rig)
    other = service_account_key(1)  # same account, another key pair: the signature does not verify
    await rig.ws.put_secret("sim", "vertex", other.json().encode())
    with pytest.raises(ProviderAuthError) as caught:
        await rig.ws.query(name, CHAT)
    assert caught.value.message == (
        f"Could not get a Google access token for Vertex AI (service account {CLIENT_EMAIL}): Google OAuth "
        "rejected the request (400): invalid_grant: Invalid JWT Signature"
    )
    assert not api_requests(rig)


async def test_an_unknown_account_is_an_auth_error(rig: Rig) -> None:
    name = await vertex_endpoint(rig)
    stranger = json.loads(service_account_key().json())
    stranger["client_email"] = "nobody@elsewhere.iam.gserviceaccount.com"
    await rig.ws.put_secret("sim", "vertex", json.dumps(stranger).encode())
    with pytest.raises(ProviderAuthError, match="invalid_grant: Invalid grant: account not found"):
        await rig.ws.query(name, CHAT)


def test_a_signed_grant_is_reused_until_its_assertion_nears_expiry() -> None:
    """Signing costs tens of milliseconds, so every call must not pay it; the clock is injected."""
    now = [1_800_000_000.0]
    grants = VertexGrants(clock=lambda: now[0])
    key = service_account_key().json()
    first = grants.get(key, "https://token.example/t", "Vertex AI")
    now[0] += 3600 - VertexGrants.REUSE_MARGIN - 1
    assert grants.get(key, "https://token.example/t", "Vertex AI") is first
    now[0] += 2
    renewed = grants.get(key, "https://token.example/t", "Vertex AI")
    assert renewed is not first and renewed.cache_key == first.cache_key
    claims = jwt.decode(
        (renewed.request.form or {})["assertion"],
        service_account_key().public_pem,
        algorithms=["RS256"],
        audience="https://token.example/t",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iat"] == int(now[0]) and claims["exp"] == int(now[0]) + 3600
    assert grants.get(key, None, "Vertex AI").request.url == "https://oauth2.googleapis.com/token"


def test_the_jwt_libraries_load_only_when_vertex_signs() -> None:
    code = (
        "import sys; import tui.providers.vertex, tui.simulator; "
        "assert 'jwt' not in sys.modules and 'cryptography' not in sys.modules, 'loaded at import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


async def test_a_token_service_that_echoes_the_assertion_never_shows_it() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "invalid_grant", "error_description": request.content.decode()})

    credentials = Credentials(Transport(client=httpx.AsyncClient(transport=httpx.MockTransport(echo))))
    call = vertex_call("global", private_key=service_account_key().json(), vertex_token_uri="https://token.example/t")
    provider = get_provider("google-cloud-vertex-ai")
    assertion = (provider.token_grants(call.config)[0].request.form or {})["assertion"]
    with pytest.raises(ProviderAuthError) as caught:
        await credentials.attach(provider, call)
    assert "invalid_grant" in caught.value.message and assertion not in caught.value.message
    assert REDACTED in caught.value.message
