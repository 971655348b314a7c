"""AI21 Labs Jamba end to end through Workspace.query/stream against the simulator (providers.md §8): the
spec's worked example on the wire, answers without ``object``/``created``/``model`` filled in, usage from the
last stream chunk split into the standard usage chunk, completions through chat, native ``n``, base forms."""

from __future__ import annotations

import pytest

from tests.providers.native_wire import (
    WORKED,
    assert_stream_splits_usage_off_the_last_chunk,
    standard_chat_answer,
)
from tests.providers.rig import Rig
from tui.simulator.endpoints import SIM_KEY, SIM_REF
from tui.simulator.text import tokenize

MODEL = "jamba-mini"


async def test_worked_example_request_and_standard_answer(rig: Rig) -> None:
    name = await rig.endpoint("ai21", "chat")
    answer = await rig.ws.query(name, WORKED)
    request = rig.only_request()
    assert (request.method, request.path) == ("POST", "/studio/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {SIM_KEY}"
    assert request.body == {**WORKED, "model": MODEL}
    assert answer == standard_chat_answer(answer, MODEL)  # AI21 leaves object, created and model out: filled in
    assert answer["id"].startswith("chat-sim") and isinstance(answer["created"], int)


async def test_worked_example_stream_splits_usage_off_the_last_chunk(rig: Rig) -> None:
    await assert_stream_splits_usage_off_the_last_chunk(rig, await rig.endpoint("ai21", "chat"), MODEL)


@pytest.mark.parametrize("path", ["", "/studio/v1"])
async def test_the_base_is_accepted_as_the_sdk_host_or_with_its_path(rig: Rig, path: str) -> None:
    config = {"ai21labs_api_key": SIM_REF, "ai21labs_api_base": rig.base + path}
    name = await rig.endpoint("ai21", "chat", ai21labs_config=config)
    await rig.ws.query(name, WORKED)
    assert rig.only_request().path == "/studio/v1/chat/completions"


async def test_n_is_native(rig: Rig) -> None:
    name = await rig.endpoint("ai21", "chat")
    answer = await rig.ws.query(name, {**WORKED, "n": 2, "stop": None})
    assert rig.only_request().body["n"] == 2
    assert [c["index"] for c in answer["choices"]] == [0, 1]


async def test_completions_go_through_chat(rig: Rig) -> None:
    name = await rig.endpoint("ai21", "completions")
    request = {"prompt": "Say hi", "max_tokens": 4, "temperature": 0.2}
    answer = await rig.ws.query(name, request)
    assert rig.only_request().body == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hi"}],
        "max_tokens": 4,
        "temperature": 0.2,
    }
    text = answer["choices"][0]["text"]
    assert answer["object"] == "text_completion" and answer["model"] == MODEL
    assert answer["choices"] == [{"index": 0, "text": text, "finish_reason": "length"}]
    assert answer["usage"]["completion_tokens"] == 4 == len(tokenize(text))
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, request)]
    assert {c["object"] for c in chunks} == {"text_completion_chunk"}
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == text
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "length"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == answer["usage"]
