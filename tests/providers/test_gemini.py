"""Google Gemini end to end through Workspace.query/stream against the simulator: the exact request
(providers.md §4 worked example), the exact standard answer, streams, embeddings and safety blocks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.providers.rig import Rig
from tui.domain.base import parse_stored
from tui.domain.errors import InvalidParameterValue
from tui.domain.provider_configs import GeminiConfig
from tui.providers import get_provider
from tui.providers.base import Call
from tui.simulator.endpoints import SIM_KEY
from tui.simulator.text import embedding, generate
from tui.transport.sse import SseEvent

MODEL = "gemini-2.0-flash"
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
COMPLETIONS = {"prompt": "Say hi", "max_tokens": 8}


def expected_text(seed: str, max_tokens: int, stop: list[str], topic: str) -> tuple[str, str, int]:
    """(text, standard finish reason, tokens) the simulator answers for this prompt (it is deterministic)."""
    gen = generate(MODEL, seed, 0, max_tokens=max_tokens, stop=stop, topic=topic)
    return gen.text, "length" if gen.finish == "length" else "stop", gen.count


async def test_chat_query_sends_the_worked_example_and_answers_the_standard_shape(rig: Rig) -> None:
    name = await rig.endpoint("gemini", "chat")
    answer = await rig.ws.query(name, CHAT)
    seen = rig.only_request()
    assert seen.path == f"/v1beta/models/{MODEL}:generateContent" and seen.query == {}
    assert seen.headers["x-goog-api-key"] == SIM_KEY and "authorization" not in seen.headers
    assert seen.body == SPEC_BODY
    text, finish, completion = expected_text("system: You are terse.\nuser: Say hi", 16, ["\n\n"], "Say hi")
    assert answer == {
        "id": answer["id"],
        "object": "chat.completion",
        "created": answer["created"],
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": completion, "total_tokens": 5 + completion},
    }
    assert answer["id"] and text.strip()


async def test_chat_stream_asks_for_sse_and_gives_the_same_text_with_one_finish_and_usage(rig: Rig) -> None:
    name = await rig.endpoint("gemini", "chat")
    whole = await rig.ws.query(name, CHAT)
    rig.sim.clear()
    chunks = [c async for c in rig.ws.stream(name, CHAT)]
    seen = rig.only_request()
    assert seen.path == f"/v1beta/models/{MODEL}:streamGenerateContent" and seen.query == {"alt": "sse"}
    assert seen.body == SPEC_BODY  # the stream is chosen by the method, not by the body
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    content = [c for c in chunks if c["choices"]]
    assert content[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in content[1:])
    assert (
        "".join(c["choices"][0]["delta"].get("content", "") for c in content)
        == whole["choices"][0]["message"]["content"]
    )
    finishes = [c["choices"][0]["finish_reason"] for c in content]
    assert finishes[-1] == whole["choices"][0]["finish_reason"] and not any(finishes[:-1])
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == whole["usage"]


@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_completions_are_one_user_turn_answered_as_text_completion(rig: Rig, stream: bool) -> None:
    name = await rig.endpoint("gemini", "completions")
    text, finish, _ = expected_text("user: Say hi", 8, [], "Say hi")
    if stream:
        chunks = [c async for c in rig.ws.stream(name, COMPLETIONS)]
        assert {c["object"] for c in chunks} == {"text_completion_chunk"}
        assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == text
        assert chunks[-2]["choices"][0]["finish_reason"] == finish
        assert chunks[-1]["usage"] == {"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 10}
    else:
        answer = await rig.ws.query(name, COMPLETIONS)
        assert answer["object"] == "text_completion" and answer["model"] == MODEL
        assert answer["choices"] == [{"index": 0, "text": text, "finish_reason": finish}]
        assert answer["usage"] == {"prompt_tokens": 2, "completion_tokens": 8, "total_tokens": 10}
    assert rig.only_request().body == {
        "contents": [{"role": "user", "parts": [{"text": "Say hi"}]}],
        "generationConfig": {"maxOutputTokens": 8},
    }


async def test_one_text_is_embedded_with_embed_content(rig: Rig) -> None:
    name = await rig.endpoint("gemini", "embeddings")
    answer = await rig.ws.query(name, {"input": "alpha", "dimensions": 4})
    seen = rig.only_request()
    assert seen.path == "/v1beta/models/text-embedding-004:embedContent"
    assert seen.body == {"content": {"parts": [{"text": "alpha"}]}, "outputDimensionality": 4}
    assert answer == {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": embedding("text-embedding-004", "alpha", 4)}],
        "model": "text-embedding-004",
        "usage": {"prompt_tokens": 0, "total_tokens": 0},  # Gemini reports no usage for embeddings
    }


async def test_several_texts_are_embedded_in_one_batch(rig: Rig) -> None:
    name = await rig.endpoint("gemini", "embeddings")
    answer = await rig.ws.query(name, {"input": ["alpha", "beta", "alpha"]})
    seen = rig.only_request()
    assert seen.path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    assert seen.body == {
        "requests": [
            {"model": "models/text-embedding-004", "content": {"parts": [{"text": text}]}}
            for text in ("alpha", "beta", "alpha")
        ]
    }
    vectors = [d["embedding"] for d in answer["data"]]
    assert [d["index"] for d in answer["data"]] == [0, 1, 2]
    assert vectors[0] == vectors[2] == embedding("text-embedding-004", "alpha", 8) and vectors[1] != vectors[0]


@pytest.mark.parametrize("base", ["{sim}", "{sim}/", "{sim}/v1beta", "{sim}/v1"])
async def test_the_base_url_is_taken_with_or_without_its_api_version(rig: Rig, base: str) -> None:
    api_base = base.format(sim=rig.base)
    name = await rig.endpoint(
        "gemini", "chat", gemini_config={"gemini_api_key": "{{secrets/sim/key}}", "gemini_api_base": api_base}
    )
    await rig.ws.query(name, {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3})
    version = "v1" if base.endswith("/v1") else "v1beta"
    assert rig.only_request().path == f"/{version}/models/{MODEL}:generateContent"


@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_a_safety_stop_is_content_filter(rig: Rig, stream: bool) -> None:
    name = await rig.endpoint("gemini", "chat")
    request = {"messages": [{"role": "user", "content": "Tell me [sim:safety]"}], "max_tokens": 40}
    if stream:
        chunks = [c async for c in rig.ws.stream(name, request)]
        finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
        assert finishes[-1] == "content_filter" and not any(finishes[:-1])
    else:
        answer = await rig.ws.query(name, request)
        assert answer["choices"][0]["finish_reason"] == "content_filter"
        assert answer["choices"][0]["message"]["content"]  # the part before the stop is kept


@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_a_blocked_prompt_is_an_empty_content_filter_answer(rig: Rig, stream: bool) -> None:
    name = await rig.endpoint("gemini", "chat")
    request = {"messages": [{"role": "user", "content": "Tell me [sim:block]"}]}
    if stream:
        chunks = [c async for c in rig.ws.stream(name, request)]
        assert [c["choices"] for c in chunks[:-1]] == [
            [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": "content_filter"}]
        ]
        assert chunks[-1]["usage"] == {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3}
    else:
        answer = await rig.ws.query(name, request)
        assert answer["choices"] == [
            {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "content_filter"}
        ]


async def test_n_asks_for_candidates_and_gets_one_choice_each(rig: Rig) -> None:
    name = await rig.endpoint("gemini", "chat")
    answer = await rig.ws.query(name, {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "n": 2})
    assert rig.only_request().body["generationConfig"] == {"maxOutputTokens": 5, "candidateCount": 2}
    assert [c["index"] for c in answer["choices"]] == [0, 1]
    assert answer["choices"][0]["message"]["content"] != answer["choices"][1]["message"]["content"]


# ---------------------------------------------------------------- the translator's faces: tools, worked stream


def gemini_call(request: dict[str, Any], stream: bool = False) -> Call:
    config = parse_stored(GeminiConfig, {"gemini_api_key_plaintext": "AIza-test-key"})
    return Call("llm/v1/chat", request, stream, MODEL, config)


def test_tools_and_tool_turns_map_to_function_declarations_calls_and_responses() -> None:
    weather = {"type": "object", "properties": {"city": {"type": "string"}}}
    request = {
        "messages": [
            {"role": "user", "content": "Weather in Oslo and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}},
                    {"id": "c2", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}},
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 3}'},
            {"role": "tool", "tool_call_id": "c2", "content": "sunny"},
        ],
        "tools": [{"type": "function", "function": {"name": "weather", "description": "Now", "parameters": weather}}],
        "tool_choice": {"type": "function", "function": {"name": "weather"}},
    }
    http = get_provider("gemini").build(gemini_call(request))
    assert http.json == {
        "contents": [
            {"role": "user", "parts": [{"text": "Weather in Oslo and Rome?"}]},
            {
                "role": "model",
                "parts": [
                    {"functionCall": {"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}},
                    {"functionCall": {"name": "weather", "args": {"city": "Rome"}, "id": "c2"}},
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "weather", "response": {"temp": 3}, "id": "c1"}},
                    {"functionResponse": {"name": "weather", "response": {"output": "sunny"}, "id": "c2"}},
                ],
            },
        ],
        "tools": [
            {"functionDeclarations": [{"name": "weather", "description": "Now", "parametersJsonSchema": weather}]}
        ],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["weather"]}},
    }


def test_a_function_call_answer_is_a_tool_call_with_finish_tool_calls() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"functionCall": {"name": "weather", "args": {"city": "Oslo"}}}],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4, "thoughtsTokenCount": 2},
        "responseId": "r9",
    }
    answer = get_provider("gemini").parse(gemini_call({"messages": []}), body)
    choice = answer["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] == ""
    [tool_call] = choice["message"]["tool_calls"]
    assert tool_call["function"] == {"name": "weather", "arguments": json.dumps({"city": "Oslo"})}
    assert tool_call["id"].startswith("call_") and answer["id"] == "r9"
    assert answer["usage"] == {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15}


def test_the_worked_stream_example_maps_to_the_worked_chunks() -> None:
    """providers.md §4: two alt=sse chunks -> role+"Hi", " there"+stop, then the usage chunk."""
    events = [
        '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"usageMetadata":'
        '{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.0-flash","responseId":"r1"}',
        '{"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"},"finishReason":"STOP","index":0}],'
        '"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":2,"totalTokenCount":11},'
        '"modelVersion":"gemini-2.0-flash","responseId":"r1"}',
    ]
    call = gemini_call({"messages": [{"role": "user", "content": "Say hi"}]}, stream=True)
    mapper = get_provider("gemini").stream_mapper(call)
    chunks = [c for data in events for c in mapper.feed(SseEvent("message", data))] + mapper.finish()
    common = {"id": "r1", "object": "chat.completion.chunk", "created": call.created, "model": MODEL}
    assert chunks == [
        {**common, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}]},
        {**common, "choices": [{"index": 0, "delta": {"content": " there"}, "finish_reason": "stop"}]},
        {**common, "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}},
    ]


def test_streamed_thought_parts_are_left_out_of_the_text() -> None:
    """A chunk of one thought part gives no text; a chunk mixing parts gives only the visible ones."""
    parts = [
        [{"text": "Let me think", "thought": True}],
        [{"text": "Hi"}],
        [{"text": "hmm", "thought": True}, {"text": " there"}, {"text": "!"}],
    ]
    call = gemini_call({"messages": [{"role": "user", "content": "Say hi"}]}, stream=True)
    mapper = get_provider("gemini").stream_mapper(call)
    texts = []
    for chunk_parts in parts:
        data = {"candidates": [{"content": {"parts": chunk_parts, "role": "model"}, "index": 0}]}
        for chunk in mapper.feed(SseEvent("message", json.dumps(data))):
            texts.append(chunk["choices"][0]["delta"].get("content"))
    assert texts == ["", "Hi", " there!"]


def test_tool_call_arguments_that_are_not_a_json_object_are_refused_clearly() -> None:
    bad = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "Oslo"}}
    request = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [bad]}]}
    with pytest.raises(InvalidParameterValue, match="tool call to 'weather' must be a JSON object"):
        get_provider("gemini").build(gemini_call(request))
