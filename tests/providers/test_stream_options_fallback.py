"""A server that refuses ``stream_options`` gets the stream once more without it, and its endpoint remembers.

Against the simulator's ``reject_stream_options=1`` (an older vLLM / llama.cpp / proxy / Azure API version),
through ``Workspace.stream``: the requests the server saw, the standard chunks that came out (no usage
chunk: usage unknown) and the usage recorded (completion tokens counted from the stream).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.rig import Rig
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import ProviderError, ProviderRequestError
from tui.providers.openai_compat import rejects_stream_options
from tui.simulator.endpoints import endpoint_body

CHAT = {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 12}
REFUSING = "gpt-4o-mini@reject_stream_options=1"
FLAVOURS = ["openai", "custom", "azure"]


def calls(rig: Rig) -> list[dict[str, Any]]:
    """The bodies the provider received, in order."""
    return [r.body for r in rig.sim.requests]


def steady(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chunks without what differs from call to call (id, created) and the ``"usage": null`` OpenAI puts
    on every chunk when usage was asked for."""
    return [{k: v for k, v in c.items() if k not in ("id", "created") and (k, v) != ("usage", None)} for c in chunks]


async def stream(rig: Rig, name: str, request: dict[str, Any] = CHAT) -> list[dict[str, Any]]:
    return [c async for c in rig.ws.stream(name, request)]


@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_refused_stream_options_are_dropped_once_and_remembered(rig: Rig, flavour: str) -> None:
    accepting = await rig.endpoint(flavour, "chat", name="accepting", model="gpt-4o-mini")
    expected = [c for c in await stream(rig, accepting) if c["choices"]]  # the same stream minus its usage chunk
    refusing = await rig.endpoint(flavour, "chat", name="refusing", model=REFUSING)
    rig.sim.clear()

    chunks = await stream(rig, refusing)
    first, retry = calls(rig)
    assert first["stream_options"] == {"include_usage": True}
    assert retry == {k: v for k, v in first.items() if k != "stream_options"}
    assert steady(chunks) == steady(expected)
    assert not any(c.get("usage") for c in chunks)  # the server reported none: no usage is made up

    rig.sim.clear()
    again = await stream(rig, refusing)
    assert calls(rig) == [retry]  # remembered: straight without stream_options
    assert steady(again) == steady(chunks)

    rows = {r.endpoint: r for r in rig.ws.usage.rows()}
    pieces = sum(1 for c in chunks if c["choices"][0]["delta"].get("content"))
    assert pieces == 12
    refused = rows["refusing"]
    assert (refused.calls, refused.errors) == (2, 0)
    assert (refused.prompt_tokens, refused.completion_tokens) == (0, 2 * pieces)  # counted from the stream


async def test_the_callers_own_stream_options_are_dropped_too(rig: Rig) -> None:
    name = await rig.endpoint("custom", "chat", model=REFUSING)
    request = {**CHAT, "stream_options": {"include_usage": True}}
    chunks = await stream(rig, name, request)
    assert ["stream_options" in sent for sent in calls(rig)] == [True, False]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


async def test_the_memory_is_per_endpoint(rig: Rig) -> None:
    one = await rig.endpoint("openai", "chat", name="one", model=REFUSING)
    two = await rig.endpoint("openai", "chat", name="two", model=REFUSING)
    await stream(rig, one)
    await stream(rig, two)
    await stream(rig, one)
    assert ["stream_options" in sent for sent in calls(rig)] == [True, False, True, False, False]


async def test_a_new_azure_api_version_tries_stream_options_again(rig: Rig) -> None:
    name = await rig.endpoint("azure", "chat", model=REFUSING)
    await stream(rig, name)
    await rig.ws.delete_endpoint(name)
    body = endpoint_body(rig.base, "azure", "chat", model=REFUSING)
    body["config"]["served_entities"][0]["external_model"]["openai_config"]["openai_api_version"] = "2024-06-01"
    await rig.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    await stream(rig, name)
    await stream(rig, name)
    assert ["stream_options" in sent for sent in calls(rig)] == [True, False, True, False, False]
    assert [r.query["api-version"] for r in rig.sim.requests] == ["2024-10-21"] * 2 + ["2024-06-01"] * 3


async def test_a_query_never_sends_stream_options(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model=REFUSING)
    answer = await rig.ws.query(name, CHAT)
    assert len(calls(rig)) == 1 and "stream_options" not in calls(rig)[0]
    assert answer["usage"]["completion_tokens"] == 12


async def test_another_400_is_not_retried_nor_remembered(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model="gpt-4o-mini@fault=400")
    for _ in range(2):
        with pytest.raises(ProviderRequestError) as caught:
            await stream(rig, name)
        assert caught.value.provider_status == 400
    assert ["stream_options" in sent for sent in calls(rig)] == [True, True]


async def test_a_retry_that_fails_mid_stream_keeps_the_memory(rig: Rig) -> None:
    name = await rig.endpoint("openai", "chat", model=f"{REFUSING},fault=cut,cut_after=3")
    with pytest.raises(ProviderError):
        await stream(rig, name)
    with pytest.raises(ProviderError):
        await stream(rig, name)
    assert ["stream_options" in sent for sent in calls(rig)] == [True, False, False]
    (row,) = rig.ws.usage.rows(name)
    assert (row.calls, row.errors, row.completion_tokens) == (2, 2, 6)


REFUSALS = [
    (400, "Unrecognized request argument supplied: stream_options", True),  # Azure's older API versions, proxies
    (
        400,
        "[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options'), 'msg': 'Extra inputs are not permitted'}]",
        True,
    ),  # vLLM (pydantic)
    (422, "Extra inputs are not permitted", True),
    (400, "unknown field `foo`, expected one of `messages`, `model`", True),
    (400, "The model `gpt-5` does not exist or you do not have access to it.", False),
    (400, "'messages' is a required property", False),
    (500, "stream_options broke the server", False),
    (429, "Unrecognized request argument supplied: stream_options", False),
]


@pytest.mark.parametrize(("status", "message", "refused"), REFUSALS)
def test_which_errors_are_a_refused_stream_options(status: int, message: str, refused: bool) -> None:
    err = ProviderError(f"vLLM rejected the request ({status}): {message}", provider_status=status)
    assert rejects_stream_options(err) is refused
