"""The standard (OpenAI-shaped) request, response and stream-chunk schemas of an endpoint query.

Requests allow extra keys (MLflow does too): provider-specific knobs such as ``top_k`` travel in
them. The standard knobs are checked as a strict JSON reader would: ``stream`` is ``true`` or
``false``, a number is a JSON number (not ``true`` and not ``"2"``) within :data:`KNOB_RANGES`.
Responses keep unknown fields so nothing a provider adds is lost on the way to the user.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from tui.domain.checks import number_problem
from tui.domain.ranges import KNOB_RANGES


def _json_number(value: Any) -> Any:
    if problem := number_problem(value, strings_allowed=False):
        raise ValueError(problem)
    return value


Number = Annotated[float, BeforeValidator(_json_number)]
WholeNumber = Annotated[int, BeforeValidator(_json_number)]


def _knob(name: str) -> Any:
    low, high = KNOB_RANGES[name]
    return Field(default=None, ge=low, le=high)


def content_text(content: Any) -> str:
    """The text of a message's ``content``: the string itself, or its text parts joined by newlines.

    A part is text when its ``type`` is ``"text"``, or when it has no ``type`` but a ``"text"`` key
    (the OpenAI content-part shape with the type left out, which some clients send). Image, audio and
    other typed parts, and anything that is not a string or a list, have no text.
    """
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(str(part.get("text", "")) for part in content if _is_text_part(part))


def _is_text_part(part: Any) -> bool:
    if not isinstance(part, dict):
        return False
    return part.get("type") == "text" if "type" in part else "text" in part


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class ChatMessage(_Open):
    role: str
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    name: str | None = None

    def text(self) -> str:
        """The message's text (see :func:`content_text`)."""
        return content_text(self.content)


class _Knobs(_Open):
    temperature: Number | None = _knob("temperature")
    max_tokens: WholeNumber | None = _knob("max_tokens")
    max_completion_tokens: WholeNumber | None = _knob("max_completion_tokens")
    top_p: Number | None = _knob("top_p")
    presence_penalty: Number | None = _knob("presence_penalty")
    frequency_penalty: Number | None = _knob("frequency_penalty")
    n: WholeNumber | None = _knob("n")
    stop: list[str] | str | None = None
    stream: StrictBool | None = None
    extra_params: dict[str, Any] | None = None

    def stop_list(self) -> list[str] | None:
        return [self.stop] if isinstance(self.stop, str) else self.stop


class ChatRequest(_Knobs):
    messages: list[ChatMessage] = Field(min_length=1)


class CompletionsRequest(_Knobs):
    prompt: str | list[str]


class EmbeddingsRequest(_Open):
    input: str | list[str] | list[WholeNumber] | list[list[WholeNumber]]


class Usage(_Open):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class ChatChoice(_Open):
    index: int = 0
    message: ChatMessage
    finish_reason: str | None = None


class ChatResponse(_Open):
    id: str | None = None
    object: str = "chat.completion"
    created: int | None = None
    model: str | None = None
    choices: list[ChatChoice] = []
    usage: Usage | None = None


class CompletionChoice(_Open):
    index: int = 0
    text: str = ""
    finish_reason: str | None = None


class CompletionsResponse(_Open):
    id: str | None = None
    object: str = "text_completion"
    created: int | None = None
    model: str | None = None
    choices: list[CompletionChoice] = []
    usage: Usage | None = None


class EmbeddingData(_Open):
    object: str = "embedding"
    index: int = 0
    embedding: list[float] | str


class EmbeddingsResponse(_Open):
    object: str = "list"
    model: str | None = None
    data: list[EmbeddingData] = []
    usage: Usage | None = None


class ChunkDelta(_Open):
    role: str | None = None
    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class ChunkChoice(_Open):
    index: int = 0
    delta: ChunkDelta | None = None
    text: str | None = None  # completions chunks
    finish_reason: str | None = None


class StreamChunk(_Open):
    """One chunk of a streamed chat (``chat.completion.chunk``) or completions (``text_completion_chunk``)."""

    id: str | None = None
    object: str = "chat.completion.chunk"
    created: int | None = None
    model: str | None = None
    choices: list[ChunkChoice] = []
    usage: Usage | None = None
