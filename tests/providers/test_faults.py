"""The fault matrix x OpenAI, Azure and Anthropic: each failure is a typed error a person can act on,
and a stream that breaks keeps the text received so far."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from tests.providers.faults import (
    CHAT,
    assert_cut_keeps_the_text,
    assert_status_fault,
    assert_wrong_key_is_hidden,
    drain,
    stream_until_error,
)
from tests.providers.faults import STATUS_FAULTS as COMMON_FAULTS
from tests.providers.rig import Rig
from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import (
    ProviderError,
    ProviderOverloaded,
    ProviderProtocolError,
    ProviderTimeout,
    ProviderUnreachable,
    StreamInterrupted,
)
from tui.simulator.endpoints import endpoint_body
from tui.transport.timeouts import Timeouts
from tui.workspace.local.workspace import LocalWorkspace

FLAVOURS = ("openai", "azure", "anthropic")
LABELS = {"openai": "OpenAI", "azure": "Azure OpenAI", "anthropic": "Anthropic"}
STATUS_FAULTS = [*COMMON_FAULTS, ("529", ProviderOverloaded, "overloaded (529)")]


async def endpoint(rig: Rig, flavour: str, knobs: str, name: str = "faulty") -> str:
    model = {"openai": "gpt-4o-mini", "azure": "gpt4o", "anthropic": "claude-3-5-haiku-20241022"}[flavour]
    return await rig.endpoint(flavour, "chat", model=f"{model}@{knobs}", name=name)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("fault", "cls", "words"), STATUS_FAULTS)
@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_status_faults(
    rig: Rig, flavour: str, fault: str, cls: type[ProviderError], words: str, stream: bool
) -> None:
    name = await endpoint(rig, flavour, f"fault={fault},retry_after=7")
    await assert_status_fault(
        rig,
        name,
        stream=stream,
        label=LABELS[flavour],
        fault=fault,
        cls=cls,
        words=words,
        retry_statuses=("429", "503", "529"),
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_wrong_key_is_an_auth_error_that_never_shows_the_key(rig: Rig, flavour: str) -> None:
    await assert_wrong_key_is_hidden(rig, await endpoint(rig, flavour, "tokens=5"))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_cut_stream_keeps_the_text_so_far(rig: Rig, flavour: str) -> None:
    await assert_cut_keeps_the_text(rig, await endpoint(rig, flavour, "fault=cut,cut_after=10,tokens=40"))


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_cut_body_without_streaming(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=cut,tokens=40")
    with pytest.raises(ProviderProtocolError, match=r"closed the connection before the whole answer arrived|not JSON"):
        await rig.ws.query(name, CHAT)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_malformed_chunk(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=malformed,cut_after=5,tokens=30")
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, ProviderProtocolError) and "malformed" in err.message
    assert text


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_malformed_body(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=malformed")
    with pytest.raises(ProviderProtocolError, match="not JSON"):
        await rig.ws.query(name, CHAT)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_missing_end_marker(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=nodone,tokens=20")
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, StreamInterrupted) and "may be incomplete" in err.message
    assert len(text.split()) == 20


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_error_event_inside_a_200_stream(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=error_event,cut_after=5,tokens=30")
    text, err = await stream_until_error(rig, name)
    assert "mid-stream" in err.message and err.message.startswith(LABELS[flavour])
    if flavour == "anthropic":
        assert isinstance(err, ProviderOverloaded)
    assert text


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_drip_fed_stream_reassembles(rig: Rig, flavour: str) -> None:
    normal = await endpoint(rig, flavour, "tokens=30", name="normal")
    dripped = await endpoint(rig, flavour, "tokens=30,fault=drip", name="dripped")
    text_normal, _ = await drain(rig, normal)
    text_dripped, _ = await drain(rig, dripped)
    assert text_dripped == text_normal and len(text_normal.split()) == 30


@pytest.fixture
async def impatient(tmp_path: Path) -> Any:
    """A workspace with short timeouts, on the same simulator as ``rig``."""
    ws = LocalWorkspace(tmp_path / "impatient.db", user="tester", timeouts=Timeouts(connect=1, read=0.5, idle=0.5))
    await ws.create_scope("sim")
    await ws.put_secret("sim", "key", b"sim-key")
    yield ws
    await ws.aclose()


async def add(ws: LocalWorkspace, body: dict[str, Any]) -> str:
    await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return str(body["name"])


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_stalled_answer_times_out(rig: Rig, impatient: LocalWorkspace, flavour: str) -> None:
    name = await add(impatient, endpoint_body(rig.base, flavour, "chat", model="m@fault=stall,stall_s=3", name="stall"))
    with pytest.raises(ProviderTimeout, match=r"did not answer within 0.5 s"):
        await impatient.query(name, CHAT)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_stream_that_goes_quiet_hits_the_idle_timeout(rig: Rig, impatient: LocalWorkspace, flavour: str) -> None:
    name = await add(impatient, endpoint_body(rig.base, flavour, "chat", model="m@ttft=3,tokens=5", name="quiet"))
    with pytest.raises(ProviderTimeout, match=r"stream stalled: nothing arrived for 0.5 s|did not answer within 0.5 s"):
        async for _ in impatient.stream(name, CHAT):
            pass


async def test_slow_consumer_is_not_an_idle_timeout(rig: Rig, impatient: LocalWorkspace) -> None:
    import asyncio

    name = await add(impatient, endpoint_body(rig.base, "openai", "chat", model="m@tokens=4", name="slow-reader"))
    pieces = []
    async for chunk in impatient.stream(name, CHAT):
        await asyncio.sleep(0.3)  # 0.3 s per chunk x 7 chunks > the 0.5 s idle limit
        pieces.append(chunk)
    assert len(pieces) >= 6


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_connection_refused(impatient: LocalWorkspace, flavour: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    name = await add(impatient, endpoint_body(closed, flavour, "chat", name="refused"))
    with pytest.raises(ProviderUnreachable, match=r"Cannot reach .* at http://127.0.0.1:\d+: connection refused"):
        await impatient.query(name, CHAT)


@pytest.mark.parametrize(
    ("base", "reason"),
    [
        ("http://127.0.0.1:99999", "port 99999 is out of range"),
        ("http://127.0.0.1:-1", "port -1 is out of range"),
        ("ftp://127.0.0.1", "the scheme must be http or https, not 'ftp'"),
        ("http://", "it has no host"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_a_stored_url_no_connection_can_reach_is_a_clear_error(
    rig: Rig, base: str, reason: str, stream: bool
) -> None:
    """Stored before URLs were checked (or by a server): the call fails with a reason, never a traceback."""
    body = endpoint_body(base, "custom", "chat", name="unreachable")
    await rig.ws.create_endpoint(parse_stored(CreateServingEndpoint, body))
    request = {"messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(ProviderUnreachable) as caught:
        if stream:
            async for _ in rig.ws.stream("unreachable", request):
                pass
        else:
            await rig.ws.query("unreachable", request)
    assert reason in caught.value.message and caught.value.error_code == "TEMPORARILY_UNAVAILABLE"
