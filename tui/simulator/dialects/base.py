"""What a provider dialect is: the routes it answers and how it words answers, streams and errors.

The server (``tui.simulator.server``) owns HTTP, timing and fault *mechanics*; a dialect owns the provider's
*shapes*. Adding a provider is one module with a :class:`Dialect` subclass plus one line in
``tui.simulator.dialects.DIALECTS``:

* ``routes``: ``Route("POST", "/v1/things/{name}", "things")`` — ``op`` names the method ``op_things``.
* ``owns(request)``: claim unknown paths too, so they get this provider's 404 shape.
* ``check_access(call)``: credentials and required headers/query (raise :class:`ApiError`).
* ``model_spec(call)``: where the model name (and its ``@knob`` suffix) comes from.
* ``validate(call)``: required fields (raise :class:`ApiError`).
* ``op_<name>(call)``: a :class:`Reply` (non-stream) or :class:`StreamReply` (a function making its events as sent).
* ``render_error(err, call)``: the provider's error body; ``fault_error(status, call)``: what an injected
  ``fault=<status>`` says; ``stream_error_event(call)``: a mid-stream error; ``retry_headers(seconds)``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from tui.simulator.knobs import Knobs

EventKind = Literal["head", "token", "tail", "terminal"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived: path without the query (percent-decoded), lower-case header names."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any] | None
    raw_body: bytes = field(default=b"", repr=False, compare=False)
    raw_path: str = field(default="", repr=False, compare=False)
    """The path as sent, still percent-encoded (what a SigV4 signature covers)."""


class ApiError(Exception):
    """An error answer; each dialect renders it in its provider's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.type = type
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/openai/deployments/{deployment}/chat/completions"
    op: str  # the dialect answers with its method ``op_<op>``
    body: Literal["json", "form"] = "json"
    auth: bool = True  # run check_access
    knobs: bool = True  # parse knobs, inject faults

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.template)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compile(template: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(template)
    if pattern is None:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
        pattern = _PATTERNS[template] = re.compile(regex)
    return pattern


class SimulatorState(Protocol):
    """What dialects may use of the running simulator."""

    api_key: str
    token_requests: int
    token_expires_in: int

    def issue_token(self, audience: str) -> tuple[str, int]: ...

    def token_audience(self, token: str) -> str | None: ...


@dataclass
class Call:
    """One routed request on its way through a dialect."""

    request: RecordedRequest
    route: Route
    params: dict[str, str]
    sim: SimulatorState
    body: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    knobs: Knobs = field(default_factory=Knobs)
    op: str = ""
    request_id: str = field(default_factory=lambda: "req_sim" + secrets.token_hex(12))
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def stream(self) -> bool:
        return self.body.get("stream") is True


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    tokens: int = 0  # generated tokens, for tps pacing of non-stream answers


@dataclass(frozen=True)
class Event:
    """One SSE event as bytes. ``token`` events carry one content token each; ``terminal`` is ``[DONE]``
    or ``message_stop`` (dropped by ``fault=nodone``); mid-stream faults fire before the next token."""

    data: bytes
    kind: EventKind = "token"


@dataclass
class StreamReply:
    """A stream whose events are made one by one as they are sent: ``events()`` makes them afresh (usually a
    generator function), so a long answer is never held whole."""

    events: Callable[[], Iterable[Event]]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    content_type: str = "text/event-stream; charset=utf-8"

    @property
    def token_count(self) -> int:
        """The number of ``token`` events, counted on a pass of their own (for a mid-stream fault's default point)."""
        return sum(1 for e in self.events() if e.kind == "token")


# ------------------------------------------------------------------------------------------ helpers


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_reply(status: int, data: Any, headers: Mapping[str, str] | None = None, *, tokens: int = 0) -> Reply:
    return Reply(status, dumps(data), dict(headers or {}), tokens=tokens)


def sse(data: Any, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def mask_key(key: str) -> str:
    """What an error may show of a presented key: never all of it."""
    if len(key) >= 12:
        return f"{key[:3]}...{key[-3:]}"
    return "*" * min(len(key), 8) or "(empty)"


def bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class Dialect:
    """Base for one provider family. Subclasses set ``name``, ``title``, ``routes`` and the ``op_*``."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    routes: ClassVar[tuple[Route, ...]] = ()

    # ---- routing
    def resolve(self, request: RecordedRequest) -> tuple[Route | None, dict[str, str]] | None:
        """``(route, params)`` for a route of ours, ``(None, {})`` for a path we own but don't serve."""
        path_matched: Route | None = None
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match:
                if route.method == request.method:
                    return route, match.groupdict()
                path_matched = path_matched or route
        if path_matched is not None:
            return Route(request.method, path_matched.template, "method_not_allowed", auth=False, knobs=False), {}
        if self.owns(request):
            return None, {}
        return None

    def owns(self, request: RecordedRequest) -> bool:
        return False

    # ---- request checks
    def check_access(self, call: Call) -> None:
        """Credentials and required headers; raise ApiError."""

    def model_spec(self, call: Call) -> str | None:
        model = call.body.get("model")
        return model if isinstance(model, str) else None

    def validate(self, call: Call) -> None:
        """Required fields; raise ApiError."""

    def operation(self, call: Call) -> str:
        return call.route.op

    def respond(self, call: Call) -> Reply | StreamReply:
        handler = getattr(self, f"op_{call.op}", None)
        if handler is None:
            raise ApiError(404, f"{call.op} is not supported by the simulated {self.title}", code="not_found")
        reply: Reply | StreamReply = handler(call)
        return reply

    # ---- shapes
    def bad_json(self) -> ApiError:
        return ApiError(400, "The request body is not valid JSON.")

    def not_found(self, request: RecordedRequest) -> ApiError:
        return ApiError(404, f"Not found: {request.method} {request.path}")

    def render_error(self, err: ApiError, call: Call | None) -> Reply:
        raise NotImplementedError

    def fault_error(self, status: int, call: Call) -> ApiError:
        raise NotImplementedError

    def fault_headers(self, status: int, call: Call) -> dict[str, str]:
        """The dialect's retry headers on an injected status that says to wait (429, 503, 529), else none."""
        return self.retry_headers(call.knobs.retry_after) if status in (429, 503, 529) else {}

    def table_fault(
        self, status: int, call: Call, messages: Mapping[int, str], fallback: str | None = None
    ) -> ApiError:
        """An injected status fault worded from ``messages`` (a status it lacks: ``fallback``, else the 500 one)."""
        message = messages.get(status, messages[500] if fallback is None else fallback)
        return ApiError(status, message, headers=self.fault_headers(status, call))

    def stream_error_event(self, call: Call) -> bytes:
        raise NotImplementedError

    def retry_headers(self, seconds: float) -> dict[str, str]:
        return {"retry-after": format_seconds(seconds)}

    def response_headers(self, call: Call) -> dict[str, str]:
        """Headers on every answer of this dialect (request ids, rate-limit counters)."""
        return {}

    def malformed_event(self, event: bytes) -> bytes:
        """``fault=malformed`` in a stream: this event with its JSON cut short (the event framing kept)."""
        lines = event.split(b"\n")
        for i, line in enumerate(lines):
            if line.startswith(b"data: {"):
                lines[i] = line[: max(len(b"data: {") + 1, len(line) // 2)]
        return b"\n".join(lines)

    def malformed_body(self, body: bytes) -> bytes:
        """``fault=malformed`` without stream: a 200 whose JSON is cut short and trailed by junk."""
        return body[: max(1, len(body) // 2)] + b"\n<!-- simulated malformed body -->"
