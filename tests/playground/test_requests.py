"""The request each pane sends for what was typed, by task."""

from __future__ import annotations

from tui.playground.requests import build_request, user_turn


def test_chat_sends_the_system_prompt_then_the_conversation_and_the_knobs() -> None:
    conversation = [user_turn("hi"), {"role": "assistant", "content": "hello"}, user_turn("again")]
    request = build_request("llm/v1/chat", "again", {"system": "be brief", "temperature": 0.2}, conversation)
    assert request == {
        "messages": [{"role": "system", "content": "be brief"}, *conversation],
        "temperature": 0.2,
    }


def test_completions_send_the_prompt_without_a_system_field() -> None:
    assert build_request("llm/v1/completions", "Once", {"system": "x", "max_tokens": 5}, []) == {
        "prompt": "Once",
        "max_tokens": 5,
    }


def test_embeddings_send_one_input_per_non_blank_line() -> None:
    assert build_request("llm/v1/embeddings", "alpha\n\n  \nbeta", {"temperature": 1}, []) == {
        "input": ["alpha", "beta"]
    }
    assert build_request("llm/v1/embeddings", "alone", {}, []) == {"input": "alone"}
