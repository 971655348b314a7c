"""The standard request one pane sends for what was typed, by task (UI-free: the screen only forwards)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui.playground.model import embedding_inputs, is_completions, is_embeddings


def user_turn(text: str) -> dict[str, str]:
    """The chat turn a prompt adds to each pane's conversation."""
    return {"role": "user", "content": text}


def build_request(
    task: str, text: str, params: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The request for ``task``: embeddings send one input per non-blank line, completions the prompt,
    chat the pane's ``conversation`` (which already ends with the new user turn) after the system prompt.
    ``params`` may hold ``system``; it becomes the first chat message and is never sent as a field."""
    shared = {k: v for k, v in params.items() if k != "system"}
    if is_embeddings(task):
        inputs = embedding_inputs(text)
        return {"input": inputs if len(inputs) > 1 else inputs[0]}
    if is_completions(task):
        return {"prompt": text, **shared}
    system = params.get("system")
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, *(dict(turn) for turn in conversation)], **shared}
