"""Live numbers of one pane's answer: text per choice, TTFT, tokens/s, elapsed time, usage, end state.

:class:`StreamMetrics` sees every chunk of up to eight parallel streams, so ``on_chunk`` does a few
dict lookups and one list append per chunk: text pieces are kept in lists and joined only when
someone reads them (the joined text is cached until the next piece arrives).

Every method takes the clock reading ``now`` (epoch seconds) from the caller, so the numbers can be
tested with an injected clock and a UI can tick elapsed time without a chunk arriving.

Definitions:

* TTFT: from :meth:`~StreamMetrics.start` to the first non-empty content piece.
* Completion tokens: one per non-empty content delta, unless the answer reported ``usage``; then
  ``usage.completion_tokens``.
* Tokens/s: completion tokens / (time of the last content piece - time of the first); ``None`` until
  two pieces arrived (one instant gives no rate) and for non-streamed answers.
* Elapsed: ``now - start`` while the answer runs; frozen at the end (the explicit end, or the last
  chunk once every choice reported a ``finish_reason``).
"""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Iterator, Mapping
from typing import Any

from tui.domain.pieces import TextPieces
from tui.playground.model import PaneRun, content_text, is_embeddings, scrub

MAX_CHOICES = 128  # a choice index beyond this is ignored rather than allocating for it


class StreamMetrics:
    """Accumulates one answer (streamed chunk by chunk, or whole) and the numbers measured on the way.

    ``endpoint``, ``provider``, ``task`` and ``request`` only label the :class:`PaneRun` that
    :meth:`snapshot` returns; pass them so the run can stand on its own in history and exports.
    """

    def __init__(
        self,
        *,
        endpoint: str = "",
        provider: str = "",
        task: str = "",
        request: Mapping[str, Any] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.provider = provider
        self.task = task
        self.request: dict[str, Any] = scrub(dict(request or {}))
        n = self.request.get("n")
        self._expected_choices = n if isinstance(n, int) and 0 < n <= MAX_CHOICES and not is_embeddings(task) else 1
        self._pieces: list[TextPieces] = []
        self._finish: list[str | None] = []
        self._tokens = 0
        self._started_at: float | None = None
        self._first_token_at: float | None = None
        self._last_token_at: float | None = None
        self._last_event_at: float | None = None
        self._ended_at: float | None = None
        self._end_state: str | None = None  # set by finish/fail/cancel/on_response: the first end wins
        self._model: str | None = None
        self._usage: dict[str, Any] | None = None
        self._embeddings: list[list[float]] | None = None
        self._error_message: str | None = None
        self._error_code: str | None = None
        self._retry_after: float | None = None
        self._incomplete = False

    # -- feeding -------------------------------------------------------------------------------
    def start(self, now: float) -> None:
        """The request leaves now: TTFT and elapsed count from here."""
        self._started_at = now

    def on_chunk(self, chunk: Mapping[str, Any], now: float) -> str:
        """One streamed chat (``delta.content``) or completions (``text``) chunk; returns the text it adds
        to the first choice (the one a pane shows as it streams)."""
        if self._started_at is None:
            self._started_at = now
        self._last_event_at = now
        model = chunk.get("model")
        if model:
            self._model = model
        first = ""
        for index, piece, reason in chunk_parts(chunk):
            if piece and self._slot(index):
                self._add_piece(index, piece, now)
                if index == 0:
                    first += piece
            if reason and self._slot(index):
                self._finish[index] = reason
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._take_usage(usage)
        return first

    def on_response(self, response: Mapping[str, Any], now: float) -> None:
        """A whole (non-streamed) chat, completions or embeddings answer; the run is then done.

        TTFT is the time to the answer; there is no tokens/s (one instant gives no rate).
        """
        if self._started_at is None:
            self._started_at = now
        self._last_event_at = now
        if response.get("model"):
            self._model = str(response["model"])
        if isinstance(response.get("data"), list):
            self._embeddings = embeddings_of(response)
        for choice in response.get("choices") or ():
            index = choice.get("index") or 0
            if not self._slot(index):
                continue
            message = choice.get("message")
            text = (
                content_text(message.get("content")) if isinstance(message, Mapping) else str(choice.get("text") or "")
            )
            self._pieces[index] = TextPieces(text)
            self._finish[index] = choice.get("finish_reason") or self._finish[index]
        if response.get("usage"):
            self._take_usage(response["usage"])
        self._first_token_at = self._last_token_at = now
        self._end("done", now)

    def finish(self, now: float) -> None:
        """The stream ended normally (even if no chunk said ``finish_reason``)."""
        self._end("done", now)

    def fail(
        self, message: str, code: str | None, retry_after: float | None, now: float, *, incomplete: bool = False
    ) -> None:
        """The answer failed; text received so far is kept. ``incomplete``: a stream was cut midway."""
        if self._end("error", now):
            self._error_message = message
            self._error_code = code
            self._retry_after = retry_after
            self._incomplete = incomplete

    def cancel(self, now: float) -> None:
        """The user cancelled; text received so far is kept and marked incomplete (unless it was all there)."""
        complete = self._all_choices_finished()
        if self._end("cancelled", now):
            self._incomplete = not complete

    def _end(self, state: str, now: float) -> bool:
        if self._end_state is not None:
            return False
        if self._started_at is None:
            self._started_at = now
        self._end_state = state
        self._ended_at = now
        return True

    def _slot(self, index: Any) -> bool:
        """Make room for choice ``index``; False when the index is unusable."""
        if not isinstance(index, int) or not 0 <= index < MAX_CHOICES:
            return False
        while len(self._pieces) <= index:
            self._pieces.append(TextPieces())
            self._finish.append(None)
        return True

    def _add_piece(self, index: int, piece: str, now: float) -> None:
        self._pieces[index].append(piece)
        self._tokens += 1
        if self._first_token_at is None:
            self._first_token_at = now
        self._last_token_at = now

    def _take_usage(self, usage: Mapping[str, Any]) -> None:
        """Merge usage (some providers report prompt tokens first and completion tokens at the end)."""
        if self._usage is None:
            self._usage = {}
        for key, value in usage.items():
            if value is not None:
                self._usage[key] = value

    def _all_choices_finished(self) -> bool:
        finish = self._finish
        return len(finish) >= self._expected_choices and all(r is not None for r in finish)

    # -- reading -------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """waiting (nothing yet), streaming, or done / error / cancelled."""
        if self._end_state is not None:
            return self._end_state
        if self._all_choices_finished():
            return "done"
        return "streaming" if self._last_event_at is not None else "waiting"

    @property
    def running(self) -> bool:
        return self.state in ("waiting", "streaming")

    @property
    def model(self) -> str | None:
        return self._model

    @property
    def usage(self) -> dict[str, Any] | None:
        return dict(self._usage) if self._usage is not None else None

    @property
    def started_at(self) -> float | None:
        return self._started_at

    @property
    def incomplete(self) -> bool:
        return self._incomplete

    @property
    def embeddings(self) -> list[list[float]] | None:
        return self._embeddings

    def text(self, index: int = 0) -> str:
        """Choice ``index``'s text so far."""
        return self._pieces[index].text if 0 <= index < len(self._pieces) else ""

    def texts(self) -> list[str]:
        return [self.text(i) for i in range(len(self._pieces))]

    @property
    def finish_reasons(self) -> list[str | None]:
        return list(self._finish)

    @property
    def finish_reason(self) -> str | None:
        return self._finish[0] if self._finish else None

    @property
    def completion_tokens(self) -> int:
        reported = self._usage.get("completion_tokens") if self._usage else None
        return int(reported) if reported is not None else self._tokens

    @property
    def ttft_s(self) -> float | None:
        if self._started_at is None or self._first_token_at is None:
            return None
        return max(0.0, self._first_token_at - self._started_at)

    @property
    def tokens_per_s(self) -> float | None:
        first, last = self._first_token_at, self._last_token_at
        if self._tokens < 2 or first is None or last is None or last <= first:
            return None
        return self.completion_tokens / (last - first)

    def elapsed(self, now: float) -> float | None:
        """Seconds since start: live (``now``) while running, frozen once the answer ended."""
        if self._started_at is None:
            return None
        if self._ended_at is not None:
            end = self._ended_at
        elif self._all_choices_finished() and self._last_event_at is not None:
            end = self._last_event_at
        else:
            end = now
        return max(0.0, end - self._started_at)

    @property
    def elapsed_s(self) -> float | None:
        """Elapsed time up to the end, or up to the last chunk while still running."""
        for reference in (self._ended_at, self._last_event_at, self._started_at):
            if reference is not None:
                return self.elapsed(reference)
        return None

    @property
    def error(self) -> tuple[str | None, str | None, float | None]:
        """(message, code, retry_after) of a failed answer."""
        return self._error_message, self._error_code, self._retry_after

    def apply_to(self, run: PaneRun, now: float | None = None, *, text: bool = True) -> PaneRun:
        """Write what was measured into ``run`` (keeping its endpoint, provider, task and request).

        ``now`` makes elapsed time live for a running answer; without it, elapsed stops at the last chunk.
        ``text=False`` leaves the answer's text out (``choices`` empty): the figures alone, for a live
        status line, which would otherwise join the whole answer afresh a few times a second per pane.
        """
        run.model = self._model or run.model
        run.state = self.state
        run.choices = self.texts() if text else []
        run.finish_reasons = self.finish_reasons
        run.finish_reason = self.finish_reason
        run.usage = self.usage
        run.error_message, run.error_code, run.retry_after = self.error
        run.started_at = self._started_at
        run.ttft_s = self.ttft_s
        run.elapsed_s = self.elapsed(now) if now is not None else self.elapsed_s
        run.completion_tokens = self.completion_tokens
        run.tokens_per_s = self.tokens_per_s
        run.embeddings = self._embeddings  # shared, never mutated: no copy of big vectors per tick
        run.incomplete = self._incomplete
        return run

    def snapshot(self, now: float, *, text: bool = True) -> PaneRun:
        """A new :class:`PaneRun` of the answer as it stands at ``now`` (``text``: see :meth:`apply_to`)."""
        run = PaneRun(endpoint=self.endpoint, provider=self.provider, task=self.task, request=self.request)
        return self.apply_to(run, now, text=text)


def chunk_parts(chunk: Mapping[str, Any]) -> Iterator[tuple[int, str, str | None]]:
    """(choice index, new text, finish reason) of each choice in a streamed chunk.

    Reads chat (``delta.content``, a string or a list of text parts) and completions (``text``) chunks
    and skips what is not shaped like either, since OpenAI-compatible servers vary.
    """
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return
    for choice in choices:
        if not isinstance(choice, dict):  # dict, not Mapping: JSON gives dicts, and an ABC check costs per chunk
            continue
        index = choice.get("index")
        delta = choice.get("delta")
        if isinstance(delta, dict):
            piece = content_text(delta.get("content"))
        else:
            text = choice.get("text")
            piece = text if isinstance(text, str) else ""
        reason = choice.get("finish_reason")
        yield (
            (index if isinstance(index, int) and index >= 0 else 0),
            piece,
            (reason if isinstance(reason, str) else None),
        )


def embeddings_of(response: Mapping[str, Any]) -> list[list[float]]:
    """The vectors of an embeddings answer in input order (``data[].index``), base64 ones decoded."""
    items = [item for item in response.get("data") or [] if isinstance(item, Mapping)]
    items.sort(key=lambda item: item.get("index") or 0)
    return [_vector(item.get("embedding")) for item in items]


def _vector(value: Any) -> list[float]:
    if isinstance(value, str):  # encoding_format=base64: little-endian float32
        values = array("f")
        values.frombytes(base64.b64decode(value))
        if sys.byteorder == "big":
            values.byteswap()
        return values.tolist()
    return [float(x) for x in value or []]
