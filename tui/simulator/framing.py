"""Minimal HTTP/1.1 on asyncio streams (standard library only): reading a request (request line, headers,
a body by ``Content-Length`` or chunked) and writing the head of an answer and its chunks."""

from __future__ import annotations

import asyncio
import json
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tui.simulator.dialects.base import RecordedRequest

MAX_LINE = 256 * 1024
MAX_HEADERS = 200
MAX_BODY = 64 * 1024 * 1024
REASONS = {529: "Site Overloaded"}


class BadRequest(Exception):
    """The bytes are not an HTTP request the simulator reads; the message says what is wrong."""


def _reason(status: int) -> str:
    if status in REASONS:
        return REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def frame(data: bytes) -> bytes:
    """One chunk of a ``Transfer-Encoding: chunked`` body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def parse_body(raw: bytes, content_type: str) -> tuple[dict[str, Any] | None, bool]:
    """(body, parsed_ok): form bodies become a dict of strings, JSON objects a dict; else None."""
    if not raw:
        return None, True
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)), True
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, False
    if isinstance(value, dict):
        return value, True
    return None, False


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[RecordedRequest, bool] | None:
    """The next request on the connection and whether to keep it alive; None at end of input."""
    try:
        line = await reader.readline()
        while line in (b"\r\n", b"\n"):
            line = await reader.readline()
        if not line.endswith(b"\n"):
            return None  # EOF
        parts = line.decode("latin-1").strip().split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise BadRequest("malformed request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            raw = await reader.readline()
            if not raw.endswith(b"\n"):
                return None
            if raw in (b"\r\n", b"\n"):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep or not name.strip():
                raise BadRequest("malformed header line")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        else:
            raise BadRequest("too many headers")
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await _read_body(reader, headers)
    except ValueError as err:  # a line over the limit
        raise BadRequest(str(err)) from None
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    url = urlsplit(target)
    parsed_body, _ = parse_body(body, headers.get("content-type", ""))
    request = RecordedRequest(
        method=method.upper(),
        path=unquote(url.path) or "/",
        query=dict(parse_qsl(url.query, keep_blank_values=True)),
        headers=headers,
        body=parsed_body,
        raw_body=body,
        raw_path=url.path or "/",
    )
    return request, keep_alive


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = await reader.readline()
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise BadRequest("body too large")
            chunks.append(await reader.readexactly(size))
            await reader.readline()
    length = headers.get("content-length")
    if not length:
        return b""
    if not length.strip().isdigit():
        raise BadRequest("bad content-length")
    n = int(length)
    if n > MAX_BODY:
        raise BadRequest("body too large")
    return await reader.readexactly(n)


def response_head(
    status: int,
    headers: dict[str, str],
    content_type: str,
    *,
    length: int | None = None,
    keep_alive: bool = True,
) -> bytes:
    """The status line and headers of an answer: ``Content-Length`` if ``length`` is known, else chunked."""
    merged = {
        "date": formatdate(usegmt=True),
        "server": "switchboard-simulator",
        "content-type": content_type,
        **headers,
    }
    if length is None:
        merged["transfer-encoding"] = "chunked"
        merged["cache-control"] = "no-cache"
    else:
        merged["content-length"] = str(length)
    merged["connection"] = "keep-alive" if keep_alive else "close"
    merged["x-simulator"] = "switchboard"
    lines = [f"HTTP/1.1 {status} {_reason(status)}", *(f"{k}: {v}" for k, v in merged.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1", "replace")
