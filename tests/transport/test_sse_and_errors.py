"""SSE framing, error-body reading, Retry-After parsing and redaction."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.cuts import cut_at
from tui.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderRequestError,
    ProviderTimeout,
)
from tui.transport.errors import error_from_response, error_from_stream_event, provider_message, retry_after_seconds
from tui.transport.redact import REDACTED, Redactor
from tui.transport.sse import SseEvent, aiter_sse


async def chunks(*items: bytes) -> AsyncIterator[bytes]:
    for item in items:
        yield item


async def collect(*lines: str) -> list[SseEvent]:
    """The events of a body made of ``lines``, each ended with \\n, arriving in one chunk."""
    return [e async for e in aiter_sse(chunks("".join(line + "\n" for line in lines).encode()))]


async def split_anywhere(body: bytes) -> list[list[SseEvent]]:
    """The events of ``body`` arriving in one chunk, byte by byte, and cut in two at every point."""
    cuts = [[body], [body[i : i + 1] for i in range(len(body))]]
    cuts += [[body[:i], body[i:]] for i in range(1, len(body))]
    results = []
    for pieces in cuts:
        results.append([e async for e in aiter_sse(chunks(*pieces))])
    return results


async def test_data_lines_and_done() -> None:
    events = await collect('data: {"a":1}', "", "data: [DONE]", "")
    assert events == [SseEvent("message", '{"a":1}'), SseEvent("message", "[DONE]")]


async def test_named_events_multiline_data_comments_and_spacing() -> None:
    events = await collect(
        ": keep-alive",
        "event: message_start",
        "data: line one",
        "data:line two",
        "id: 7",
        "retry: 100",
        "",
        "",
        "event: ping",
        "data: {}",
        "",
    )
    assert events == [SseEvent("message_start", "line one\nline two"), SseEvent("ping", "{}")]


async def test_event_name_resets_and_unterminated_event_is_dropped() -> None:
    events = await collect("event: a", "", "data: x", "", "data: partial")
    assert events == [SseEvent("message", "x")]


async def test_every_line_ending_wherever_the_chunks_are_cut() -> None:
    body = "event: a\r\ndata: é 日本\rdata: two\n\r\n: note\r\rdata: 3\r\n\r\ndata: partial\r\n".encode()
    expected = [SseEvent("a", "é 日本\ntwo"), SseEvent("message", "3")]
    for events in await split_anywhere(body):
        assert events == expected


async def test_bytes_that_are_not_utf8_are_replaced_not_fatal() -> None:
    events = [e async for e in aiter_sse(chunks(b"data: a\xff\xfeb\n\n"))]
    assert events == [SseEvent("message", "a\ufffd\ufffdb")]


def spec_events(body: bytes) -> list[SseEvent]:
    """The events of a whole body, read line by line as the SSE format describes them (the reference)."""
    *lines, _unended = re.split("\r\n|\r|\n", body.decode("utf-8", "replace"))
    events, name, data = [], "", []
    for line in lines:
        if not line:
            if data:
                events.append(SseEvent(name or "message", "\n".join(data)))
            name, data = "", []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
    return events


SSE_LINES = st.lists(
    st.tuples(
        st.sampled_from(["data: ", "data:", "data", "event: ", "event:", ": ", "id: ", "retry: 5", "", "dat", "x"]),
        st.binary(max_size=6) | st.sampled_from([b"", b"{}", "é 日本".encode(), b"a\xff", b"\xe6\x97", b" two"]),
        st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n"]),
    ),
    max_size=12,
)


@given(lines=SSE_LINES, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6))
@settings(max_examples=300, deadline=None)
def test_any_body_cut_anywhere_reads_as_the_format_describes(
    lines: list[tuple[str, bytes, bytes]], cuts: list[int]
) -> None:
    body = b"".join(field.encode() + value.replace(b"\n", b"").replace(b"\r", b"") + end for field, value, end in lines)
    pieces = cut_at(body, cuts)

    async def read() -> list[SseEvent]:
        return [event async for event in aiter_sse(chunks(*pieces))]

    assert asyncio.run(read()) == spec_events(body)


def test_provider_message_reads_every_known_shape() -> None:
    assert (
        provider_message(b'{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}')
        == "Incorrect API key"
    )
    assert (
        provider_message(b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}') == "Overloaded"
    )
    assert provider_message(b'{"error_code":"BAD_REQUEST","message":"bad input"}') == "bad input"
    assert (
        provider_message(b'{"error":"invalid_client","error_description":"wrong secret"}')
        == "invalid_client: wrong secret"
    )
    assert provider_message(b"<html>  Bad   Gateway </html>") == "<html> Bad Gateway </html>"
    assert provider_message(b"") == "(empty response)"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"x-ratelimit-reset-requests": "6m0s"}, 360.0),
        ({"x-ratelimit-reset-tokens": "20ms"}, 0.02),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers) == expected


@pytest.mark.parametrize(
    ("status", "cls", "words"),
    [
        (401, ProviderAuthError, "refused the API key (401)"),
        (403, ProviderAuthError, "denied access (403)"),
        (429, ProviderRateLimited, "rate limit hit (429)"),
        (529, ProviderOverloaded, "overloaded (529)"),
        (503, ProviderOverloaded, "overloaded (503)"),
        (504, ProviderTimeout, "timed out (504)"),
        (400, ProviderRequestError, "rejected the request (400)"),
        (404, ProviderRequestError, "rejected the request (404)"),
        (500, ProviderError, "failed (500)"),
    ],
)
def test_status_mapping(status: int, cls: type[ProviderError], words: str) -> None:
    err = error_from_response(
        "OpenAI", status, {"retry-after": "3", "x-request-id": "req_1"}, b'{"error":{"message":"boom"}}'
    )
    assert type(err) is cls
    assert words in err.message and "boom" in err.message and err.message.startswith("OpenAI")
    assert err.provider == "OpenAI" and err.provider_status == status and err.provider_request_id == "req_1"
    if status == 429:
        assert err.retry_after == 3.0 and err.http_status == 429
    if status in (400, 404):
        assert err.http_status == status


def test_quota_429_says_retrying_will_not_help() -> None:
    err = error_from_response(
        "OpenAI", 429, {"retry-after": "3"}, b'{"error":{"message":"quota","code":"insufficient_quota"}}'
    )
    assert "retrying will not help" in err.message and err.retry_after is None


def test_error_inside_a_stream() -> None:
    err = error_from_stream_event(
        "Anthropic", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    )
    assert isinstance(err, ProviderOverloaded) and "mid-stream" in err.message
    err = error_from_stream_event("OpenAI", {"error": {"message": "server had an error", "type": "server_error"}})
    assert type(err) is ProviderError and "server had an error" in err.message


def test_redactor() -> None:
    redact = Redactor(["sk-secret-123", "sk-secret-123456", "abc", ""])
    assert redact("key sk-secret-123456 and sk-secret-123") == f"key {REDACTED} and {REDACTED}"
    assert redact("abc stays: too short to be a key") == "abc stays: too short to be a key"
    assert not Redactor([])
