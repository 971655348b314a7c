"""Shared bits of the simulator tests: credentials, request bodies and a strict SSE parser."""

from __future__ import annotations

import json
from typing import Any

import httpx

KEY = "sim-key"
OPENAI = {"authorization": f"Bearer {KEY}"}
AZURE = {"api-key": KEY}
ANTHROPIC = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
DATABRICKS = {"authorization": f"Bearer {KEY}"}
AZURE_VERSION = {"api-version": "2024-10-21"}


def chat(model: str = "gpt-4o-mini", content: str = "Say hi", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}


def messages(model: str = "claude-3-5-haiku", content: str = "Say hi", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "max_tokens": 1024, "messages": [{"role": "user", "content": content}]}
    body.update(extra)
    return body


def parse_sse(raw: bytes) -> list[tuple[str | None, str]]:
    """SSE events as (event name, data) per providers.md §0.4 (any line ending, comments ignored)."""
    text = raw.decode("utf-8")
    events: list[tuple[str | None, str]] = []
    name: str | None = None
    data: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if data or name is not None:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
    assert not data and name is None, f"unterminated event at end of stream: {data!r}"
    return events


async def stream_raw(
    client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str], **kw: Any
) -> tuple[httpx.Response, bytes, int]:
    """POST a streaming request: (response, all body bytes, number of reads the body came in)."""
    pieces: list[bytes] = []
    async with client.stream("POST", path, json=body, headers=headers, **kw) as response:
        async for piece in response.aiter_raw():
            pieces.append(piece)
    return response, b"".join(pieces), len(pieces)


async def stream_events(
    client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str], **kw: Any
) -> tuple[httpx.Response, list[tuple[str | None, str]]]:
    response, raw, _ = await stream_raw(client, path, body, headers, **kw)
    return response, parse_sse(raw)


def openai_chunks(events: list[tuple[str | None, str]]) -> list[dict[str, Any]]:
    """The JSON chunks of an OpenAI-family stream; asserts it ends with exactly one [DONE]."""
    assert events and events[-1] == (None, "[DONE]"), events[-3:]
    assert all(name is None for name, _ in events), "OpenAI streams have no event: lines"
    return [json.loads(data) for _, data in events[:-1]]


def chunk_text(chunks: list[dict[str, Any]], index: int = 0) -> str:
    return "".join(
        c["choices"][0]["delta"].get("content") or ""
        for c in chunks
        if c["choices"] and c["choices"][0]["index"] == index
    )
