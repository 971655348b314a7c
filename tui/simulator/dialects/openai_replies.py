"""OpenAI-shaped answers: one builder for chat and completions (whole or streamed), and embeddings.

Chat and completions answers differ only in their ids, ``object`` names and how one choice holds its
text (a :class:`Shape`); the rest (usage, fingerprint, stream order, the usage chunk, ``[DONE]``) is
built once here. Dialects built on OpenAI's shapes add their extras through the dialect's hooks
(``choice_extra``, ``body_extra``, ``stream_preamble``).
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.simulator.dialects.base import Call, Event, Reply, StreamReply, json_reply, sse
from tui.simulator.dialects.request_values import is_int
from tui.simulator.text import Generation, count_words, embedding, embedding_base64, embedding_dim

if TYPE_CHECKING:
    from tui.simulator.dialects.openai import OpenAIDialect

SYSTEM_FINGERPRINT = "fp_sim0switchboard"
DONE = b"data: [DONE]\n\n"
FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length"}


def _chat_choice(dialect: OpenAIDialect, index: int, text: str) -> dict[str, Any]:
    return {"index": index, "message": {"role": "assistant", "content": text, **dialect.message_extras}}


def _chat_delta(index: int, token: str | None) -> dict[str, Any]:
    return {"index": index, "delta": {} if token is None else {"content": token}}


def _chat_opening(dialect: OpenAIDialect, index: int) -> dict[str, Any]:
    role = {"role": "assistant", "content": "", **({"refusal": None} if dialect.fingerprint else {})}
    return {"index": index, "delta": role}


def _text_choice(dialect: OpenAIDialect, index: int, text: str) -> dict[str, Any]:
    return {"text": text, "index": index}


def _text_delta(index: int, token: str | None) -> dict[str, Any]:
    return {"text": "" if token is None else token, "index": index}


@dataclass(frozen=True)
class Shape:
    """What tells one kind of generated answer from another; everything else is shared."""

    id_prefix: str
    object: str
    chunk_object: str
    choice: Callable[[OpenAIDialect, int, str], dict[str, Any]]
    """The start of a choice in a whole answer: its index and its text."""
    delta: Callable[[int, str | None], dict[str, Any]]
    """The start of a choice in a stream chunk: one token, or None for the chunk that finishes it."""
    opening: Callable[[OpenAIDialect, int], dict[str, Any]] | None = None
    """The start of the choice in a chunk sent before any token (chat announces the role), if any."""


CHAT = Shape("chatcmpl-sim", "chat.completion", "chat.completion.chunk", _chat_choice, _chat_delta, _chat_opening)
COMPLETIONS = Shape("cmpl-sim", "text_completion", "text_completion", _text_choice, _text_delta)


def usage(dialect: OpenAIDialect, prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if dialect.fingerprint:
        data["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        data["completion_tokens_details"] = {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
    return data


def generated_reply(
    dialect: OpenAIDialect, call: Call, shape: Shape, gens: list[Generation], prompt_tokens: int
) -> Reply | StreamReply:
    """The answer carrying ``gens``, one choice each: whole, or streamed when the request asks for it."""
    cid = shape.id_prefix + secrets.token_hex(10)
    if call.stream:
        return _stream(dialect, call, shape, cid, gens, prompt_tokens)
    completion_tokens = sum(g.count for g in gens)
    data: dict[str, Any] = {
        "id": cid,
        "object": shape.object,
        "created": call.created,
        "model": call.model or "",
        "choices": [
            {
                **shape.choice(dialect, i, g.text),
                "logprobs": None,
                "finish_reason": FINISH[g.finish],
                **dialect.choice_extra("final"),
            }
            for i, g in enumerate(gens)
        ],
        "usage": usage(dialect, prompt_tokens, completion_tokens),
        **dialect.body_extra(call),
    }
    if dialect.fingerprint:
        data["system_fingerprint"] = SYSTEM_FINGERPRINT
    return json_reply(200, data, tokens=completion_tokens)


def _stream(
    dialect: OpenAIDialect, call: Call, shape: Shape, cid: str, gens: list[Generation], prompt_tokens: int
) -> StreamReply:
    """Chunks in OpenAI's order: openings, tokens interleaved across choices, finishes, usage, ``[DONE]``."""
    base: dict[str, Any] = {"id": cid, "object": shape.chunk_object, "created": call.created, "model": call.model or ""}
    if dialect.fingerprint:
        base["system_fingerprint"] = SYSTEM_FINGERPRINT
    options = call.body.get("stream_options")
    include_usage = isinstance(options, dict) and options.get("include_usage") is True

    def chunk(choices: list[dict[str, Any]], usage_data: dict[str, Any] | None = None) -> bytes:
        data = {**base, "choices": choices}
        if include_usage:
            data["usage"] = usage_data
        return sse(data)

    def choice(start: dict[str, Any], finish: str | None, kind: str) -> dict[str, Any]:
        return {**start, "logprobs": None, "finish_reason": finish, **dialect.choice_extra(kind)}

    def events() -> Iterator[Event]:
        yield from dialect.stream_preamble(call)
        if shape.opening is not None:
            for i in range(len(gens)):
                yield Event(chunk([choice(shape.opening(dialect, i), None, "role")]), "head")
        for tokens in interleave(gens):
            for i, token in tokens:
                yield Event(chunk([choice(shape.delta(i, token), None, "content")]))
        for i, g in enumerate(gens):
            yield Event(chunk([choice(shape.delta(i, None), FINISH[g.finish], "finish")]), "tail")
        if include_usage:
            completion_tokens = sum(g.count for g in gens)
            yield Event(chunk([], usage(dialect, prompt_tokens, completion_tokens)), "tail")
        yield Event(DONE, "terminal")

    return StreamReply(events)


def interleave(gens: list[Generation]) -> Iterator[list[tuple[int, str]]]:
    """Token number t of every choice that has one, as (choice index, token), for t = 0, 1, ...: how
    OpenAI-shaped streams interleave several choices."""
    for tokens in itertools.zip_longest(*gens):
        yield [(i, token) for i, token in enumerate(tokens) if token is not None]


def embeddings_reply(call: Call) -> Reply:
    """Deterministic vectors for each ``input`` item (text or token array), as floats or base64."""
    body = call.body
    model = call.model or ""
    raw = body.get("input")
    if isinstance(raw, str):
        items: list[Any] = [raw]
    elif isinstance(raw, list) and raw and all(is_int(v) for v in raw):
        items = [raw]
    else:
        items = list(raw) if isinstance(raw, list) else [raw]
    dim = call.knobs.dim or body.get("dimensions") or embedding_dim(model)
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    prompt_tokens = 0
    for i, item in enumerate(items):
        if isinstance(item, list):
            text = " ".join(str(v) for v in item)
            prompt_tokens += len(item)
        else:
            text = str(item)
            prompt_tokens += count_words(text)
        vector = embedding(model, text, dim)
        data.append({"object": "embedding", "index": i, "embedding": embedding_base64(vector) if as_base64 else vector})
    return json_reply(
        200,
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        },
    )
