"""Test an endpoint: one tiny request that shows whether its key, URL and model work, before the playground.

The request is the playground's own (one "ping", at most one token back), so a test sends exactly
what a pane would. The outcome is a :class:`ProbeResult` whatever happens: a failure is an answer
here, not an exception.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import ProviderError, SwitchboardError
from tui.domain.text import printable
from tui.playground.compare import format_seconds
from tui.playground.model import is_chat, is_embeddings
from tui.playground.requests import build_request, user_turn
from tui.workspace.protocol import Workspace

PROBE_TEXT = "ping"
PROBE_TIMEOUT_S = 60.0
"""A test waits this long at most, whatever the workspace's own timeouts and retries are."""
SHOWN_ANSWER_MAX = 80


@dataclass(frozen=True)
class ProbeResult:
    """How one test went. Every text field is printable (no control character reaches a screen)."""

    ok: bool
    status: str
    """``"OK · 200"`` on success, else the error code and the provider's HTTP status when known."""
    latency_s: float
    message: str
    """On failure the provider's message (redacted by the workspace); on success what came back."""

    @property
    def summary(self) -> str:
        """One line: ``OK · 200 · 0.21 s``."""
        return f"{self.status} · {format_seconds(self.latency_s)}"


def probe_subject(endpoint: ServingEndpointDetailed) -> str:
    """What a test reaches, for a person: ``OpenAI · gpt-4o-mini`` (the first served model, and how many more)."""
    config = endpoint.config or endpoint.pending_config
    models = [e.external_model for e in (config.served_entities if config else []) if e.external_model]
    if not models:
        return "no external model"
    more = f" (+{len(models) - 1} more)" if len(models) > 1 else ""
    return printable(f"{models[0].provider_shown} · {models[0].name}{more}")


def probe_request(task: str) -> dict[str, Any]:
    """The request a test sends for ``task``: "ping" with one token (embeddings: the input "ping")."""
    conversation = [user_turn(PROBE_TEXT)] if is_chat(task) else []
    return build_request(task, PROBE_TEXT, {"max_tokens": 1}, conversation)


async def probe_endpoint(
    ws: Workspace, endpoint: ServingEndpointDetailed, *, timeout: float = PROBE_TIMEOUT_S
) -> ProbeResult:
    """Send the test request to ``endpoint`` through ``ws`` and say how it went (never raises a
    :class:`SwitchboardError`; cancelling the caller cancels the request)."""
    task = endpoint.task or (endpoint.config.task if endpoint.config else None)
    if not task:
        return ProbeResult(False, "INVALID_PARAMETER_VALUE", 0.0, "This endpoint serves no external model to test")
    started = time.perf_counter()
    try:
        answer = await asyncio.wait_for(ws.query(endpoint.name, probe_request(task)), timeout)
    except asyncio.TimeoutError:
        return ProbeResult(False, "DEADLINE_EXCEEDED", time.perf_counter() - started, f"No answer in {timeout:g} s")
    except SwitchboardError as err:
        return ProbeResult(False, _error_status(err), time.perf_counter() - started, err.message)
    return ProbeResult(True, "OK · 200", time.perf_counter() - started, _answer_words(task, answer))


def _error_status(err: SwitchboardError) -> str:
    status = err.provider_status if isinstance(err, ProviderError) else None
    return printable(f"{err.error_code} · {status}" if status else err.error_code)


def _answer_words(task: str, answer: dict[str, Any]) -> str:
    """What the provider sent back, in a few words: the model and its (one-token) answer."""
    model = printable(str(answer.get("model") or "the model"))
    if is_embeddings(task):
        data = answer.get("data") or [{}]
        vector = data[0].get("embedding") if isinstance(data[0], dict) else None
        size = f"{len(vector)} dimensions" if isinstance(vector, list) else "an embedding"
        return f"{model} answered with {size}"
    choices = answer.get("choices") or [{}]
    first = choices[0] if isinstance(choices[0], dict) else {}
    text = (first.get("message") or {}).get("content") if is_chat(task) else first.get("text")
    said = printable(str(text or "")).replace("\n", " ").strip()
    if len(said) > SHOWN_ANSWER_MAX:
        said = said[: SHOWN_ANSWER_MAX - 1] + "…"
    return f"{model} answered {said!r}" if said else f"{model} answered (no text)"
