"""A hostile provider on 127.0.0.1: it repeats the credentials it was sent and answers with escape sequences.

It speaks enough OpenAI (chat, completions, Azure deployments, Entra ID tokens) and Anthropic (messages)
to be queried through every provider shape that can point at a base URL. What it does is chosen by the
first path segment of the base URL, ``http://127.0.0.1:PORT/<mode>/...``:

* ``echo401`` / ``echo500``: the status, with every credential it received in a JSON / text error body;
* ``echostream``: a 200 stream with one chunk, then the provider's mid-stream error event quoting them;
* ``echoanswer``: an answer (stream or not) whose text quotes them;
* ``escapes``: an answer whose text carries :data:`ESCAPES`, markup, a huge line and many newlines;
* ``escape400`` / ``escape502``: a JSON 400 / a text 502 whose message carries :data:`ESCAPES`.

"The credentials" are every header, query parameter and form field it received (Entra ID's
``client_secret`` and the token it hands out for it included).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Each would do something to a terminal if it reached one raw: clear the screen, set the title, write
# the clipboard (OSC 52), an 8-bit CSI, a bell, a cursor move, and markup Textual would otherwise read.
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;sb-pwned-title\x07"
CLIPBOARD = "\x1b]52;c;c2ItcHduZWQ=\x07"
CSI8 = "\x9b2J"
ESCAPES = f"A{CLEAR}B{TITLE}C{CLIPBOARD}D{CSI8}E\x07\x08\r\x1b[10;10H[bold red]not bold[/] [/INST] [link=x]"
RAW_SEQUENCES = (CLEAR, "\x1b]0;", "\x1b]52;", "\x9b", "\x07", "\x1b[10;10H")
ENTRA_TOKEN = "entra-token-canary-5e1f0b7c"
HUGE_LINE = "x" * 200_000
MANY_NEWLINES = "\n" * 2000


def _credentials(handler: BaseHTTPRequestHandler, body: bytes) -> list[str]:
    """Everything that may hold a credential: every header, the query string, a form body."""
    found = [f"{k}: {v}" for k, v in handler.headers.items()]
    found += [f"{k}={v}" for k, v in parse_qsl(urlsplit(handler.path).query)]
    if b"=" in body and not body.startswith(b"{"):
        found += [f"{k}={v}" for k, v in parse_qsl(body.decode("utf-8", "replace"))]
    return found


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes: simplest for streams

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        mode = urlsplit(self.path).path.strip("/").split("/")[0]
        if "oauth2" in self.path:
            return self._json(200, {"access_token": ENTRA_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        try:
            request = json.loads(raw) if raw else {}
        except ValueError:
            request = {}
        echoed = "credentials: " + " | ".join(_credentials(self, raw))
        anthropic = self.path.rstrip("/").endswith("/messages")
        stream = bool(request.get("stream"))
        if mode == "echo401":
            return self._json(401, {"error": {"message": f"Invalid key. {echoed}", "type": "invalid_request_error"}})
        if mode == "echo500":
            return self._text(500, f"Internal error; {echoed}")
        if mode == "escape400":
            return self._json(400, {"error": {"message": f"Bad request {ESCAPES}", "type": "invalid_request_error"}})
        if mode == "escape502":
            return self._text(502, f"Bad gateway {ESCAPES}")
        text = {
            "echoanswer": f"Here you are: {echoed}",
            "escapes": f"{ESCAPES}\n{HUGE_LINE}\n{MANY_NEWLINES}end",
        }.get(mode, "hello")
        if not stream:
            return self._json(200, _anthropic_message(text) if anthropic else _openai_answer(request, text))
        events = _anthropic_events(text) if anthropic else _openai_events(request, text)
        if mode == "echostream":
            events = [*events[:2], _stream_error(anthropic, f"Overloaded. {echoed}")]
        self._sse(events)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(body).encode())

    def _text(self, status: int, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode())

    def _sse(self, events: list[str]) -> None:
        self._send(200, "text/event-stream", "".join(events).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _openai_answer(request: dict[str, Any], text: str) -> dict[str, Any]:
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    if "prompt" in request:
        choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": "stop"}
        return {
            "id": "cmpl-1",
            "object": "text_completion",
            "created": 1,
            "model": "m",
            "choices": [choice],
            "usage": usage,
        }
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [choice],
        "usage": usage,
    }


def _openai_events(request: dict[str, Any], text: str) -> list[str]:
    completions = "prompt" in request

    def chunk(piece: str | None, finish: str | None) -> str:
        if completions:
            choice: dict[str, Any] = {"index": 0, "text": piece or "", "finish_reason": finish}
            body = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m", "choices": [choice]}
        else:
            delta = {"content": piece} if piece is not None else {}
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            body = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "m",
                "choices": [choice],
            }
        return f"data: {json.dumps(body)}\n\n"

    half = len(text) // 2
    return [chunk(text[:half], None), chunk(text[half:], None), chunk(None, "stop"), "data: [DONE]\n\n"]


def _anthropic_message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 5},
    }


def _anthropic_events(text: str) -> list[str]:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    start = {**_anthropic_message(""), "content": [], "stop_reason": None}
    half = len(text) // 2
    return [
        event("message_start", {"type": "message_start", "message": start}),
        event(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        event(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text[:half]}},
        ),
        event(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text[half:]}},
        ),
        event("content_block_stop", {"type": "content_block_stop", "index": 0}),
        event(
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}},
        ),
        event("message_stop", {"type": "message_stop"}),
    ]


def _stream_error(anthropic: bool, message: str) -> str:
    if anthropic:
        body = {"type": "error", "error": {"type": "overloaded_error", "message": message}}
        return f"event: error\ndata: {json.dumps(body)}\n\n"
    return f"data: {json.dumps({'error': {'message': message, 'type': 'server_error'}})}\n\n"


class HostileServer:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server

    def base(self, mode: str) -> str:
        """The base URL (no version suffix) that makes this server behave as ``mode``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/{mode}"


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield HostileServer(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
