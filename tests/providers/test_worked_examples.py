"""Each translator builds exactly the request of providers.md's worked example for the unified request
``{"messages": [system "You are terse.", user "Say hi"], "temperature": 0.5, "max_tokens": 16, "stop": ["\\n\\n"]}``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tui.domain.base import parse_stored
from tui.domain.errors import InvalidParameterValue, ProviderProtocolError, StreamInterrupted
from tui.domain.provider_configs import (
    AnthropicConfig,
    CustomProviderConfig,
    DatabricksModelServingConfig,
    OpenAIConfig,
)
from tui.providers import get_provider, provider_key
from tui.providers.base import Call
from tui.transport.sse import SseEvent

UNIFIED: dict[str, Any] = {
    "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hi"}],
    "temperature": 0.5,
    "max_tokens": 16,
    "stop": ["\n\n"],
}


def call(
    config: Any, model: str, *, task: str = "llm/v1/chat", stream: bool = False, request: dict | None = None
) -> Call:
    return Call(task, request or UNIFIED, stream, model, config)


async def test_openai_example() -> None:
    config = parse_stored(OpenAIConfig, {"openai_api_key": "sk-x", "openai_organization": "org-1"})
    req = get_provider("openai").build(call(config, "gpt-4o-mini"))
    assert req.method == "POST" and req.url == "https://api.openai.com/v1/chat/completions"
    assert req.headers == {"authorization": "Bearer sk-x", "openai-organization": "org-1"}
    assert json.dumps(req.json, separators=(",", ":")) == (
        '{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hi"}],'
        '"temperature":0.5,"max_tokens":16,"stop":["\\n\\n"],"model":"gpt-4o-mini"}'
    )
    assert req.json == {"model": "gpt-4o-mini", **UNIFIED}


async def test_openai_stream_asks_for_usage() -> None:
    config = parse_stored(OpenAIConfig, {"openai_api_key": "sk-x"})
    req = get_provider("openai").build(call(config, "gpt-4o-mini", stream=True))
    assert req.json["stream"] is True and req.json["stream_options"] == {"include_usage": True}


async def test_azure_example() -> None:
    config = parse_stored(
        OpenAIConfig,
        {
            "openai_api_type": "azure",
            "openai_api_key": "az-key",
            "openai_api_base": "https://myres.openai.azure.com",
            "openai_deployment_name": "gpt4o-prod",
            "openai_api_version": "2024-10-21",
        },
    )
    provider = get_provider(provider_key("openai", config))
    req = provider.build(call(config, "gpt-4o"))
    assert req.url == "https://myres.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions"
    assert req.params == {"api-version": "2024-10-21"}
    assert req.headers == {"api-key": "az-key"}
    assert req.json == UNIFIED  # no "model": the deployment is in the URL


async def test_anthropic_example_and_temperature_clamp() -> None:
    config = parse_stored(AnthropicConfig, {"anthropic_api_key": "ant-key"})
    provider = get_provider("anthropic")
    req = provider.build(call(config, "claude-3-5-haiku-20241022"))
    assert req.url == "https://api.anthropic.com/v1/messages"
    assert req.headers == {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    assert json.dumps(req.json, separators=(",", ":")) == (
        '{"model":"claude-3-5-haiku-20241022","system":"You are terse.","messages":[{"role":"user","content":"Say hi"}],'
        '"max_tokens":16,"temperature":0.5,"stop_sequences":["\\n\\n"]}'
    )
    hot = provider.build(call(config, "claude", request={**UNIFIED, "temperature": 1.7}))
    assert hot.json["temperature"] == 1.0
    default = provider.build(call(config, "claude", request={"messages": [{"role": "user", "content": "x"}]}))
    assert default.json["max_tokens"] == 4096
    with pytest.raises(InvalidParameterValue, match="Anthropic has no llm/v1/embeddings API"):
        provider.build(call(config, "claude", task="llm/v1/embeddings", request={"input": "x"}))


async def test_anthropic_tool_round_trip_mapping() -> None:
    config = parse_stored(AnthropicConfig, {"anthropic_api_key": "k"})
    request = {
        "messages": [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "t1", "type": "function", "function": {"name": "get", "arguments": '{"city":"Oslo"}'}},
                    {"id": "t2", "type": "function", "function": {"name": "get", "arguments": '{"city":"Rome"}'}},
                ],
            },
            {"role": "tool", "tool_call_id": "t1", "content": "cold"},
            {"role": "tool", "tool_call_id": "t2", "content": "warm"},
        ],
        "tools": [
            {"type": "function", "function": {"name": "get", "description": "d", "parameters": {"type": "object"}}}
        ],
    }
    req = get_provider("anthropic").build(call(config, "claude", request=request))
    assert req.json["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "t1", "name": "get", "input": {"city": "Oslo"}},
            {"type": "tool_use", "id": "t2", "name": "get", "input": {"city": "Rome"}},
        ],
    }
    assert req.json["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "cold"},
            {"type": "tool_result", "tool_use_id": "t2", "content": "warm"},
        ],
    }
    assert req.json["tools"] == [{"name": "get", "description": "d", "input_schema": {"type": "object"}}]


async def test_databricks_and_custom_urls() -> None:
    dbx = parse_stored(
        DatabricksModelServingConfig,
        {"databricks_workspace_url": "https://adb-123.azuredatabricks.net", "databricks_api_token": "dapi"},
    )
    req = get_provider("databricks-model-serving").build(call(dbx, "databricks-meta-llama-3-3-70b-instruct"))
    assert (
        req.url
        == "https://adb-123.azuredatabricks.net/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations"
    )
    assert req.headers == {"authorization": "Bearer dapi"} and req.json == UNIFIED

    base = parse_stored(
        CustomProviderConfig, {"custom_provider_url": "http://host:8000/v1", "bearer_token_auth": {"token": "t"}}
    )
    req = get_provider("custom").build(call(base, "llama"))
    assert req.url == "http://host:8000/v1/chat/completions" and req.headers == {"authorization": "Bearer t"}
    assert req.json["model"] == "llama"
    full = parse_stored(
        CustomProviderConfig,
        {"custom_provider_url": "http://h/v1/embeddings", "api_key_auth": {"key": "X-Key", "value": "v"}},
    )
    req = get_provider("custom").build(call(full, "e5", task="llm/v1/embeddings", request={"input": ["a"]}))
    assert req.url == "http://h/v1/embeddings" and req.headers == {"x-key": "v"}


def test_anthropic_stream_transcript_maps_to_unified_chunks() -> None:
    config = parse_stored(AnthropicConfig, {"anthropic_api_key": "k"})
    mapper = get_provider("anthropic").stream_mapper(call(config, "claude-3-5-haiku-20241022", stream=True))
    transcript = [
        (
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_01",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-3-5-haiku-20241022",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 14, "output_tokens": 1},
                },
            },
        ),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        ("ping", {"type": "ping"}),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 2},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    chunks = [c for name, data in transcript for c in mapper.feed(SseEvent(name, json.dumps(data)))] + mapper.finish()
    assert [c["choices"] for c in chunks] == [
        [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}],
        [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        [],
    ]
    assert chunks[-1]["usage"] == {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16}
    assert {c["id"] for c in chunks} == {"msg_01"} and {c["object"] for c in chunks} == {"chat.completion.chunk"}


def test_streams_without_their_end_marker_are_incomplete() -> None:
    config = parse_stored(OpenAIConfig, {"openai_api_key": "k"})
    mapper = get_provider("openai").stream_mapper(call(config, "m", stream=True))
    mapper.feed(SseEvent("message", '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}'))
    with pytest.raises(StreamInterrupted, match=r"without its end marker \(\[DONE\]\)"):
        mapper.finish()
    with pytest.raises(ProviderProtocolError, match="malformed stream chunk"):
        mapper.feed(SseEvent("message", '{"choices": [oops'))
    azure_preamble = '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}'
    assert mapper.feed(SseEvent("message", azure_preamble)) == []
