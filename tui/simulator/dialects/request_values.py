"""Reading values out of request bodies the way provider APIs do, shared by the dialects: JSON types,
numbers that are not booleans, the text of message content, prompts and stop sequences."""

from __future__ import annotations

from typing import Any

from tui.simulator.text import count_words


def json_type(value: object) -> str:
    """The JSON name of a value's type, as OpenAI's "expected an array, but got ..." errors say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def content_text(content: object) -> str:
    """The text of a message ``content``: a string, or a list of parts with ``text``."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    texts.append(part["text"])
                elif "content" in part:
                    texts.append(content_text(part["content"]))
        return "\n".join(texts)
    return ""


def chat_prompt(messages: list[Any], system: str = "") -> tuple[str, int, str]:
    """(seed text, prompt token count, topic = the last user message) of a chat ``messages`` list and
    a ``system`` text given apart from it (Anthropic's top-level ``system``)."""
    lines = [f"system: {system}"] if system else []
    words = count_words(system)
    topic = ""
    for m in messages:
        if isinstance(m, dict):
            text = content_text(m.get("content"))
            lines.append(f"{m.get('role')}: {text}")
            words += count_words(text)
            if m.get("role") == "user":
                topic = text
    return "\n".join(lines), words, topic


def completion_prompts(value: object) -> list[str]:
    """A completions ``prompt``: a string, a list of strings, a token array or a list of token arrays."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return [""]
    if value and all(is_int(v) for v in value):
        return [" ".join(str(v) for v in value)]
    return [" ".join(str(x) for x in v) if isinstance(v, list) else str(v) for v in value]


def stop_list(value: object) -> list[str]:
    """The stop sequences of a ``stop`` field: one string or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for s in value if isinstance(s, str)]
    return []
