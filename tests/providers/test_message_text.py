"""One answer to "the text of a message", used by the domain, the translators and the playground."""

from __future__ import annotations

from typing import Any

import pytest

from tui.domain.schemas import ChatMessage, content_text


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("plain", "plain"),
        (None, ""),
        (
            [
                {"type": "text", "text": "a"},
                {"type": "image_url", "image_url": {"url": "x"}},
                {"type": "text", "text": "b"},
            ],
            "a\nb",
        ),
        ([{"text": "untyped"}], "untyped"),  # the OpenAI part shape with its type left out counts
        ([{"image_url": {"url": "x"}}, "loose string", 3], ""),  # no type and no text: not text
        (42, ""),
    ],
)
def test_content_text(content: Any, text: str) -> None:
    assert content_text(content) == text


def test_a_chat_message_and_the_function_agree() -> None:
    content = [{"text": "x"}, {"type": "text", "text": "y"}]
    assert ChatMessage(role="user", content=content).text() == content_text(content) == "x\ny"
