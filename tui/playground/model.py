"""A playground comparison: one input sent to several endpoints, and what each pane got back.

Both classes are plain dataclasses that round-trip through JSON-ready dicts (``to_json`` /
``from_json``), which is how history stores them and how exports write them. Reading is tolerant:
unknown keys are ignored and missing ones take their defaults, so documents written by an older or
newer Switchboard still open.

Nothing secret is ever part of the model: requests are the OpenAI-shaped bodies a pane sent (no
keys travel in them), and :func:`scrub` still drops any header- or credential-like key on the way in
and on the way out.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
from tui.domain.schemas import content_text

PANE_STATES: tuple[str, ...] = ("waiting", "streaming", "done", "error", "cancelled")
FINISHED_STATES = frozenset({"done", "error", "cancelled"})

TITLE_MAX = 80
DOC_VERSION = 1  # version of the JSON document written by Comparison.to_json

# Keys that may carry a credential. Matched after lower-casing and turning '-' into '_'.
_SECRET_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "api_token",
        "api_secret",
        "authorization",
        "auth",
        "proxy_authorization",
        "headers",
        "extra_headers",
        "http_headers",
        "default_headers",
        "cookie",
        "cookies",
        "set_cookie",
        "password",
        "passwd",
        "secret",
        "client_secret",
        "access_token",
        "refresh_token",
        "id_token",
        "bearer_token",
        "auth_token",
        "session_token",
        "credential",
        "credentials",
        "private_key",
    }
)
_SECRET_SUFFIXES = ("_api_key", "_apikey", "_secret", "_password", "_access_token", "_auth_token")


def is_secret_key(key: str) -> bool:
    """Whether a request key looks like it could hold a header or credential (``api_key``, ``headers``...)."""
    name = key.lower().replace("-", "_")
    return name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES)


# Keys whose values are what the user wrote or declared (a JSON schema may well have a "password"
# property): scrub does not look inside them.
_CONTENT_KEYS = frozenset({"messages", "prompt", "input", "tools", "functions", "tool_choice", "response_format"})


def scrub(value: Any) -> Any:
    """``value`` without any credential-like dict key, at any depth except inside content (messages...).

    Returns the very same object when nothing had to go (the usual case), so a clean request is
    never copied.
    """
    if isinstance(value, dict):
        cleaned: dict[Any, Any] | None = None
        for key, item in value.items():
            secret = isinstance(key, str) and is_secret_key(key)
            new = None if secret else item if key in _CONTENT_KEYS else scrub(item)
            if cleaned is None and (secret or new is not item):
                cleaned = _without_secrets(value)
            if cleaned is not None and not secret:
                cleaned[key] = new
        return value if cleaned is None else cleaned
    if isinstance(value, list):
        items = [scrub(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=False)) else items
    return value


def _without_secrets(value: dict[Any, Any]) -> dict[Any, Any]:
    return {k: v for k, v in value.items() if not (isinstance(k, str) and is_secret_key(k))}


def _scrub_overrides(overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Scrub each endpoint's overrides (not the endpoint names: an endpoint may well be called 'auth')."""
    return {str(name): scrub(dict(values)) for name, values in overrides.items()}


def task_kind(task: str) -> str:
    """``"chat"``, ``"completions"`` or ``"embeddings"`` for a task given either way (``llm/v1/chat`` or ``chat``)."""
    return task.rsplit("/", 1)[-1]


def is_embeddings(task: str) -> bool:
    return task_kind(task) == task_kind(TASK_EMBEDDINGS)


def is_chat(task: str) -> bool:
    return task_kind(task) == task_kind(TASK_CHAT)


def is_completions(task: str) -> bool:
    return task_kind(task) == task_kind(TASK_COMPLETIONS)


def make_title(turns: Iterable[Mapping[str, Any]] = (), prompt: str | None = None, inputs: Iterable[str] = ()) -> str:
    """The first 80 characters of the last user turn, else of the prompt, else of the first input.

    Whitespace runs (newlines included) become one space so the title fits on one line.
    """
    text = ""
    for turn in reversed(list(turns)):
        if turn.get("role") == "user":
            text = content_text(turn.get("content"))
            break
    if not text.strip():
        text = prompt or ""
    if not text.strip():
        text = next(iter(inputs), "")
    return " ".join(text.split())[:TITLE_MAX]


def embedding_inputs(prompt: str) -> list[str]:
    """The inputs the playground embeds for a prompt: its non-blank lines (as the screen sends them)."""
    return [line for line in prompt.splitlines() if line.strip()]


@dataclass
class PaneRun:
    """One endpoint's answer to a comparison's input, with the numbers measured while it arrived."""

    endpoint: str = ""
    provider: str = ""
    model: str | None = None  # as reported by the answer (may differ from the configured name)
    task: str = ""
    request: dict[str, Any] = field(default_factory=dict)
    state: str = "waiting"  # one of PANE_STATES
    choices: list[str] = field(default_factory=list)  # text per choice index
    finish_reason: str | None = None  # of choice 0
    finish_reasons: list[str | None] = field(default_factory=list)  # per choice index
    usage: dict[str, Any] | None = None
    error_message: str | None = None
    error_code: str | None = None
    retry_after: float | None = None
    started_at: float | None = None  # epoch seconds
    ttft_s: float | None = None
    elapsed_s: float | None = None
    completion_tokens: int = 0
    tokens_per_s: float | None = None
    embeddings: list[list[float]] | None = None  # one vector per input, embeddings task only
    incomplete: bool = False  # the answer was cut midway (error or cancel after text arrived)

    def __post_init__(self) -> None:
        self.request = scrub(self.request)

    @property
    def text(self) -> str:
        """Choice 0's text ('' when nothing arrived)."""
        return self.choices[0] if self.choices else ""

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def ok(self) -> bool:
        """Finished normally with the whole answer."""
        return self.state == "done" and not self.incomplete

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "provider": self.provider,
            "model": self.model,
            "task": self.task,
            "request": scrub(self.request),
            "state": self.state,
            "choices": list(self.choices),
            "finish_reason": self.finish_reason,
            "finish_reasons": list(self.finish_reasons),
            "usage": dict(self.usage) if self.usage is not None else None,
            "error_message": self.error_message,
            "error_code": self.error_code,
            "retry_after": self.retry_after,
            "started_at": self.started_at,
            "ttft_s": self.ttft_s,
            "elapsed_s": self.elapsed_s,
            "completion_tokens": self.completion_tokens,
            "tokens_per_s": self.tokens_per_s,
            "embeddings": [list(v) for v in self.embeddings] if self.embeddings is not None else None,
            "incomplete": self.incomplete,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PaneRun:
        embeddings = data.get("embeddings")
        usage = data.get("usage")
        return cls(
            endpoint=str(data.get("endpoint") or ""),
            provider=str(data.get("provider") or ""),
            model=_opt_str(data.get("model")),
            task=str(data.get("task") or ""),
            request=dict(data.get("request") or {}),
            state=str(data.get("state") or "waiting"),
            choices=[str(c) for c in data.get("choices") or []],
            finish_reason=_opt_str(data.get("finish_reason")),
            finish_reasons=[_opt_str(r) for r in data.get("finish_reasons") or []],
            usage=dict(usage) if isinstance(usage, dict) else None,
            error_message=_opt_str(data.get("error_message")),
            error_code=_opt_str(data.get("error_code")),
            retry_after=_opt_float(data.get("retry_after")),
            started_at=_opt_float(data.get("started_at")),
            ttft_s=_opt_float(data.get("ttft_s")),
            elapsed_s=_opt_float(data.get("elapsed_s")),
            completion_tokens=int(data.get("completion_tokens") or 0),
            tokens_per_s=_opt_float(data.get("tokens_per_s")),
            embeddings=[[float(x) for x in v] for v in embeddings] if isinstance(embeddings, list) else None,
            incomplete=bool(data.get("incomplete", False)),
        )


@dataclass
class Comparison:
    """One input (system prompt + turns, prompt, or embedding inputs) sent to every pane, and the panes' runs.

    ``params`` are the shared knobs (temperature, max_tokens, top_p, n, stop...) and ``overrides`` the
    per-endpoint ones layered on top of them. ``title`` is fixed when the comparison is made (see
    :func:`make_title`).
    """

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)  # epoch seconds
    task: str = ""
    title: str = ""
    system: str | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)  # chat: [{role, content}], last one the user's
    prompt: str | None = None
    inputs: list[str] = field(default_factory=list)  # embeddings
    params: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    panes: list[PaneRun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.params = scrub(self.params)
        self.overrides = _scrub_overrides(self.overrides)

    @classmethod
    def new(
        cls,
        *,
        task: str,
        system: str | None = None,
        turns: Iterable[Mapping[str, Any]] | None = None,
        prompt: str | None = None,
        inputs: Iterable[str] | None = None,
        params: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        panes: Iterable[PaneRun] | None = None,
        now: float | None = None,
    ) -> Comparison:
        """A fresh comparison (new id, created now) with its title derived from the input.

        For embeddings without explicit ``inputs``, the inputs are the prompt's non-blank lines.
        ``None`` parameter values are dropped (they mean "use the endpoint's default").
        """
        turn_list = [dict(t) for t in turns or ()]
        input_list = (
            list(inputs) if inputs is not None else (embedding_inputs(prompt or "") if is_embeddings(task) else [])
        )
        return cls(
            created=time.time() if now is None else now,
            task=task,
            title=make_title(turn_list, prompt, input_list),
            system=system or None,
            turns=turn_list,
            prompt=prompt,
            inputs=input_list,
            params={k: v for k, v in (params or {}).items() if v is not None},
            overrides=_scrub_overrides(overrides or {}),
            panes=list(panes or ()),
        )

    @property
    def endpoints(self) -> list[str]:
        return [p.endpoint for p in self.panes]

    def params_for(self, endpoint: str) -> dict[str, Any]:
        """The parameters ``endpoint`` was called with: the shared ones with its overrides on top."""
        return {**self.params, **self.overrides.get(endpoint, {})}

    def to_json(self) -> dict[str, Any]:
        """The whole comparison as a JSON-ready dict with a fixed key order."""
        return {
            "version": DOC_VERSION,
            "id": self.id,
            "created": self.created,
            "task": self.task,
            "title": self.title,
            "system": self.system,
            "turns": [dict(t) for t in self.turns],
            "prompt": self.prompt,
            "inputs": list(self.inputs),
            "params": scrub(dict(self.params)),
            "overrides": _scrub_overrides(self.overrides),
            "panes": [p.to_json() for p in self.panes],
        }

    def dumps(self) -> str:
        """The JSON text of :meth:`to_json` (non-ASCII kept as is)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str | bytes) -> Comparison:
        """Read a comparison back from :meth:`to_json`'s dict or its JSON text."""
        doc: Mapping[str, Any] = json.loads(data) if isinstance(data, (str, bytes)) else data
        if not isinstance(doc, Mapping):
            raise ValueError("A comparison document must be a JSON object")
        turns = [dict(t) for t in doc.get("turns") or [] if isinstance(t, dict)]
        prompt = _opt_str(doc.get("prompt"))
        inputs = [str(i) for i in doc.get("inputs") or []]
        return cls(
            id=str(doc.get("id") or uuid.uuid4().hex),
            created=float(doc.get("created") or 0.0),
            task=str(doc.get("task") or ""),
            title=str(doc.get("title") or make_title(turns, prompt, inputs)),
            system=_opt_str(doc.get("system")),
            turns=turns,
            prompt=prompt,
            inputs=inputs,
            params=dict(doc.get("params") or {}),
            overrides={str(k): dict(v) for k, v in (doc.get("overrides") or {}).items() if isinstance(v, dict)},
            panes=[PaneRun.from_json(p) for p in doc.get("panes") or [] if isinstance(p, dict)],
        )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
