"""Cohere v2 end to end through Workspace.query/stream against the simulator (providers.md §7): the exact
request Cohere receives (the spec's worked example), the exact standard answer and stream, base URL forms,
renamed knobs, tools, embeddings; and the translator's mapping of what the simulator does not produce
(tool calls, ERROR/TIMEOUT finish reasons)."""

from __future__ import annotations

import json
import math

import pytest

from tests.providers.native_wire import PROMPT_TOKENS, WORKED
from tests.providers.rig import Rig
from tui.domain.endpoints import TASK_CHAT
from tui.domain.errors import InvalidParameterValue, ProviderError, ProviderTimeout
from tui.domain.provider_configs import CohereConfig
from tui.providers import get_provider
from tui.providers.base import Call
from tui.simulator.endpoints import SIM_KEY, SIM_REF
from tui.simulator.text import tokenize
from tui.transport.sse import SseEvent

MODEL = "command-r-plus-08-2024"
WORKED_BODY = {
    "model": MODEL,
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "temperature": 0.5,
    "max_tokens": 16,
    "stop_sequences": ["\n\n"],
}


async def test_worked_example_request_and_standard_answer(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "chat")
    answer = await rig.ws.query(name, WORKED)
    request = rig.only_request()
    assert (request.method, request.path, request.query) == ("POST", "/v2/chat", {})
    assert request.headers["authorization"] == f"Bearer {SIM_KEY}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == WORKED_BODY
    assert json.loads(request.raw_body) == WORKED_BODY
    text = answer["choices"][0]["message"]["content"]
    n = len(tokenize(text))
    assert 0 < n < 16  # the simulated answer opens with a heading: the stop sequence "\n\n" ends it
    assert answer == {
        "id": answer["id"],
        "object": "chat.completion",
        "created": answer["created"],
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": n, "total_tokens": PROMPT_TOKENS + n},
    }
    assert answer["id"] and isinstance(answer["created"], int)


async def test_worked_example_stream_is_the_standard_transcript(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "chat")
    whole = await rig.ws.query(name, WORKED)
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, WORKED)]
    assert rig.only_request().body == {**WORKED_BODY, "stream": True}
    first = chunks[0]
    common = {"id": first["id"], "object": "chat.completion.chunk", "created": first["created"], "model": MODEL}
    tokens = [c["choices"][0]["delta"]["content"] for c in chunks[1:-2]]
    assert "".join(tokens) == whole["choices"][0]["message"]["content"]
    assert chunks == [
        {**common, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
        *({**common, "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]} for t in tokens),
        {**common, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**common, "choices": [], "usage": whole["usage"]},
    ]
    assert first["id"] and first["id"] != whole["id"]  # the id of Cohere's message-start


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v2"])
async def test_the_base_is_accepted_with_or_without_a_version(rig: Rig, suffix: str) -> None:
    config = {"cohere_api_key": SIM_REF, "cohere_api_base": rig.base + suffix}
    name = await rig.endpoint("cohere", "chat", cohere_config=config)
    await rig.ws.query(name, WORKED)
    assert rig.only_request().path == "/v2/chat"


async def test_knobs_are_renamed_and_tools_keep_openai_shape(rig: Rig) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "description": "Find", "parameters": {"type": "object"}}}
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "x"}'}}
    request = {
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": "Find x"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "x is 1"},
        ],
        "top_p": 0.9,
        "top_k": 20,
        "seed": 7,
        "frequency_penalty": 0.1,
        "stop": "END",
        "n": 1,
        "tools": [tool],
        "tool_choice": "required",
        "extra_params": {"safety_mode": "OFF"},
    }
    name = await rig.endpoint("cohere", "chat")
    await rig.ws.query(name, request)
    assert rig.only_request().body == {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Find x"},
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "x is 1"},
        ],
        "seed": 7,
        "frequency_penalty": 0.1,
        "p": 0.9,
        "k": 20,
        "stop_sequences": ["END"],
        "tools": [tool],
        "tool_choice": "REQUIRED",
        "safety_mode": "OFF",
    }


async def test_auto_tool_choice_is_left_out_and_a_named_one_is_refused(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "chat")
    await rig.ws.query(name, {**WORKED, "tool_choice": "auto"})
    assert "tool_choice" not in rig.only_request().body
    named = {"type": "function", "function": {"name": "lookup"}}
    with pytest.raises(InvalidParameterValue, match="tool_choice"):
        await rig.ws.query(name, {**WORKED, "tool_choice": named})


async def test_completions_are_one_user_message(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "completions")
    answer = await rig.ws.query(name, {"prompt": ["Say hi"], "max_tokens": 4, "stop": "@@"})
    assert rig.only_request().body == {
        "model": "command-r-08-2024",
        "messages": [{"role": "user", "content": "Say hi"}],
        "max_tokens": 4,
        "stop_sequences": ["@@"],
    }
    assert answer["object"] == "text_completion"
    assert answer["choices"] == [{"index": 0, "text": answer["choices"][0]["text"], "finish_reason": "length"}]
    assert len(answer["choices"][0]["text"].split()) == 4


async def test_embeddings_request_and_standard_answer(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "embeddings")
    answer = await rig.ws.query(name, {"input": "alpha beta", "dimensions": 16})
    assert rig.only_request().path == "/v2/embed"
    assert rig.only_request().body == {
        "model": "embed-english-v3.0",
        "texts": ["alpha beta"],
        "input_type": "search_document",
        "embedding_types": ["float"],
        "output_dimension": 16,
    }
    vector = answer["data"][0]["embedding"]
    assert answer == {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": vector}],
        "model": "embed-english-v3.0",
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    assert len(vector) == 16 and math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-6)


async def test_embeddings_input_type_can_be_configured_and_token_arrays_are_refused(rig: Rig) -> None:
    name = await rig.endpoint("cohere", "embeddings")
    await rig.ws.query(name, {"input": ["q"], "extra_params": {"input_type": "search_query"}})
    assert rig.only_request().body["input_type"] == "search_query"
    with pytest.raises(InvalidParameterValue, match="not token arrays"):
        await rig.ws.query(name, {"input": [1, 2, 3]})


# ---------------------------------------------------------------- what the simulator does not produce


def _call(stream: bool = False) -> Call:
    config = CohereConfig(cohere_api_key_plaintext="k")
    return Call(TASK_CHAT, {"messages": [{"role": "user", "content": "hi"}]}, stream, MODEL, config)


def test_a_tool_call_answer_is_standard() -> None:
    body = {
        "id": "c1",
        "finish_reason": "TOOL_CALL",
        "message": {
            "role": "assistant",
            "tool_plan": "I will look it up.",
            "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
        },
        "usage": {"billed_units": {"input_tokens": 3.0, "output_tokens": 2.0}, "tokens": {"input_tokens": 70.0}},
    }
    answer = get_provider("cohere").parse(_call(), body)
    assert answer["choices"] == [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
            },
            "finish_reason": "tool_calls",
        }
    ]
    assert answer["usage"] == {"prompt_tokens": 70, "completion_tokens": 2, "total_tokens": 72}


def test_streamed_tool_calls_become_standard_deltas() -> None:
    mapper = get_provider("cohere").stream_mapper(_call(stream=True))
    events = [
        {"type": "message-start", "id": "c1", "delta": {"message": {"role": "assistant"}}},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "Looking"}}},
        {
            "type": "tool-call-start",
            "index": 0,
            "delta": {
                "message": {"tool_calls": {"id": "t1", "type": "function", "function": {"name": "f", "arguments": ""}}}
            },
        },
        {
            "type": "tool-call-delta",
            "index": 0,
            "delta": {"message": {"tool_calls": {"function": {"arguments": "{}"}}}},
        },
        {"type": "tool-call-end", "index": 0},
        {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": {"tokens": {"input_tokens": 9}}}},
    ]
    chunks = [c for e in events for c in mapper.feed(SseEvent(e["type"], json.dumps(e)))]
    assert mapper.finish() == []
    deltas = [(c["choices"][0]["delta"], c["choices"][0]["finish_reason"]) for c in chunks if c["choices"]]
    assert deltas == [
        ({"role": "assistant", "content": ""}, None),
        (
            {"tool_calls": [{"index": 0, "id": "t1", "type": "function", "function": {"name": "f", "arguments": ""}}]},
            None,
        ),
        ({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}, None),
        ({}, "tool_calls"),
    ]
    assert chunks[-1]["usage"] == {"prompt_tokens": 9, "completion_tokens": 0, "total_tokens": 9}
    assert {c["id"] for c in chunks} == {"c1"}


@pytest.mark.parametrize(("reason", "kind"), [("ERROR", ProviderError), ("TIMEOUT", ProviderTimeout)])
def test_error_and_timeout_finish_reasons_are_errors(reason: str, kind: type[ProviderError]) -> None:
    body = {"id": "c1", "finish_reason": reason, "message": {"role": "assistant", "content": []}}
    with pytest.raises(kind, match=f"finish_reason {reason}"):
        get_provider("cohere").parse(_call(), body)
