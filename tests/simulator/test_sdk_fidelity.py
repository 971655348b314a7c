"""The official SDKs (openai, anthropic: test-only dependencies) parse everything the simulator serves and
raise their proper typed errors for its faults."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.simulator.helpers import KEY
from tui.simulator import Simulator
from tui.simulator.text import embedding, tokenize

HI = [{"role": "user", "content": "Say hi"}]


def oai(sim: Simulator, key: str = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=sim.base_url + "/v1", api_key=key, max_retries=0)


def azure(sim: Simulator, **kw: Any) -> openai.AsyncAzureOpenAI:
    kw.setdefault("api_key", KEY)
    return openai.AsyncAzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-10-21", max_retries=0, **kw)


def claude(sim: Simulator, key: str = KEY) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=sim.base_url, api_key=key, max_retries=0)


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[openai.AsyncOpenAI]:
    async with oai(sim) as c:
        yield c


@pytest.fixture
async def az(sim: Simulator) -> AsyncIterator[openai.AsyncAzureOpenAI]:
    async with azure(sim) as c:
        yield c


@pytest.fixture
async def cl(sim: Simulator) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with claude(sim) as c:
        yield c


# ----------------------------------------------------------------------------------------- openai


async def test_openai_chat_non_stream_and_stream_agree(client: openai.AsyncOpenAI) -> None:
    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=HI)
    text = completion.choices[0].message.content
    assert text and text.startswith("# ")
    assert completion.model == "gpt-4o-mini" and completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(tokenize(text)) and completion.usage.prompt_tokens == 2

    stream = await client.chat.completions.create(
        model="gpt-4o-mini", messages=HI, stream=True, stream_options={"include_usage": True}
    )
    parts: list[str] = []
    finish = usage = None
    async for chunk in stream:
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        else:
            usage = chunk.usage
    assert "".join(parts) == text and finish == "stop"
    assert usage is not None and usage.completion_tokens == completion.usage.completion_tokens


async def test_openai_n_max_tokens_and_drip(client: openai.AsyncOpenAI) -> None:
    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=HI, n=2, max_tokens=7)
    assert [c.index for c in completion.choices] == [0, 1]
    assert all(c.finish_reason == "length" for c in completion.choices)
    assert completion.usage is not None and completion.usage.completion_tokens == 14
    plain = await client.chat.completions.create(model="gpt-4o-mini@tokens=20", messages=HI)
    stream = await client.chat.completions.create(model="gpt-4o-mini@tokens=20,fault=drip", messages=HI, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == plain.choices[0].message.content


async def test_openai_completions_and_embeddings(client: openai.AsyncOpenAI) -> None:
    completion = await client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", max_tokens=12)
    assert completion.choices[0].finish_reason == "length"
    assert len(tokenize(completion.choices[0].text)) == 12
    assert completion.usage is not None and completion.usage.completion_tokens == 12

    # the SDK asks for base64 by default and decodes it
    result = await client.embeddings.create(model="text-embedding-3-small", input=["same", "same", "other"])
    vectors = [d.embedding for d in result.data]
    assert len(vectors) == 3 and all(len(v) == 1536 for v in vectors)
    expected = embedding("text-embedding-3-small", "same", 1536)
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(vectors[0], expected, strict=False))
    assert math.isclose(sum(a * b for a, b in zip(vectors[0], vectors[1], strict=False)), 1.0, abs_tol=1e-5)
    assert sum(a * b for a, b in zip(vectors[0], vectors[2], strict=False)) < 0.999
    assert result.usage.prompt_tokens == 3
    floats = await client.embeddings.create(model="e@dim=4", input="x", encoding_format="float")
    assert len(floats.data[0].embedding) == 4 and floats.model == "e"


async def test_openai_typed_errors(sim: Simulator, client: openai.AsyncOpenAI) -> None:
    async with oai(sim, "sk-wrong-key-000000") as wrong:
        with pytest.raises(openai.AuthenticationError) as auth:
            await wrong.chat.completions.create(model="gpt-4o-mini", messages=HI)
    assert auth.value.status_code == 401 and auth.value.code == "invalid_api_key"
    with pytest.raises(openai.RateLimitError) as limited:
        await client.chat.completions.create(model="gpt-4o-mini@fault=429,retry_after=7", messages=HI)
    assert limited.value.response.headers["retry-after"] == "7"
    assert limited.value.code == "rate_limit_exceeded"
    with pytest.raises(openai.BadRequestError) as bad:
        await client.chat.completions.create(model="gpt-4o-mini@bogus=1", messages=HI)
    assert "Unknown simulator knob 'bogus'" in bad.value.message
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="gpt-4o-mini@fault=503", messages=HI)
    with pytest.raises(openai.APIError) as mid:
        stream = await client.chat.completions.create(model="m@fault=error_event", messages=HI, stream=True)
        async for _ in stream:
            pass
    assert "error while processing" in mid.value.message
    with pytest.raises(openai.APIConnectionError):
        stream = await client.chat.completions.create(model="m@fault=cut", messages=HI, stream=True)
        async for _ in stream:
            pass


# ------------------------------------------------------------------------------------------ Azure


async def test_azure_sdk_with_a_deployment(sim: Simulator, az: openai.AsyncAzureOpenAI) -> None:
    completion = await az.chat.completions.create(model="gpt4o-prod", messages=HI)
    assert completion.model == "gpt4o-prod" and completion.choices[0].message.content
    request = sim.requests[-1]
    assert request.path == "/openai/deployments/gpt4o-prod/chat/completions"
    assert request.query == {"api-version": "2024-10-21"} and request.headers["api-key"] == KEY

    stream = await az.chat.completions.create(
        model="gpt4o-prod", messages=HI, stream=True, stream_options={"include_usage": True}
    )
    chunks = [c async for c in stream]
    assert chunks[0].choices == [] and chunks[0].id == ""  # the prompt_filter_results chunk
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == completion.choices[0].message.content
    assert chunks[-1].usage is not None


async def test_azure_sdk_with_an_entra_token(sim: Simulator) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{sim.base_url}/tenant-1/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "app",
                "client_secret": KEY,
                "scope": "https://cognitiveservices.azure.com/.default",
            },
        )
    token = response.json()["access_token"]
    async with openai.AsyncAzureOpenAI(
        azure_endpoint=sim.base_url, api_version="2024-10-21", azure_ad_token=token, max_retries=0
    ) as client:
        completion = await client.chat.completions.create(model="dep", messages=HI)
    assert completion.choices[0].message.content
    assert sim.requests[-1].headers["authorization"] == f"Bearer {token}"
    assert sim.token_requests == 1


async def test_azure_sdk_typed_errors(sim: Simulator, az: openai.AsyncAzureOpenAI) -> None:
    async with azure(sim, api_key="wrong") as wrong:
        with pytest.raises(openai.AuthenticationError) as auth:
            await wrong.chat.completions.create(model="dep", messages=HI)
    assert "invalid subscription key" in auth.value.message
    with pytest.raises(openai.RateLimitError) as limited:
        await az.chat.completions.create(model="dep@fault=429,retry_after=2", messages=HI)
    assert limited.value.response.headers["retry-after-ms"] == "2000"
    with pytest.raises(openai.NotFoundError):
        await az.chat.completions.create(model="dep@fault=404", messages=HI)


# -------------------------------------------------------------------------------------- Anthropic


async def test_anthropic_messages_create_and_stream(cl: anthropic.AsyncAnthropic) -> None:
    message = await cl.messages.create(model="claude-3-5-haiku", max_tokens=1024, messages=HI)
    assert message.stop_reason == "end_turn" and message.model == "claude-3-5-haiku"
    text = message.content[0].text  # type: ignore[union-attr]
    assert message.usage.output_tokens == len(tokenize(text)) and message.usage.input_tokens == 2

    async with cl.messages.stream(model="claude-3-5-haiku", max_tokens=1024, messages=HI) as stream:
        streamed = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert streamed == text
    assert final.content[0].text == text  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == message.usage.output_tokens

    short = await cl.messages.create(model="claude-3-5-haiku", max_tokens=3, messages=HI)
    assert short.stop_reason == "max_tokens" and short.usage.output_tokens == 3


async def test_anthropic_typed_errors(sim: Simulator, cl: anthropic.AsyncAnthropic) -> None:
    async with claude(sim, "sk-ant-nope-1234567") as wrong:
        with pytest.raises(anthropic.AuthenticationError) as auth:
            await wrong.messages.create(model="c", max_tokens=5, messages=HI)
    assert auth.value.status_code == 401
    with pytest.raises(anthropic.RateLimitError) as limited:
        await cl.messages.create(model="c@fault=429,retry_after=3", max_tokens=5, messages=HI)
    assert limited.value.response.headers["retry-after"] == "3"
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        await cl.messages.create(model="c@fault=529", max_tokens=5, messages=HI)
    assert overloaded.value.status_code == 529
    with pytest.raises(anthropic.BadRequestError) as bad:
        await cl.messages.create(model="c", max_tokens=5, messages=HI, extra_body={"temperature": 2})
    assert "temperature" in bad.value.message
    received: list[str] = []
    with pytest.raises(anthropic.APIStatusError) as mid:
        async with cl.messages.stream(model="c@fault=error_event", max_tokens=1024, messages=HI) as stream:
            async for piece in stream.text_stream:
                received.append(piece)
    assert "overloaded_error" in str(mid.value)
    assert received, "the error arrived after some text"
