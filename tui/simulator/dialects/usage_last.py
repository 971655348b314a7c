"""OpenAI-shaped chat from providers whose streams carry ``usage`` on the chunk that finishes the last
choice and that take no ``stream_options`` (AI21 Jamba and Mistral, providers.md §8 and §9).

:class:`UsageLastDialect` is their base: OpenAI's checks and generation, their own answer layout. A
subclass names its routes, errors and the fields it refuses, and whether answers carry OpenAI's
``object``/``created``/``model`` envelope (AI21 leaves it out).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import partial
from typing import Any, ClassVar

from tui.simulator.dialects.base import ApiError, Call, Event, Reply, StreamReply, format_seconds, json_reply, sse
from tui.simulator.dialects.openai import OpenAIDialect
from tui.simulator.dialects.openai_replies import DONE, FINISH, interleave
from tui.simulator.dialects.request_values import chat_prompt, stop_list
from tui.simulator.text import Generation, generate


class UsageLastDialect(OpenAIDialect):
    fingerprint = False
    message_extras: ClassVar[dict[str, Any]] = {}
    envelope: ClassVar[bool] = True
    id_prefix: ClassVar[str] = "chatcmpl-sim"
    refused_fields: ClassVar[tuple[str, ...]] = ("stream_options",)
    """OpenAI fields this provider refuses: a translation that sends one gets the provider's error."""

    def refused(self, name: str) -> ApiError:
        """The error for a refused field."""
        return ApiError(422, f"Extra inputs are not permitted: body.{name}", type="invalid_request_error")

    def validate(self, call: Call) -> None:
        for name in self.refused_fields:
            if name in call.body:
                raise self.refused(name)
        super().validate(call)

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {"retry-after": format_seconds(seconds)}

    def finish_reason(self, gen: Generation) -> str:
        return FINISH[gen.finish]

    def op_chat(self, call: Call) -> Reply | StreamReply:
        body = call.body
        seed_text, prompt_tokens, topic = chat_prompt(body["messages"])
        stops = stop_list(body.get("stop"))
        max_tokens = self._max_tokens(call)
        gens = [
            generate(
                call.model or "", seed_text, i, tokens=call.knobs.tokens, max_tokens=max_tokens, stop=stops, topic=topic
            )
            for i in range(body.get("n") or 1)
        ]
        completion_tokens = sum(g.count for g in gens)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        head: dict[str, Any] = {"id": self.id_prefix + secrets.token_hex(10)}
        if self.envelope:
            head |= {"object": "chat.completion", "created": call.created, "model": call.model or ""}
        if not call.stream:
            choices = [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": g.text, "tool_calls": None},
                    "logprobs": None,
                    "finish_reason": self.finish_reason(g),
                }
                for i, g in enumerate(gens)
            ]
            return json_reply(200, {**head, "choices": choices, "usage": usage}, tokens=completion_tokens)
        if self.envelope:
            head["object"] = "chat.completion.chunk"
        return StreamReply(partial(self._events, head, gens, usage))

    def _events(self, head: dict[str, Any], gens: list[Generation], usage: dict[str, int]) -> Iterator[Event]:
        def chunk(index: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
            return sse({**head, "choices": [{"index": index, "delta": delta, "finish_reason": finish}], **extra})

        yield from (Event(chunk(i, {"role": "assistant", "content": ""}), "head") for i in range(len(gens)))
        for tokens in interleave(gens):
            yield from (Event(chunk(i, {"content": token})) for i, token in tokens)
        last = len(gens) - 1
        for i, g in enumerate(gens):
            extra = {"usage": usage} if i == last else {}
            yield Event(chunk(i, {"content": ""}, self.finish_reason(g), **extra), "tail")
        yield Event(DONE, "terminal")
