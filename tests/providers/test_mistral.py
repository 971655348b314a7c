"""Mistral end to end through Workspace.query/stream against the simulator (providers.md §9): OpenAI's body
with ``random_seed`` and no ``stream_options``, usage from the last stream chunk split into the standard
usage chunk, completions through chat (``stop`` and ``n`` kept), embeddings, base forms, and the finish
reasons the simulator does not produce (``model_length``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.native_wire import (
    WORKED,
    assert_stream_splits_usage_off_the_last_chunk,
    standard_chat_answer,
)
from tests.providers.rig import Rig
from tui.domain.endpoints import TASK_CHAT
from tui.domain.errors import InvalidParameterValue, ProviderError
from tui.domain.provider_configs import MistralConfig
from tui.providers import get_provider
from tui.providers.base import Call
from tui.simulator.endpoints import SIM_KEY, SIM_REF
from tui.simulator.text import tokenize

MODEL = "mistral-small-latest"


async def test_worked_example_request_and_standard_answer(rig: Rig) -> None:
    name = await rig.endpoint("mistral", "chat")
    answer = await rig.ws.query(name, {**WORKED, "seed": 3})
    request = rig.only_request()
    assert (request.method, request.path) == ("POST", "/mistral/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {SIM_KEY}"
    assert request.body == {**WORKED, "random_seed": 3, "model": MODEL}
    assert answer == standard_chat_answer(answer, MODEL)


async def test_stream_splits_usage_off_the_last_chunk(rig: Rig) -> None:
    await assert_stream_splits_usage_off_the_last_chunk(rig, await rig.endpoint("mistral", "chat"), MODEL)


async def test_a_callers_stream_options_are_not_passed_on(rig: Rig) -> None:
    name = await rig.endpoint("mistral", "chat")
    chunks = [c async for c in rig.ws.stream(name, {**WORKED, "stream_options": {"include_usage": True}})]
    assert "stream_options" not in rig.only_request().body
    assert chunks[-1]["usage"]["completion_tokens"] > 0


@pytest.mark.parametrize("path", ["/mistral", "/mistral/", "/mistral/v1"])
async def test_the_base_is_accepted_with_or_without_v1(rig: Rig, path: str) -> None:
    config = {"mistral_api_key": SIM_REF, "mistral_api_base": rig.base + path}
    name = await rig.endpoint("mistral", "chat", mistral_config=config)
    await rig.ws.query(name, WORKED)
    assert rig.only_request().path == "/mistral/v1/chat/completions"


async def test_completions_go_through_chat_keeping_stop_and_n(rig: Rig) -> None:
    name = await rig.endpoint("mistral", "completions")
    answer = await rig.ws.query(name, {"prompt": "Say hi", "max_tokens": 3, "stop": "@@", "n": 2, "temperature": 0.9})
    assert rig.only_request().body == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hi"}],
        "max_tokens": 3,
        "stop": "@@",
        "n": 2,
        "temperature": 0.9,
    }
    assert answer["object"] == "text_completion"
    assert [(c["index"], c["finish_reason"]) for c in answer["choices"]] == [(0, "length"), (1, "length")]
    assert all(len(tokenize(c["text"])) == 3 for c in answer["choices"])


async def test_embeddings_request_and_standard_answer(rig: Rig) -> None:
    name = await rig.endpoint("mistral", "embeddings")
    answer = await rig.ws.query(name, {"input": ["alpha", "beta"], "dimensions": 12})
    request = rig.only_request()
    assert request.path == "/mistral/v1/embeddings"
    assert request.body == {"input": ["alpha", "beta"], "output_dimension": 12, "model": "mistral-embed"}
    assert [(d["object"], d["index"], len(d["embedding"])) for d in answer["data"]] == [
        ("embedding", 0, 12),
        ("embedding", 1, 12),
    ]
    assert answer["object"] == "list" and answer["model"] == "mistral-embed"
    assert answer["usage"] == {"prompt_tokens": 2, "total_tokens": 2}
    with pytest.raises(InvalidParameterValue, match="not token arrays"):
        await rig.ws.query(name, {"input": [[1, 2]]})


def _call(stream: bool = False) -> Call:
    config = MistralConfig(mistral_api_key_plaintext="k")
    return Call(TASK_CHAT, {"messages": [{"role": "user", "content": "hi"}]}, stream, MODEL, config)


def _answer(reason: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": "Hi"}
    return {"id": "m1", "choices": [{"index": 0, "message": message, "finish_reason": reason}]}


def test_model_length_is_length_and_error_is_raised() -> None:
    provider = get_provider("mistral")
    assert provider.parse(_call(), _answer("model_length"))["choices"][0]["finish_reason"] == "length"
    assert provider.parse(_call(), _answer("tool_calls"))["choices"][0]["finish_reason"] == "tool_calls"
    with pytest.raises(ProviderError, match="finish_reason 'error'"):
        provider.parse(_call(), _answer("error"))


@pytest.mark.parametrize(
    ("provider", "config", "url"),
    [
        ("mistral", MistralConfig(mistral_api_key_plaintext="k"), "https://api.mistral.ai/v1/chat/completions"),
        ("ai21labs", None, "https://api.ai21.com/studio/v1/chat/completions"),
    ],
)
def test_without_a_base_the_providers_own_host_is_called(provider: str, config: Any, url: str) -> None:
    from tui.domain.provider_configs import AI21LabsConfig

    config = config or AI21LabsConfig(ai21labs_api_key_plaintext="k")
    call = Call(TASK_CHAT, {"messages": [{"role": "user", "content": "hi"}]}, False, "m", config)
    assert get_provider(provider).build(call).url == url
