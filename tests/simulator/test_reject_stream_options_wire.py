"""The ``reject_stream_options`` knob on the wire: a server that does not know ``stream_options``."""

from __future__ import annotations

import httpx
import pytest

from tests.simulator.helpers import AZURE, AZURE_VERSION, OPENAI, chat
from tui.simulator.knobs import parse_knobs

MESSAGE = "Unrecognized request argument supplied: stream_options"
REFUSAL = {"error": {"message": MESSAGE, "type": "invalid_request_error", "param": None, "code": None}}
WITH_OPTIONS = {"stream": True, "stream_options": {"include_usage": True}}


@pytest.mark.parametrize(
    ("path", "headers", "params", "code"),
    [
        ("/v1/chat/completions", OPENAI, None, None),
        ("/openai/deployments/gpt-4o-mini/chat/completions", AZURE, AZURE_VERSION, "400"),  # Azure's string code
    ],
    ids=["openai", "azure"],
)
async def test_a_body_with_stream_options_gets_a_400_and_one_without_streams(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], params: dict[str, str] | None, code: str | None
) -> None:
    refusing = {**headers, "x-sim-reject-stream-options": "1"}
    r = await http.post(path, json=chat(**WITH_OPTIONS), headers=refusing, params=params)
    assert r.status_code == 400 and r.json() == {"error": {**REFUSAL["error"], "code": code}}
    r = await http.post(path, json=chat(stream=True), headers=refusing, params=params)
    assert r.status_code == 200 and r.text.endswith("data: [DONE]\n\n")
    r = await http.post(path, json=chat(**WITH_OPTIONS), headers=headers, params=params)
    assert r.status_code == 200 and '"usage":{' in r.text


async def test_the_knob_rides_on_the_model_name_and_combines_with_a_fault(http: httpx.AsyncClient) -> None:
    body = chat(model="gpt-4o-mini@reject_stream_options=true,fault=cut,cut_after=2", **WITH_OPTIONS)
    r = await http.post("/v1/chat/completions", json=body, headers=OPENAI)
    assert r.status_code == 400 and r.json() == REFUSAL
    del body["stream_options"]
    with pytest.raises(httpx.RemoteProtocolError):  # accepted, then cut as fault=cut says
        await http.post("/v1/chat/completions", json=body, headers=OPENAI)


def test_the_knob_takes_only_a_flag() -> None:
    assert parse_knobs("m@reject_stream_options=0", {})[1].reject_stream_options is False
    with pytest.raises(ValueError, match=r"reject_stream_options.*expected 1 or 0"):
        parse_knobs("m@reject_stream_options=yes", {})
