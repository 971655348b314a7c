"""The fault matrix x Cohere, AI21 and Mistral: every failure a typed error a person can act on, a stream
that breaks keeps the text received so far, and Cohere's own 498 and 499 statuses are mapped."""

from __future__ import annotations

import pytest

from tests.providers.faults import (
    CHAT,
    STATUS_FAULTS,
    assert_cut_keeps_the_text,
    assert_status_fault,
    assert_wrong_key_is_hidden,
    drain,
    stream_until_error,
)
from tests.providers.rig import Rig
from tui.domain.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderProtocolError,
    StreamInterrupted,
)
from tui.simulator.endpoints import model_name

FLAVOURS = ("cohere", "ai21", "mistral")
LABELS = {"cohere": "Cohere", "ai21": "AI21 Labs", "mistral": "Mistral"}
COHERE_ONLY: list[tuple[str, type[ProviderError], str]] = [
    ("498", ProviderAuthError, "refused the token (498)"),
    ("499", ProviderError, "cancelled the request (499)"),
]


async def endpoint(rig: Rig, flavour: str, knobs: str, name: str = "faulty") -> str:
    return await rig.endpoint(flavour, "chat", model=f"{model_name(flavour, 'chat')}@{knobs}", name=name)


@pytest.mark.parametrize(
    ("flavour", "fault", "cls", "words"),
    [(f, *case) for f in FLAVOURS for case in STATUS_FAULTS] + [("cohere", *case) for case in COHERE_ONLY],
)
@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_status_faults(
    rig: Rig, flavour: str, fault: str, cls: type[ProviderError], words: str, stream: bool
) -> None:
    name = await endpoint(rig, flavour, f"fault={fault},retry_after=7")
    await assert_status_fault(rig, name, stream=stream, label=LABELS[flavour], fault=fault, cls=cls, words=words)


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
    assert err.message.startswith(LABELS[flavour]) and text


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


@pytest.mark.parametrize(
    ("flavour", "words"),
    [
        ("cohere", "Cohere failed mid-stream: internal server error"),
        ("ai21", "AI21 Labs failed (500): Internal server error (reported mid-stream)"),
        ("mistral", "Mistral stopped the answer with finish_reason 'error'"),
    ],
)
async def test_error_inside_a_200_stream(rig: Rig, flavour: str, words: str) -> None:
    name = await endpoint(rig, flavour, "fault=error_event,cut_after=5,tokens=30")
    text, err = await stream_until_error(rig, name)
    assert type(err) is ProviderError and words in err.message, err.message
    assert len(text.split()) == 5


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_drip_fed_stream_reassembles(rig: Rig, flavour: str) -> None:
    normal = await endpoint(rig, flavour, "tokens=30", name="normal")
    dripped = await endpoint(rig, flavour, "tokens=30,fault=drip", name="dripped")
    text_normal, _ = await drain(rig, normal)
    text_dripped, _ = await drain(rig, dripped)
    assert text_dripped == text_normal and len(text_normal.split()) == 30
