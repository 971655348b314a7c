"""The AWS event-stream framing (ours, checked against botocore's ``EventStreamBuffer``) and the
ConverseStream mapper on the spec's worked transcript (providers.md §6)."""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from typing import Any

import pytest
from botocore.eventstream import EventStreamBuffer

from tui.domain.endpoints import TASK_CHAT
from tui.domain.errors import (
    ProviderError,
    ProviderOverloaded,
    ProviderProtocolError,
    ProviderRateLimited,
    ProviderRequestError,
    StreamInterrupted,
)
from tui.domain.provider_configs import AmazonBedrockConfig
from tui.providers.base import Call
from tui.providers.bedrock_stream import ConverseStreamMapper
from tui.transport.eventstream import EventMessage, EventStreamDecoder, EventStreamError, HeaderValue, encode_message

DELTA_HEX = (
    "0000009400000057b4ab9aee0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74656e742d"
    "747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74656e74"
    "426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d7d1f944657"
)
TRANSCRIPT: list[tuple[str, str, int, str]] = [
    ("messageStart", '{"role":"assistant"}', 118, "000000760000005296d5fade"),
    ("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"text":"Hi"}}', 148, "0000009400000057b4ab9aee"),
    ("contentBlockStop", '{"contentBlockIndex":0}', 125, "0000007d00000056e6680fd6"),
    ("messageStop", '{"stopReason":"end_turn"}', 122, "0000007a00000051ca2c4665"),
    (
        "metadata",
        '{"usage":{"inputTokens":12,"outputTokens":2,"totalTokens":14},"metrics":{"latencyMs":210}}',
        184,
        "000000b80000004ed4f1f02b",
    ),
]


def event(name: str, payload: str) -> bytes:
    headers: dict[str, HeaderValue] = {
        ":event-type": name,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_message(headers, payload.encode())


def botocore_decode(data: bytes) -> list[tuple[dict[str, Any], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [(m.headers, m.payload) for m in buffer]


@pytest.mark.parametrize(("name", "payload", "size", "prelude"), TRANSCRIPT)
def test_encoded_frames_match_the_spec_transcript(name: str, payload: str, size: int, prelude: str) -> None:
    data = event(name, payload)
    assert len(data) == size and data[:12].hex() == prelude
    assert botocore_decode(data) == [
        ({":event-type": name, ":content-type": "application/json", ":message-type": "event"}, payload.encode())
    ]


def test_the_spec_delta_frame_decodes_byte_for_byte() -> None:
    data = bytes.fromhex(DELTA_HEX)
    assert event("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"text":"Hi"}}') == data
    [message] = EventStreamDecoder().feed(data)
    assert message.headers[":event-type"] == "contentBlockDelta" and message.message_type == "event"
    assert json.loads(message.payload) == {"contentBlockIndex": 0, "delta": {"text": "Hi"}}


def test_every_header_type_agrees_with_botocore() -> None:
    the_uuid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers: dict[str, HeaderValue] = {"yes": True, "no": False, "n": -7, "blob": b"\x00\xff", "s": "é", "id": the_uuid}
    data = encode_message(headers, b"{}")
    [(theirs, payload)] = botocore_decode(data)
    [ours] = EventStreamDecoder().feed(data)
    assert ours.headers == headers and payload == ours.payload == b"{}"
    assert theirs == {"yes": True, "no": False, "n": -7, "blob": b"\x00\xff", "s": "é", "id": the_uuid.bytes}


def test_hand_made_int_and_timestamp_headers() -> None:
    raw = b"".join(
        bytes([len(name)]) + name + bytes([kind]) + value
        for name, kind, value in [
            (b"i8", 2, b"\xff"),
            (b"i16", 3, b"\x01\x00"),
            (b"i64", 5, (2**40).to_bytes(8, "big")),
            (b"ts", 8, (1_700_000_000_000).to_bytes(8, "big")),
        ]
    )
    total = 16 + len(raw)
    prelude = struct.pack(">II", total, len(raw))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw
    data = body + struct.pack(">I", zlib.crc32(body))
    [message] = EventStreamDecoder().feed(data)
    assert message.headers == {"i8": -1, "i16": 256, "i64": 2**40, "ts": 1_700_000_000_000}
    assert botocore_decode(data)[0][0]["i64"] == 2**40


def test_frames_split_anywhere_are_reassembled() -> None:
    stream = b"".join(event(name, payload) for name, payload, _, _ in TRANSCRIPT)
    for step in (1, 5, 13, 117, len(stream)):
        decoder = EventStreamDecoder()
        messages = [m for i in range(0, len(stream), step) for m in decoder.feed(stream[i : i + step])]
        assert [m.headers[":event-type"] for m in messages] == [t[0] for t in TRANSCRIPT]
        assert decoder.pending == 0
    half = EventStreamDecoder()
    assert half.feed(stream[:50]) == [] and half.pending == 50


@pytest.mark.parametrize(
    ("position", "words"), [(3, "prelude CRC mismatch"), (-1, "message CRC mismatch"), (40, "message CRC mismatch")]
)
def test_a_changed_byte_fails_a_crc(position: int, words: str) -> None:
    data = bytearray(bytes.fromhex(DELTA_HEX))
    data[position] ^= 0x01
    with pytest.raises(EventStreamError, match=words):
        EventStreamDecoder().feed(bytes(data))


# -------------------------------------------------------------------------------------- the mapper
def mapper() -> ConverseStreamMapper:
    config = AmazonBedrockConfig(aws_region="us-east-1", bedrock_provider="anthropic")
    call = Call(TASK_CHAT, {}, True, "anthropic.claude-3-haiku-20240307-v1:0", config, created=1700000000)
    return ConverseStreamMapper(call, "Amazon Bedrock")


def decoded(data: bytes) -> EventMessage:
    [message] = EventStreamDecoder().feed(data)
    return message


def test_the_worked_transcript_maps_to_the_standard_chunks() -> None:
    m = mapper()
    chunks = [c for name, payload, _, _ in TRANSCRIPT for c in m.feed(decoded(event(name, payload)))] + m.finish()
    common = {"id": m.id, "object": "chat.completion.chunk", "created": 1700000000, "model": m.call.model}
    assert chunks == [
        {**common, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]},
        {**common, "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]},
        {**common, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**common, "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}},
    ]


def test_tool_use_blocks_become_tool_call_chunks() -> None:
    m = mapper()
    frames = [
        event("messageStart", '{"role":"assistant"}'),
        event("contentBlockStart", '{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"t1","name":"get"}}}'),
        event("contentBlockDelta", '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\\"a\\":"}}}'),
        event("contentBlockDelta", '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"1}"}}}'),
        event("messageStop", '{"stopReason":"tool_use"}'),
    ]
    deltas = [c["choices"][0] for f in frames for c in m.feed(decoded(f))]
    assert deltas[1]["delta"]["tool_calls"] == [
        {"index": 0, "id": "t1", "type": "function", "function": {"name": "get", "arguments": ""}}
    ]
    arguments = "".join(d["delta"]["tool_calls"][0]["function"]["arguments"] for d in deltas[1:4])
    assert arguments == '{"a":1}' and deltas[-1]["finish_reason"] == "tool_calls"


def exception(kind: str, message: str) -> EventMessage:
    headers: dict[str, HeaderValue] = {
        ":exception-type": kind,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return decoded(encode_message(headers, json.dumps({"message": message}).encode()))


@pytest.mark.parametrize(
    ("kind", "cls", "status"),
    [
        ("throttlingException", ProviderRateLimited, 429),
        ("validationException", ProviderRequestError, 400),
        ("modelStreamErrorException", ProviderError, 424),
        ("internalServerException", ProviderError, 500),
        ("serviceUnavailableException", ProviderOverloaded, 503),
    ],
)
def test_exception_frames_are_typed_errors(kind: str, cls: type[ProviderError], status: int) -> None:
    with pytest.raises(ProviderError) as caught:
        mapper().feed(exception(kind, "Too many requests, please wait before trying again."))
    err = caught.value
    assert type(err) is cls and err.provider_status == status
    assert err.message.startswith("Amazon Bedrock") and kind in err.message and "(reported mid-stream)" in err.message


def test_error_frames_use_their_headers() -> None:
    headers: dict[str, HeaderValue] = {
        ":error-code": "ThrottlingException",
        ":error-message": "Slow down",
        ":message-type": "error",
    }
    with pytest.raises(ProviderRateLimited, match="Slow down"):
        mapper().feed(decoded(encode_message(headers, b"")))


def test_a_payload_that_is_not_json_is_a_protocol_error() -> None:
    with pytest.raises(ProviderProtocolError, match="malformed stream event"):
        mapper().feed(decoded(event("contentBlockDelta", '{"contentBlockIndex":0,"de')))


@pytest.mark.parametrize(("seen", "missing"), [(1, "messageStop"), (4, "its metadata event")])
def test_a_stream_that_stops_early_is_interrupted(seen: int, missing: str) -> None:
    m = mapper()
    for name, payload, _, _ in TRANSCRIPT[:seen]:
        m.feed(decoded(event(name, payload)))
    with pytest.raises(StreamInterrupted, match=f"without {missing}; the answer may be incomplete"):
        m.finish()
