"""OpenAI-shaped providers that offer chat but no completions API (AI21 Jamba, Mistral).

A completions request goes out as one user message and the chat answer, whole or streamed, comes back in
the completions shape (MLflow maps Mistral completions the same way). Their streams put ``usage`` on the
last choice chunk instead of asking for ``stream_options``: it is split off into the standard
``choices: []`` usage chunk. Provider finish reasons are mapped to the standard ones; a finish reason that
reports a failure (Mistral's ``error``) is raised as an error instead of being passed on as ``stop``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS
from tui.domain.errors import ProviderError
from tui.domain.schemas import content_text
from tui.providers.base import Call, Chunk, Provider, StreamMapper, prompt_text
from tui.providers.openai_compat import OpenAICompatible, OpenAIStreamMapper, normalize_response, openai_body
from tui.transport.sse import SseEvent


class ChatOnlyOpenAI(OpenAICompatible):
    """Base of AI21 and Mistral: subclasses say where to send (:meth:`build`) and name their quirks."""

    renames: ClassVar[Mapping[str, str]] = {}
    """Standard request field -> the provider's name for it (Mistral's ``seed`` -> ``random_seed``)."""
    finish_reasons: ClassVar[Mapping[str, str]] = {}
    """Provider finish reason -> standard one, for those that differ."""
    error_finishes: ClassVar[frozenset[str]] = frozenset()

    def base_url(self, call: Call) -> str:
        """The provider's own base (``default_base`` unless the config overrides it), not an OpenAI one: a
        bare host gets no ``/v1`` here, the subclass knows its path."""
        return Provider.base_url(self, call)

    def chat_body(self, call: Call) -> dict[str, Any]:
        """The chat request body for ``call`` (a completions prompt becomes one user message)."""
        body = openai_body(self, call, with_model=True, stream_usage=False)
        body.pop("stream_options", None)  # usage comes on the last chunk anyway; they refuse the field
        if call.task == TASK_COMPLETIONS:
            body.pop("prompt", None)
            body = {
                "model": body.pop("model"),
                "messages": [{"role": "user", "content": prompt_text(call.request)}],
            } | body
        return {self.renames.get(key, key): value for key, value in body.items()}

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if call.task != TASK_COMPLETIONS:
            answer = normalize_response(call, body, self.label)
            if "choices" in answer:
                answer["choices"] = [self.choice(call, c, "message") for c in answer["choices"]]
            return answer
        answer = normalize_response(replace(call, task=TASK_CHAT), body, self.label)
        answer["object"] = "text_completion"
        answer["choices"] = [self.choice(call, c, "message") for c in answer["choices"]]
        return answer

    def stream_mapper(self, call: Call) -> StreamMapper:
        return ChatOnlyStreamMapper(call, self)

    def choice(self, call: Call, choice: dict[str, Any], part: str) -> dict[str, Any]:
        """A chat ``choice`` with a standard finish reason, in the completions shape for a completions call;
        ``part`` is ``message`` (whole answer) or ``delta`` (stream chunk)."""
        reason = choice.get("finish_reason")
        if reason in self.error_finishes:
            raise ProviderError(
                f"{self.label} stopped the answer with finish_reason '{reason}'"
                f"{' mid-stream' if part == 'delta' else ''}; the answer is incomplete",
                provider=self.label,
            )
        reason = self.finish_reasons.get(reason, reason) if isinstance(reason, str) else reason
        if call.task != TASK_COMPLETIONS:
            return {**choice, "finish_reason": reason}
        text = content_text((choice.get(part) or {}).get("content"))
        return {"index": choice.get("index", 0), "text": text, "finish_reason": reason}


class ChatOnlyStreamMapper(OpenAIStreamMapper):
    """OpenAI's chunk checks, then the provider's finish reasons, the completions shape and the usage split."""

    def __init__(self, call: Call, provider: ChatOnlyOpenAI) -> None:
        super().__init__(call, provider.label)
        self.provider = provider

    def feed(self, event: SseEvent) -> list[Chunk]:
        out: list[Chunk] = []
        for chunk in super().feed(event):
            usage = chunk.pop("usage", None)
            choices = [self.provider.choice(self.call, c, "delta") for c in chunk.get("choices") or []]
            if choices:
                out.append({**chunk, "choices": choices})
            if usage:
                out.append({**chunk, "choices": [], "usage": usage})
        return out
