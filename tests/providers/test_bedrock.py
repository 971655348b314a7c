"""Amazon Bedrock end to end through ``Workspace.query/stream`` against the simulator: every task x stream /
non-stream with the exact request (URL, signed headers, body bytes; providers.md §6 worked example), the exact
standard output, session tokens, Bedrock API keys, and the fault matrix."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.providers.faults import CHAT, stream_until_error
from tests.providers.rig import Rig
from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderProtocolError,
    ProviderRateLimited,
    ProviderRequestError,
    StreamInterrupted,
)
from tui.manage.copy_as import available_formats, endpoint_snippet
from tui.simulator.dialects.base import RecordedRequest
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.simulator.text import tokenize

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
ENCODED = "anthropic.claude-3-haiku-20240307-v1%3A0"
EXAMPLE = {  # the spec's worked example, in the standard shape
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "max_tokens": 16,
    "temperature": 0.5,
    "stop": ["\n\n"],
}
EXAMPLE_BODY = (
    b'{"messages":[{"role":"user","content":[{"text":"Say hi"}]}],"system":[{"text":"You are terse."}],'
    b'"inferenceConfig":{"maxTokens":16,"temperature":0.5,"stopSequences":["\\n\\n"]}}'
)
AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


def converse_request(task: str, stream: bool, request: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(path, plain auth headers: none, body) Bedrock receives for a standard request of test_end_to_end's
    shape; the signature is checked here, against botocore's."""
    path = f"/model/{MODEL}/{'converse-stream' if stream else 'converse'}"
    if task == "completions":
        body: dict[str, Any] = {"messages": [{"role": "user", "content": [{"text": request["prompt"]}]}]}
    else:
        system = [{"text": m["content"]} for m in request["messages"] if m["role"] == "system"]
        messages = [
            {"role": m["role"], "content": [{"text": m["content"]}]}
            for m in request["messages"]
            if m["role"] != "system"
        ]
        body = {"messages": messages, **({"system": system} if system else {})}
    inference = {"maxTokens": request["max_tokens"], "temperature": request["temperature"]}
    if "stop" in request:
        inference["stopSequences"] = request["stop"]
    return path, {}, {**body, "inferenceConfig": inference}


def botocore_authorization(seen: RecordedRequest, secret: str = SIM_KEY, token: str | None = None) -> str:
    """What botocore's SigV4Auth signs for the request as it arrived, at the same X-Amz-Date."""
    url = f"http://{seen.headers['host']}{seen.raw_path}"
    request = AWSRequest("POST", url, data=seen.raw_body, headers={"Content-Type": seen.headers["content-type"]})
    when = datetime.strptime(seen.headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials(SIM_KEY, secret, token), "bedrock", "us-east-1").add_auth(request)
    return str(request.headers["Authorization"])


# ------------------------------------------------------------------------------------ worked example
@pytest.mark.parametrize("stream", [False, True], ids=["converse", "converse-stream"])
async def test_the_worked_example_request_exactly(rig: Rig, stream: bool) -> None:
    name = await rig.endpoint("bedrock", "chat")
    if stream:
        [c async for c in rig.ws.stream(name, EXAMPLE)]
    else:
        await rig.ws.query(name, EXAMPLE)
    seen = rig.only_request()
    assert seen.method == "POST"
    assert seen.raw_path == f"/model/{ENCODED}/{'converse-stream' if stream else 'converse'}"
    assert seen.raw_body == EXAMPLE_BODY
    assert seen.headers["content-type"] == "application/json"
    assert AMZ_DATE.fullmatch(seen.headers["x-amz-date"])
    assert "x-amz-security-token" not in seen.headers
    authorization = seen.headers["authorization"]
    assert authorization.startswith(
        f"AWS4-HMAC-SHA256 Credential={SIM_KEY}/{seen.headers['x-amz-date'][:8]}/us-east-1/bedrock/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature="
    )
    assert authorization == botocore_authorization(seen)


@pytest.mark.parametrize("task", ["chat", "completions"])
async def test_exact_standard_output(rig: Rig, task: str) -> None:
    name = await rig.endpoint("bedrock", task, model=f"{MODEL}@tokens=3")
    request = {"prompt": "Say hi", "max_tokens": 40} if task == "completions" else CHAT
    answer = await rig.ws.query(name, request)
    chat = task == "chat"
    text = answer["choices"][0]["message"]["content"] if chat else answer["choices"][0]["text"]
    usage = {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}
    choice: dict[str, Any] = (
        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        if chat
        else {"index": 0, "text": text, "finish_reason": "stop"}
    )
    assert answer == {
        "id": answer["id"],
        "object": "chat.completion" if chat else "text_completion",
        "created": answer["created"],
        "model": f"{MODEL}@tokens=3",
        "choices": [choice],
        "usage": usage,
    }
    assert answer["id"].startswith("chatcmpl-" if chat else "cmpl-") and len(tokenize(text)) == 3

    chunks = [c async for c in rig.ws.stream(name, request)]
    common = {
        "id": chunks[0]["id"],
        "object": "chat.completion.chunk" if chat else "text_completion_chunk",
        "created": chunks[0]["created"],
        "model": f"{MODEL}@tokens=3",
    }

    def piece(content: str, finish: str | None = None, role: bool = False) -> dict[str, Any]:
        if not chat:
            return {**common, "choices": [{"index": 0, "text": content, "finish_reason": finish}]}
        delta = ({"role": "assistant"} if role else {}) | ({"content": content} if content or role else {})
        return {**common, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    assert chunks == [
        piece("", role=True),
        *(piece(t) for t in tokenize(text)),
        piece("", "stop"),
        {**common, "choices": [], "usage": usage},
    ]


# ---------------------------------------------------------------------------------------- embeddings
async def test_cohere_embeddings_via_invoke_model(rig: Rig) -> None:
    name = await rig.endpoint("bedrock", "embeddings", model="cohere.embed-english-v3")
    answer = await rig.ws.query(name, {"input": ["alpha", "beta", "alpha"]})
    seen = rig.only_request()
    assert seen.raw_path == "/model/cohere.embed-english-v3/invoke"
    assert seen.raw_body == b'{"texts":["alpha","beta","alpha"],"input_type":"search_document"}'
    assert seen.headers["accept"] == "application/json"
    assert "SignedHeaders=accept;content-type;host;x-amz-date," in seen.headers["authorization"]
    vectors = [d["embedding"] for d in answer["data"]]
    assert [d["index"] for d in answer["data"]] == [0, 1, 2] and answer["object"] == "list"
    assert vectors[0] == vectors[2] != vectors[1]
    assert all(math.isclose(math.fsum(v * v for v in vec), 1.0, rel_tol=1e-6) for vec in vectors)


async def test_titan_embeddings_one_text_per_call(rig: Rig) -> None:
    name = await rig.endpoint("bedrock", "embeddings", model="amazon.titan-embed-text-v2:0")
    answer = await rig.ws.query(name, {"input": "one two three"})
    seen = rig.only_request()
    assert seen.raw_path == "/model/amazon.titan-embed-text-v2%3A0/invoke"
    assert seen.raw_body == b'{"inputText":"one two three"}'
    assert answer["usage"] == {"prompt_tokens": 3, "total_tokens": 3} and len(answer["data"]) == 1
    with pytest.raises(InvalidParameterValue, match="Titan embeds one text per request"):
        await rig.ws.query(name, {"input": ["a", "b"]})


# ------------------------------------------------------------------------------------------ credentials
async def bedrock_endpoint(rig: Rig, name: str, model: str = MODEL, **config: str | None) -> str:
    """A chat endpoint whose amazon_bedrock_config has ``config`` set (None removes a field)."""
    body = endpoint_body(rig.base, "bedrock", "chat", name=name, model=model)
    block = body["config"]["served_entities"][0]["external_model"]["amazon_bedrock_config"]
    for field, value in config.items():
        if value is None:
            block.pop(field, None)
        else:
            block[field] = value
    await rig.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return name


async def test_session_token_is_sent_and_signed(rig: Rig) -> None:
    token = "FwoGZXIvYXdzEXAMPLE//session+token="
    await rig.ws.put_secret("sim", "token", token.encode())
    name = await bedrock_endpoint(rig, "with-token", aws_session_token="{{secrets/sim/token}}")
    answer = await rig.ws.query(name, CHAT)
    assert answer["choices"][0]["message"]["content"]
    seen = rig.only_request()
    assert seen.headers["x-amz-security-token"] == token
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token," in seen.headers["authorization"]
    assert seen.headers["authorization"] == botocore_authorization(seen, token=token)


@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_bedrock_api_key_is_a_bearer_token(rig: Rig, stream: bool) -> None:
    name = await bedrock_endpoint(
        rig, "api-key", aws_access_key_id=None, aws_secret_access_key=None, bedrock_api_key="{{secrets/sim/key}}"
    )
    if stream:
        chunks = [c async for c in rig.ws.stream(name, CHAT)]
        assert chunks[-1]["usage"]["completion_tokens"] > 0
    else:
        assert (await rig.ws.query(name, CHAT))["choices"][0]["message"]["content"]
    seen = rig.only_request()
    assert seen.headers["authorization"] == f"Bearer {SIM_KEY}"
    assert "x-amz-date" not in seen.headers and seen.headers["content-type"] == "application/json"


async def test_a_wrong_secret_key_is_a_signature_error_that_never_shows_it(rig: Rig) -> None:
    await rig.ws.put_secret("sim", "other", b"wrong-secret-0123456789abcdef")
    name = await bedrock_endpoint(rig, "bad-secret", aws_secret_access_key="{{secrets/sim/other}}")
    with pytest.raises(ProviderAuthError) as caught:
        await rig.ws.query(name, CHAT)
    err = caught.value
    assert err.provider_status == 403 and "signature we calculated does not match" in err.message
    assert "wrong-secret" not in err.message and SIM_KEY not in err.message


async def test_an_unknown_access_key_is_refused(rig: Rig) -> None:
    await rig.ws.put_secret("sim", "key", b"AKIAWRONGWRONGWRONG0")
    name = await rig.endpoint("bedrock", "chat")
    with pytest.raises(ProviderAuthError, match=r"denied access \(403\): The security token included"):
        await rig.ws.query(name, CHAT)


async def test_instance_profiles_work_only_on_databricks(rig: Rig) -> None:
    name = await bedrock_endpoint(
        rig,
        "profile",
        aws_access_key_id=None,
        aws_secret_access_key=None,
        instance_profile_arn="arn:aws:iam::123456789012:instance-profile/bedrock",
    )
    with pytest.raises(InvalidParameterValue, match="instance profiles and Unity Catalog service credentials"):
        await rig.ws.query(name, CHAT)


# ---------------------------------------------------------------------------------------- fault matrix
STATUS_FAULTS: list[tuple[str, type[ProviderError], str]] = [
    ("400", ProviderRequestError, "rejected the request (400): The simulator rejected this request"),
    ("401", ProviderAuthError, "refused the API key (401): The security token included in the request is invalid"),
    ("403", ProviderAuthError, "denied access (403): You don't have access to the model"),
    ("404", ProviderRequestError, "rejected the request (404): The provided model identifier is invalid"),
    ("429", ProviderRateLimited, "rate limit hit (429): Too many requests, please wait before trying again"),
    ("500", ProviderError, "failed (500): The server encountered an internal error"),
    ("503", ProviderOverloaded, "is overloaded (503): Bedrock is unable to process your request"),
]


async def faulty(rig: Rig, knobs: str) -> str:
    return await rig.endpoint("bedrock", "chat", model=f"{MODEL}@{knobs}", name="faulty")


@pytest.mark.parametrize(("fault", "cls", "words"), STATUS_FAULTS)
@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_status_faults(rig: Rig, fault: str, cls: type[ProviderError], words: str, stream: bool) -> None:
    name = await faulty(rig, f"fault={fault},retry_after=7")
    with pytest.raises(ProviderError) as caught:
        if stream:
            [c async for c in rig.ws.stream(name, CHAT)]
        else:
            await rig.ws.query(name, CHAT)
    err = caught.value
    assert type(err) is cls and err.message.startswith(f"Amazon Bedrock {words}")
    assert err.provider_status == int(fault) and err.provider_request_id
    if fault in ("429", "503"):
        assert err.retry_after == 7.0
    usage = rig.ws.usage.rows("faulty")
    assert usage[0].errors == 1 and usage[0].calls == 1


async def test_cut_stream_keeps_the_text_so_far(rig: Rig) -> None:
    text, err = await stream_until_error(rig, await faulty(rig, "fault=cut,cut_after=10,tokens=40"))
    assert isinstance(err, StreamInterrupted) and "Amazon Bedrock stream was cut" in err.message
    assert len(text.split()) >= 5


async def test_cut_body_without_streaming(rig: Rig) -> None:
    with pytest.raises(ProviderProtocolError, match=r"closed the connection before the whole answer arrived|not JSON"):
        await rig.ws.query(await faulty(rig, "fault=cut,tokens=40"), CHAT)


async def test_a_frame_with_a_bad_crc_is_a_protocol_error(rig: Rig) -> None:
    text, err = await stream_until_error(rig, await faulty(rig, "fault=malformed,cut_after=5,tokens=30"))
    assert isinstance(err, ProviderProtocolError)
    assert err.message == "Amazon Bedrock sent a malformed stream frame after 6 event(s): message CRC mismatch"
    assert len(text.split()) == 5


async def test_malformed_body(rig: Rig) -> None:
    with pytest.raises(ProviderProtocolError, match="not JSON"):
        await rig.ws.query(await faulty(rig, "fault=malformed"), CHAT)


async def test_missing_metadata_event(rig: Rig) -> None:
    text, err = await stream_until_error(rig, await faulty(rig, "fault=nodone,tokens=20"))
    assert isinstance(err, StreamInterrupted) and "without its metadata event" in err.message
    assert "may be incomplete" in err.message and len(text.split()) == 20


async def test_throttling_exception_frame_inside_a_200_is_a_429(rig: Rig) -> None:
    text, err = await stream_until_error(rig, await faulty(rig, "fault=error_event,cut_after=5,tokens=30"))
    assert isinstance(err, ProviderRateLimited) and err.provider_status == 429
    assert err.message == (
        "Amazon Bedrock rate limit hit (429): throttlingException: Too many requests, please wait before trying "
        "again. (reported mid-stream)"
    )
    assert len(text.split()) == 5


async def test_drip_fed_frames_reassemble(rig: Rig) -> None:
    normal = await rig.endpoint("bedrock", "chat", model=f"{MODEL}@tokens=30", name="normal")
    dripped = await rig.endpoint("bedrock", "chat", model=f"{MODEL}@tokens=30,fault=drip", name="dripped")
    texts = []
    for name in (normal, dripped):
        chunks = [c async for c in rig.ws.stream(name, CHAT)]
        texts.append("".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]))
    assert texts[0] == texts[1] and len(texts[0].split()) == 30


# ----------------------------------------------------------------------------------------------- copy as
def test_copy_as_goes_through_databricks_and_leaves_the_local_fields_out() -> None:
    body = endpoint_body("http://127.0.0.1:9", "bedrock", "chat")
    block = body["config"]["served_entities"][0]["external_model"]["amazon_bedrock_config"]
    block["aws_session_token"] = "{{secrets/sim/token}}"
    endpoint = parse_stored(ServingEndpointDetailed, {**body, "task": "llm/v1/chat"})
    assert available_formats(endpoint) == ["openai-databricks", "mlflow", "create"]
    text = endpoint_snippet("create", endpoint)
    assert "# left out, as only Switchboard has them: bedrock_api_base, aws_session_token" in text
    assert "aws_session_token" not in text.split("\n", 1)[1] and "secrets/sim/token" not in text


async def test_an_inference_profile_arn_as_the_model(rig: Rig) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
    name = await rig.endpoint("bedrock", "chat", model=arn)
    answer = await rig.ws.query(name, CHAT)
    assert answer["model"] == arn and answer["choices"][0]["message"]["content"]
    seen = rig.only_request()
    assert seen.raw_path == (
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
        "us.anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    )
    assert seen.headers["authorization"] == botocore_authorization(seen)
