"""The fault matrix x Google Gemini and Vertex AI: typed errors a person can act on (a 429 says when to
retry, from Google's RetryInfo), and a stream that breaks or reports an error keeps the text so far."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.faults import (
    CHAT,
    STATUS_FAULTS,
    assert_status_fault,
    drain,
    stream_until_error,
)
from tests.providers.rig import Rig
from tests.providers.service_account import VERTEX_REF, vertex_ready
from tui.domain.errors import (
    ProviderError,
    ProviderOverloaded,
    ProviderProtocolError,
    ProviderRequestError,
    StreamInterrupted,
)
from tui.transport.timeouts import Timeouts

FLAVOURS = ("gemini", "vertex")
LABELS = {"gemini": "Google Gemini", "vertex": "Vertex AI"}


async def endpoint(rig: Rig, flavour: str, knobs: str, name: str = "faulty") -> str:
    extra: dict[str, Any] = {}
    if flavour == "vertex":
        await vertex_ready(rig)
        extra["secret"] = VERTEX_REF
    return await rig.endpoint(flavour, "chat", model=f"gemini-2.0-flash@{knobs}", name=name, **extra)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("fault", "cls", "words"), STATUS_FAULTS)
@pytest.mark.parametrize("stream", [False, True], ids=["query", "stream"])
async def test_status_faults(
    rig: Rig, flavour: str, fault: str, cls: type[ProviderError], words: str, stream: bool
) -> None:
    # the retry time comes from the body's google.rpc.RetryInfo: Google sends no Retry-After
    name = await endpoint(rig, flavour, f"fault={fault},retry_after=7")
    await assert_status_fault(rig, name, stream=stream, label=LABELS[flavour], fault=fault, cls=cls, words=words)


async def test_a_wrong_gemini_key_is_refused_without_showing_it(rig: Rig) -> None:
    wrong = "AIzaSy-wrong-key-0123456789abcdef"
    await rig.ws.put_secret("sim", "key", wrong.encode())
    name = await endpoint(rig, "gemini", "tokens=5")
    with pytest.raises(ProviderRequestError) as caught:  # Google answers a bad key with 400 API_KEY_INVALID
        await rig.ws.query(name, CHAT)
    assert "API key not valid" in caught.value.message and wrong not in caught.value.message


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_an_error_arriving_mid_stream_keeps_the_text_so_far(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=error_event,cut_after=10,tokens=40")
    text, err = await stream_until_error(rig, name)
    assert type(err) is ProviderOverloaded and err.provider_status == 503
    assert err.message == (
        f"{LABELS[flavour]} is overloaded (503): The model is overloaded. Please try again later (reported mid-stream)"
    )
    assert len(text.split()) == 10


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_cut_stream_keeps_the_text_so_far(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=cut,cut_after=10,tokens=40")
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, StreamInterrupted) and "cut" in err.message
    assert len(text.split()) == 10


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_a_stream_without_its_finish_reason_is_interrupted(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=nodone,tokens=20")
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, StreamInterrupted)
    assert err.message == f"The {LABELS[flavour]} stream ended before a finishReason; the answer may be incomplete"
    assert len(text.split()) == 19  # the last token rides on the chunk with the finishReason


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_cut_body_without_streaming(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=cut,tokens=40")
    with pytest.raises(ProviderProtocolError, match=r"closed the connection before the whole answer arrived|not JSON"):
        await rig.ws.query(name, CHAT)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_malformed_chunk(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=malformed,cut_after=5,tokens=30")
    text, err = await stream_until_error(rig, name)
    assert isinstance(err, ProviderProtocolError) and "malformed stream chunk" in err.message
    assert len(text.split()) == 5


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_malformed_body(rig: Rig, flavour: str) -> None:
    name = await endpoint(rig, flavour, "fault=malformed")
    with pytest.raises(ProviderProtocolError, match="not JSON"):
        await rig.ws.query(name, CHAT)


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_drip_fed_stream_reassembles(rig: Rig, flavour: str) -> None:
    # the first event comes byte by byte, a millisecond apart, and Google's are 230+ bytes: on a busy machine
    # that can outlast the rig's one-second idle bound, which this test is not about
    rig.ws.invoker.transport.timeouts = Timeouts(connect=2, read=10, idle=10)
    name = await endpoint(rig, flavour, "fault=drip,tokens=12")
    whole = await endpoint(rig, flavour, "tokens=12", name="whole")
    answer = await rig.ws.query(whole, CHAT)
    assert (await drain(rig, name))[0] == answer["choices"][0]["message"]["content"]
