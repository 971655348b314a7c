"""A stream event's JSON (`tui.providers.stream_json`): what the standard library reads is read the same, and
anything else is a `ProviderProtocolError` that names the provider, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.domain.errors import ProviderProtocolError
from tui.providers.stream_json import event_object

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=5), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_an_object_reads_as_the_standard_library_reads_it(value: dict[str, Any], ascii: bool, as_bytes: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii)
    assert event_object(text.encode() if as_bytes else text, "OpenAI", "stream chunk") == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"delta": "\\ud83d"}',  # half an emoji, escaped: the fast parser refuses it
        '{"a": ' + "[" * 300 + "]" * 300 + "}",  # deeper than the fast parser goes
        '{"a": NaN, "b": 1e400}',
        '{"a": 1, "a": 2}',
    ],
    ids=["lone surrogate", "300 deep", "NaN and overflow", "duplicate key"],
)
def test_what_the_fast_parser_refuses_is_read_as_before(text: str) -> None:
    assert repr(event_object(text, "OpenAI", "stream chunk")) == repr(json.loads(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"choices": [{"delta": ', 'OpenAI sent a malformed stream chunk: \'{"choices": [{"delta": \''),
        ("[1, 2]", "OpenAI sent a stream chunk that is not an object"),
        ('"text"', "OpenAI sent a stream chunk that is not an object"),
        ("", "OpenAI sent a malformed stream chunk: ''"),
        ('{"a": 1} trailing', "OpenAI sent a malformed stream chunk: '{\"a\": 1} trailing'"),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", 'OpenAI sent a malformed stream chunk: \'{"a": [[[['),
    ],
    ids=["cut short", "a list", "a string", "empty", "trailing text", "nested 100,000 deep"],
)
def test_anything_else_is_a_protocol_error_naming_the_provider(text: str, message: str) -> None:
    with pytest.raises(ProviderProtocolError) as caught:
        event_object(text, "OpenAI", "stream chunk")
    assert caught.value.message.startswith(message)
    assert caught.value.provider == "OpenAI"


def test_the_quoted_start_of_a_bad_event_is_bounded() -> None:
    with pytest.raises(ProviderProtocolError) as caught:
        event_object("x" * 10_000, "Cohere", "stream event")
    assert caught.value.message == f"Cohere sent a malformed stream event: {'x' * 80!r}"
