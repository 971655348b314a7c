"""StreamMetrics with an injected clock: text, TTFT, tokens/s, elapsed, usage, ends, non-streamed answers."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.playground.metrics import StreamMetrics
from tui.playground.model import PaneRun, scrub

T0 = 1_700_000_000.0


def chat(
    content: str | None = None, *, index: int = 0, finish: str | None = None, role: str | None = None, **extra: Any
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    return {
        "object": "chat.completion.chunk",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def completion(text: str, *, index: int = 0, finish: str | None = None) -> dict[str, Any]:
    return {"object": "text_completion_chunk", "choices": [{"index": index, "text": text, "finish_reason": finish}]}


def started(**kwargs: Any) -> StreamMetrics:
    m = StreamMetrics(**kwargs)
    m.start(T0)
    return m


def test_ttft_tokens_per_second_and_live_elapsed() -> None:
    m = started(endpoint="ep-a", task="llm/v1/chat")
    assert m.state == "waiting" and m.elapsed(T0 + 0.1) == pytest.approx(0.1)
    m.on_chunk(chat(role="assistant", model="gpt-x"), T0 + 0.10)  # no content yet: no TTFT
    assert m.state == "streaming" and m.ttft_s is None
    m.on_chunk(chat(""), T0 + 0.15)  # empty content is not a token
    m.on_chunk(chat("Hel"), T0 + 0.25)
    assert m.ttft_s == pytest.approx(0.25)
    assert m.tokens_per_s is None  # one token: no rate yet
    m.on_chunk(chat("lo"), T0 + 0.45)
    m.on_chunk(chat(" world"), T0 + 0.75)
    assert m.completion_tokens == 3
    assert m.tokens_per_s == pytest.approx(3 / 0.5)
    assert m.elapsed(T0 + 2.0) == pytest.approx(2.0)  # live while streaming
    run = m.snapshot(T0 + 2.0)
    assert run.state == "streaming" and run.choices == ["Hello world"] and run.model == "gpt-x"
    assert run.elapsed_s == pytest.approx(2.0) and run.endpoint == "ep-a" and run.started_at == T0
    figures = m.snapshot(T0 + 2.0, text=False)  # for the live status: the same figures, no copy of the text
    assert figures.choices == [] and figures.text == ""
    assert (figures.state, figures.ttft_s, figures.tokens_per_s, figures.elapsed_s, figures.completion_tokens) == (
        run.state,
        run.ttft_s,
        run.tokens_per_s,
        run.elapsed_s,
        run.completion_tokens,
    )


def test_finish_reason_freezes_elapsed_at_the_last_chunk() -> None:
    m = started(request={"messages": [{"role": "user", "content": "hi"}]})
    m.on_chunk(chat("a"), T0 + 0.2)
    m.on_chunk(chat(finish="stop"), T0 + 0.5)
    m.on_chunk({"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}}, T0 + 0.6)
    assert m.state == "done" and m.finish_reason == "stop"
    assert m.elapsed(T0 + 9) == pytest.approx(0.6)
    m.finish(T0 + 0.7)  # the explicit end wins over the inferred one
    assert m.snapshot(T0 + 9).elapsed_s == pytest.approx(0.7)


def test_a_stream_without_finish_reason_is_done_only_when_finished() -> None:
    m = started()
    m.on_chunk(chat("x"), T0 + 0.1)
    assert m.snapshot(T0 + 1).state == "streaming"
    m.finish(T0 + 0.3)
    run = m.snapshot(T0 + 5)
    assert run.state == "done" and run.elapsed_s == pytest.approx(0.3) and not run.incomplete


def test_usage_overrides_the_counted_tokens() -> None:
    m = started()
    for i, piece in enumerate(["one ", "two ", "three"]):
        m.on_chunk(chat(piece), T0 + 0.1 * (i + 1))
    assert m.completion_tokens == 3
    m.on_chunk({"choices": [], "usage": {"prompt_tokens": 7}}, T0 + 0.4)  # partial usage first
    assert m.completion_tokens == 3
    m.on_chunk({"choices": [], "usage": {"completion_tokens": 12, "total_tokens": 19}}, T0 + 0.5)
    assert m.completion_tokens == 12
    assert m.usage == {"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19}
    assert m.tokens_per_s == pytest.approx(12 / 0.2)


def test_several_choices_accumulate_separately() -> None:
    m = started(request={"messages": [{"role": "user", "content": "hi"}], "n": 2})
    m.on_chunk(chat("A1 ", index=0), T0 + 0.1)
    m.on_chunk(chat("B1 ", index=1), T0 + 0.2)
    m.on_chunk(chat("A2", index=0, finish="stop"), T0 + 0.3)
    assert m.state == "streaming"  # choice 1 has not finished
    m.on_chunk(chat("B2", index=1), T0 + 0.4)
    m.on_chunk(chat(index=1, finish="length"), T0 + 0.5)
    run = m.snapshot(T0 + 1)
    assert run.choices == ["A1 A2", "B1 B2"]
    assert run.finish_reasons == ["stop", "length"] and run.finish_reason == "stop"
    assert run.state == "done" and run.completion_tokens == 4 and run.text == "A1 A2"


def test_a_choice_index_that_arrives_first_leaves_earlier_ones_empty() -> None:
    m = started()
    m.on_chunk(chat("late", index=2), T0 + 0.1)
    assert m.texts() == ["", "", "late"]


def test_completions_chunks_use_text() -> None:
    m = started(task="llm/v1/completions")
    m.on_chunk(completion("Once"), T0 + 0.3)
    m.on_chunk(completion(" upon"), T0 + 0.4)
    m.on_chunk(completion("", finish="length"), T0 + 0.5)
    run = m.snapshot(T0 + 1)
    assert run.choices == ["Once upon"] and run.finish_reason == "length" and run.state == "done"
    assert run.ttft_s == pytest.approx(0.3) and run.completion_tokens == 2


def test_unusable_pieces_are_ignored() -> None:
    m = started()
    m.on_chunk({"choices": [{"index": 10_000, "delta": {"content": "far"}}]}, T0 + 0.1)
    m.on_chunk({"choices": None}, T0 + 0.3)
    m.on_chunk({"choices": [None, "x", {"delta": "x"}, {"text": 5}], "usage": [1]}, T0 + 0.4)  # type: ignore[list-item]
    assert m.texts() == [] and m.completion_tokens == 0 and m.state == "streaming"


def test_content_given_as_text_parts_is_read() -> None:
    """Some OpenAI-compatible servers stream ``delta.content`` as a list of parts."""
    m = started()
    m.on_chunk(
        {"choices": [{"index": 0, "delta": {"content": [{"type": "text", "text": "x"}, {"type": "image"}]}}]}, T0 + 0.2
    )
    assert m.texts() == ["x"]


def test_an_error_keeps_the_partial_text_and_marks_it_incomplete() -> None:
    m = started()
    m.on_chunk(chat("partial "), T0 + 0.1)
    m.on_chunk(chat("answer"), T0 + 0.2)
    m.fail("The stream was cut", "BAD_GATEWAY", None, T0 + 0.3, incomplete=True)
    m.on_chunk(chat(" ignored?"), T0 + 0.4)  # a straggler keeps its text but the end stays
    m.cancel(T0 + 0.5)  # the first end wins
    run = m.snapshot(T0 + 9)
    assert run.state == "error" and run.incomplete
    assert run.choices[0].startswith("partial answer")
    assert (run.error_message, run.error_code, run.retry_after) == ("The stream was cut", "BAD_GATEWAY", None)
    assert run.elapsed_s == pytest.approx(0.3)


def test_a_refused_call_is_an_error_without_text() -> None:
    m = started()
    m.fail("Rate limit", "REQUEST_LIMIT_EXCEEDED", 2.5, T0 + 0.05)
    run = m.snapshot(T0 + 1)
    assert run.state == "error" and not run.incomplete and run.choices == []
    assert run.retry_after == 2.5 and run.ttft_s is None and run.elapsed_s == pytest.approx(0.05)


def test_cancel_keeps_the_partial_text() -> None:
    m = started()
    m.on_chunk(chat("half"), T0 + 0.1)
    m.cancel(T0 + 0.4)
    run = m.snapshot(T0 + 9)
    assert run.state == "cancelled" and run.incomplete and run.choices == ["half"]
    assert run.elapsed_s == pytest.approx(0.4)


def test_cancel_after_every_choice_finished_is_not_incomplete() -> None:
    m = started()
    m.on_chunk(chat("all", finish="stop"), T0 + 0.1)
    m.cancel(T0 + 0.2)  # cancelled while waiting for the usage chunk
    run = m.snapshot(T0 + 1)
    assert run.state == "cancelled" and not run.incomplete


def test_cancel_before_anything_arrived() -> None:
    m = started()
    m.cancel(T0 + 1.5)
    run = m.snapshot(T0 + 3)
    assert run.state == "cancelled" and run.choices == [] and run.ttft_s is None and run.elapsed_s == pytest.approx(1.5)


def test_a_fresh_metrics_snapshot_is_waiting_without_numbers() -> None:
    run = StreamMetrics().snapshot(T0)
    assert run.state == "waiting" and run.elapsed_s is None and run.completion_tokens == 0 and run.choices == []


def test_non_streamed_chat_answer() -> None:
    m = started(endpoint="ep", task="llm/v1/chat")
    m.on_response(
        {
            "model": "claude-x",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "finish_reason": "stop"},
                {
                    "index": 1,
                    "message": {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
                    "finish_reason": "length",
                },
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11},
        },
        T0 + 0.8,
    )
    run = m.snapshot(T0 + 5)
    assert run.state == "done" and run.choices == ["Hi there", "Hello"] and run.model == "claude-x"
    assert run.ttft_s == pytest.approx(0.8) and run.elapsed_s == pytest.approx(0.8)
    assert run.tokens_per_s is None and run.completion_tokens == 6
    assert run.finish_reasons == ["stop", "length"]


def test_non_streamed_completions_answer() -> None:
    m = started(task="llm/v1/completions")
    m.on_response({"choices": [{"index": 0, "text": "The end.", "finish_reason": "stop"}]}, T0 + 0.5)
    run = m.snapshot(T0 + 1)
    assert run.choices == ["The end."] and run.state == "done" and run.completion_tokens == 0


def test_embeddings_answer_in_input_order_with_base64_decoded() -> None:
    packed = base64.b64encode(struct.pack("<3f", 0.5, -1.0, 2.0)).decode()
    m = started(task="llm/v1/embeddings", request={"input": ["a", "b"]})
    m.on_response(
        {
            "object": "list",
            "model": "embed-3",
            "data": [{"index": 1, "embedding": packed}, {"index": 0, "embedding": [0.1, 0.2, 0.3]}],
            "usage": {"prompt_tokens": 2, "total_tokens": 2},
        },
        T0 + 0.3,
    )
    run = m.snapshot(T0 + 1)
    assert run.embeddings == [[0.1, 0.2, 0.3], [0.5, -1.0, 2.0]]
    assert run.state == "done" and run.model == "embed-3" and run.choices == []
    assert run.usage == {"prompt_tokens": 2, "total_tokens": 2} and run.elapsed_s == pytest.approx(0.3)


def test_snapshot_labels_the_run_and_never_carries_credentials() -> None:
    request = {
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.3,
        "api_key": "sk-secret",
        "extra_params": {"headers": {"Authorization": "Bearer x"}, "top_k": 5, "X-Api-Key": "k"},
    }
    m = started(endpoint="ep", provider="openai", task="llm/v1/chat", request=request)
    run = m.snapshot(T0)
    assert (run.endpoint, run.provider, run.task) == ("ep", "openai", "llm/v1/chat")
    assert run.request == {
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.3,
        "extra_params": {"top_k": 5},
    }
    assert "sk-secret" in str(request)  # the caller's dict is not modified


def test_apply_to_keeps_the_runs_labels() -> None:
    m = started()
    m.on_chunk(chat("text", model="m-1"), T0 + 0.2)
    run = PaneRun(endpoint="mine", provider="anthropic", model="configured")
    assert m.apply_to(run, T0 + 1) is run
    assert (run.endpoint, run.provider, run.model, run.choices) == ("mine", "anthropic", "m-1", ["text"])
    assert run.elapsed_s == pytest.approx(1.0)
    other = PaneRun(endpoint="other", model="configured")
    started().apply_to(other)
    assert other.model == "configured"  # no model reported: the run's own stays


def test_the_joined_text_is_cached_until_a_piece_arrives() -> None:
    m = started()
    m.on_chunk(chat("ab"), T0 + 0.1)
    m.on_chunk(chat("cd"), T0 + 0.2)
    first = m.text()
    assert first == "abcd" and m.text() is first
    m.on_chunk(chat("ef"), T0 + 0.3)
    assert m.text() == "abcdef"


@settings(max_examples=60, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.integers(0, 2), st.text(max_size=5), st.booleans()), max_size=40),
)
def test_text_and_counts_match_the_pieces_whatever_the_reads(pieces: list[tuple[int, str, bool]]) -> None:
    m = started()
    expected: dict[int, str] = {}
    for step, (index, piece, read) in enumerate(pieces):
        m.on_chunk(chat(piece, index=index), T0 + step * 0.01)
        expected[index] = expected.get(index, "") + piece
        if read:  # reading between chunks must not disturb the accumulation
            m.snapshot(T0 + step * 0.01)
    for index, text in expected.items():
        assert m.text(index) == text
    assert m.completion_tokens == sum(1 for _, piece, _ in pieces if piece)


def test_scrub_drops_credentials_but_not_what_the_user_wrote() -> None:
    schema = {"json_schema": {"schema": {"properties": {"password": {"type": "string"}}}}}
    request = {
        "messages": [{"role": "user", "content": "hi", "auth": "kept: it is a message field"}],
        "response_format": schema,
        "extra_params": {"top_k": 3, "Proxy-Authorization": "Basic x", "vendor_api_key": "v"},
    }
    assert scrub(request) == {"messages": request["messages"], "response_format": schema, "extra_params": {"top_k": 3}}
    clean = {"messages": [{"role": "user", "content": "hi"}], "extra_params": {"top_k": 3}}
    assert scrub(clean) is clean  # nothing to drop: not even copied


def test_a_long_stream_of_two_choices_keeps_every_piece_in_order() -> None:
    """Pieces are joined in runs while they arrive (see JOIN_EVERY); reading the text midway changes nothing."""
    m = started(request={"n": 2})
    sent: list[list[str]] = [[], []]
    for n in range(1_000):
        index = n % 3 % 2  # uneven: choice 0 gets two pieces in three
        piece = f"<{n}>"
        sent[index].append(piece)
        m.on_chunk(chat(piece, index=index), T0 + 0.001 * n)
        if n == 400:
            assert m.texts() == ["".join(sent[0]), "".join(sent[1])]
    assert m.texts() == ["".join(sent[0]), "".join(sent[1])]
    assert m.completion_tokens == 1_000
