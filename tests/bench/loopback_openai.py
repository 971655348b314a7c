"""A minimal OpenAI chat-completions server on 127.0.0.1 for benchmarks: pre-encoded answers, never the bottleneck.

Any ``POST`` answers a chat completion of ``--tokens`` tokens, or, when the body holds ``"stream": true``, an SSE
stream (chunked transfer encoding, one HTTP chunk per event, as OpenAI sends them) of a role chunk, ``--stream-tokens``
content chunks, a finish chunk, a usage chunk when ``stream_options.include_usage`` is asked, and ``data: [DONE]``.
Every answer is encoded once at start; a request costs a header scan and one write. Keep-alive, HTTP/1.1 only; the
model, key and messages are not looked at (the benchmark is about what sits between the client and this server).

Run:  python loopback_openai.py --port PORT [--tokens 16] [--stream-tokens 500]
It prints ``ready`` once it listens. Runs on uvloop when installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from typing import Any, cast

CREATED = 1_700_000_000
MODEL = "gpt-4o-mini"
MAX_HEAD = 64 * 1024
MAX_BODY = 4 * 1024 * 1024
_STREAM = re.compile(rb'"stream"\s*:\s*true')
_USAGE = re.compile(rb'"include_usage"\s*:\s*true')
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _usage(tokens: int) -> dict[str, int]:
    return {"prompt_tokens": 12, "completion_tokens": tokens, "total_tokens": 12 + tokens}


def completion(tokens: int) -> bytes:
    """The whole HTTP response of a non-streamed chat completion."""
    body = _json(
        {
            "id": "chatcmpl-loopback",
            "object": "chat.completion",
            "created": CREATED,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "tok " * tokens},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": _usage(tokens),
        }
    )
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def stream(tokens: int, include_usage: bool) -> bytes:
    """The whole HTTP response of a streamed chat completion, chunk-encoded."""
    base: dict[str, Any] = {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "created": CREATED}
    base["model"] = MODEL

    def chunk(delta: dict[str, str], finish: str | None) -> dict[str, Any]:
        data = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        return {**data, "usage": None} if include_usage else data

    events = [chunk({"role": "assistant", "content": ""}, None)]
    events += [chunk({"content": "tok "}, None) for _ in range(tokens)]
    events.append(chunk({}, "stop"))
    if include_usage:
        events.append({**base, "choices": [], "usage": _usage(tokens)})
    frames = [b"data: " + _json(e) + b"\n\n" for e in events] + [b"data: [DONE]\n\n"]
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    return head + b"".join(b"%x\r\n%s\r\n" % (len(f), f) for f in frames) + b"0\r\n\r\n"


class Answers:
    def __init__(self, tokens: int, stream_tokens: int) -> None:
        self.plain = completion(tokens)
        self.streams = {usage: stream(stream_tokens, usage) for usage in (False, True)}

    def to(self, body: bytes) -> bytes:
        if _STREAM.search(body):
            return self.streams[bool(_USAGE.search(body))]
        return self.plain


class Connection(asyncio.Protocol):
    """Reads requests (head, then ``content-length`` bytes of body) and answers each with one write."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self.transport.close()
                return
            found = _LENGTH.search(self.buffer, 0, end + 2)
            length = int(found.group(1)) if found else 0
            if length > MAX_BODY:
                self.transport.close()
                return
            stop = end + 4 + length
            if len(self.buffer) < stop:
                return
            body = self.buffer[end + 4 : stop]
            self.buffer = self.buffer[stop:]
            self.transport.write(self.answers.to(body))


async def main(port: int, answers: Answers) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(answers), "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def run() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tokens", type=int, default=16)
    p.add_argument("--stream-tokens", type=int, default=500)
    args = p.parse_args()
    answers = Answers(args.tokens, args.stream_tokens)
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(args.port, answers))
        return
    uvloop.run(main(args.port, answers))


if __name__ == "__main__":
    run()
