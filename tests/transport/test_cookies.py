"""A provider's cookies are never sent back: one client makes every user's calls under `switchboard serve`."""

from __future__ import annotations

import asyncio

from tests.transport.test_network_backend import Server, answer, get, make_transport, read_head


async def test_a_cookie_a_provider_sets_goes_with_no_later_call() -> None:
    seen: list[bytes] = []

    async def set_cookie(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await read_head(reader):
            seen.append(head)
            writer.write(answer(b'{"ok":true}', "set-cookie: session=alice-secret; Path=/\r\n"))
            await writer.drain()
        writer.close()

    tr = make_transport("asyncio")
    try:
        async with Server(set_cookie) as base:
            for path in ("/first", "/second", "/third"):
                assert (await tr.send(get(base + path), provider="p")).body == {"ok": True}
    finally:
        await tr.aclose()
    assert len(seen) == 3
    assert not any(b"alice-secret" in head or b"cookie:" in head.lower() for head in seen)
