"""Fault injection on the wire: statuses in each provider's shape, and the broken-stream behaviours."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from tests.simulator.helpers import (
    ANTHROPIC,
    AZURE,
    AZURE_VERSION,
    DATABRICKS,
    OPENAI,
    chat,
    chunk_text,
    messages,
    openai_chunks,
    parse_sse,
    stream_events,
    stream_raw,
)
from tui.simulator import Simulator

STATUSES = [400, 401, 403, 404, 429, 500, 502, 503, 529]


@pytest.mark.parametrize("status", STATUSES)
async def test_status_faults_in_openai_shape(http: httpx.AsyncClient, status: int) -> None:
    r = await http.post("/v1/chat/completions", json=chat(f"gpt-4o-mini@fault={status}", stream=True), headers=OPENAI)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    if status in (429, 503, 529):
        assert r.headers["retry-after"] == "1"
    else:
        assert "retry-after" not in r.headers


@pytest.mark.parametrize("status", STATUSES)
async def test_status_faults_in_azure_shape(http: httpx.AsyncClient, status: int) -> None:
    r = await http.post(
        f"/openai/deployments/gpt4o@fault={status}/chat/completions",
        params=AZURE_VERSION,
        json={"messages": [{"role": "user", "content": "x"}]},
        headers=AZURE,
    )
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"code", "message"} and isinstance(error["code"], str)


@pytest.mark.parametrize("status", STATUSES)
async def test_status_faults_in_anthropic_shape(http: httpx.AsyncClient, status: int) -> None:
    r = await http.post("/v1/messages", json=messages(f"claude@fault={status}"), headers=ANTHROPIC)
    assert r.status_code == status
    body = r.json()
    assert body["type"] == "error" and body["request_id"].startswith("req_")
    expected = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
        529: "overloaded_error",
    }.get(status, "api_error")
    assert body["error"]["type"] == expected


@pytest.mark.parametrize("status", STATUSES)
async def test_status_faults_in_databricks_shape(http: httpx.AsyncClient, status: int) -> None:
    r = await http.post(
        "/serving-endpoints/my-chat/invocations",
        json={"messages": [{"role": "user", "content": "x"}]},
        headers={**DATABRICKS, "x-sim-fault": str(status)},
    )
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error_code", "message"} and body["error_code"].isupper()


async def test_retry_after_headers_per_dialect(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat("gpt-4o-mini@fault=429,retry_after=2"), headers=OPENAI)
    assert r.headers["retry-after"] == "2" and r.headers["x-ratelimit-reset-requests"] == "2s"
    assert r.json()["error"]["code"] == "rate_limit_exceeded"
    r = await http.post(
        "/openai/deployments/gpt4o/chat/completions",
        params=AZURE_VERSION,
        json={"messages": [{"role": "user", "content": "x"}]},
        headers={**AZURE, "x-sim-fault": "429", "x-sim-retry-after": "1.5"},
    )
    assert r.headers["retry-after"] == "2" and r.headers["retry-after-ms"] == "1500"
    assert r.json()["error"]["code"] == "429" and "Please retry after 2 seconds" in r.json()["error"]["message"]
    r = await http.post("/v1/messages", json=messages("claude@fault=529,retry_after=4"), headers=ANTHROPIC)
    assert r.headers["retry-after"] == "4"
    assert r.json()["error"] == {"type": "overloaded_error", "message": "Overloaded"}


async def test_cut_closes_the_stream_abruptly_after_cut_after_tokens(http: httpx.AsyncClient) -> None:
    received: list[bytes] = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        async with http.stream(
            "POST", "/v1/chat/completions", json=chat("m@tokens=10,fault=cut,cut_after=4", stream=True), headers=OPENAI
        ) as r:
            assert r.status_code == 200
            async for piece in r.aiter_raw():
                received.append(piece)
    events = parse_sse(b"".join(received))
    chunks = [json.loads(data) for _, data in events]
    assert len(chunks) == 1 + 4  # role chunk + 4 content chunks, then nothing


async def test_cut_defaults_to_half_and_also_breaks_non_stream_bodies(http: httpx.AsyncClient) -> None:
    received: list[bytes] = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        async with http.stream(
            "POST", "/v1/messages", json=messages("claude@tokens=10,fault=cut", stream=True), headers=ANTHROPIC
        ) as r:
            async for piece in r.aiter_raw():
                received.append(piece)
    names = [name for name, _ in parse_sse(b"".join(received))]
    assert names.count("content_block_delta") == 5 and "message_stop" not in names
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        await http.post("/v1/chat/completions", json=chat("m@fault=cut"), headers=OPENAI)


async def test_stall_stream_gives_a_read_timeout(http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        async with http.stream(
            "POST",
            "/v1/chat/completions",
            json=chat("m@fault=stall", stream=True),
            headers=OPENAI,
            timeout=httpx.Timeout(5.0, read=0.3),
        ) as r:
            assert r.status_code == 200  # headers came; then silence
            async for _ in r.aiter_raw():
                pass
    assert time.monotonic() - started < 3


async def test_stall_non_stream_and_slow_headers_time_out_before_the_status_line(http: httpx.AsyncClient) -> None:
    timeout = httpx.Timeout(5.0, read=0.3)
    with pytest.raises(httpx.ReadTimeout):
        await http.post("/v1/chat/completions", json=chat("m@fault=stall"), headers=OPENAI, timeout=timeout)
    with pytest.raises(httpx.ReadTimeout):
        await http.post(
            "/v1/chat/completions", json=chat("m@fault=slow_headers", stream=True), headers=OPENAI, timeout=timeout
        )


async def test_short_stall_then_the_answer_arrives(http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    body = chat("m@tokens=6,fault=stall,stall_s=0.3,cut_after=3", stream=True)
    _, events = await stream_events(http, "/v1/chat/completions", body, OPENAI)
    assert time.monotonic() - started >= 0.3
    assert len(openai_chunks(events)) == 1 + 6 + 1
    started = time.monotonic()
    r = await http.post("/v1/chat/completions", json=chat("m@fault=slow_headers,stall_s=0.2"), headers=OPENAI)
    assert r.status_code == 200 and time.monotonic() - started >= 0.2


async def test_nodone_ends_without_done_or_message_stop(http: httpx.AsyncClient) -> None:
    _, events = await stream_events(http, "/v1/chat/completions", chat("m@tokens=3,fault=nodone", stream=True), OPENAI)
    assert (None, "[DONE]") not in events
    assert json.loads(events[-1][1])["choices"][0]["finish_reason"] == "stop"
    _, events = await stream_events(http, "/v1/messages", messages("c@tokens=3,fault=nodone", stream=True), ANTHROPIC)
    names = [name for name, _ in events]
    assert names[-1] == "message_delta" and "message_stop" not in names


async def test_malformed_stream_has_one_bad_chunk_then_goes_on(http: httpx.AsyncClient) -> None:
    _, events = await stream_events(
        http, "/v1/chat/completions", chat("m@tokens=6,fault=malformed,cut_after=2", stream=True), OPENAI
    )
    assert events[-1] == (None, "[DONE]")
    bad = []
    good = []
    for _, data in events[:-1]:
        try:
            good.append(json.loads(data))
        except json.JSONDecodeError:
            bad.append(data)
    assert len(bad) == 1 and bad[0].startswith("{")
    assert len(good) == 1 + 6 + 1
    assert good.index(next(c for c in good if c["choices"][0]["finish_reason"])) == 7
    # the bad one sits after the second content chunk
    datas = [d for _, d in events]
    assert datas.index(bad[0]) == 3


async def test_malformed_non_stream_is_a_200_with_invalid_json(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/chat/completions", json=chat("m@fault=malformed"), headers=OPENAI)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert r.content.startswith(b'{"id":"chatcmpl-sim')


async def test_drip_splits_events_but_they_reassemble_identically(http: httpx.AsyncClient) -> None:
    plain_body = chat("m@tokens=12", stream=True)
    _, plain_raw, plain_reads = await stream_raw(http, "/v1/chat/completions", plain_body, OPENAI)
    drip_body = chat("m@tokens=12,fault=drip", stream=True)
    _, drip_raw, drip_reads = await stream_raw(http, "/v1/chat/completions", drip_body, OPENAI)

    def strip(raw: bytes) -> list[object]:
        out = []
        for _, data in parse_sse(raw):
            if data != "[DONE]":
                chunk = json.loads(data)
                chunk.pop("id"), chunk.pop("created")
                data = chunk
            out.append(data)
        return out

    assert strip(drip_raw) == strip(plain_raw)
    assert drip_reads > 2 * len(parse_sse(drip_raw)), (drip_reads, plain_reads)
    # also through httpx's line iterator, as the app will read it
    async with http.stream(
        "POST", "/v1/messages", json=messages("c@tokens=8,fault=drip", stream=True), headers=ANTHROPIC
    ) as r:
        lines = [line async for line in r.aiter_lines()]
    names = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    assert names[:3] == ["message_start", "content_block_start", "ping"] and names[-1] == "message_stop"
    assert names.count("content_block_delta") == 8
    # non-stream bodies drip too, and still parse
    dripped = await http.post("/v1/chat/completions", json=chat("m@tokens=12,fault=drip"), headers=OPENAI)
    whole = await http.post("/v1/chat/completions", json=chat("m@tokens=12"), headers=OPENAI)
    assert dripped.json()["choices"] == whole.json()["choices"]


async def test_error_event_mid_stream_openai_and_anthropic(http: httpx.AsyncClient) -> None:
    _, events = await stream_events(
        http, "/v1/chat/completions", chat("m@tokens=6,fault=error_event", stream=True), OPENAI
    )
    assert (None, "[DONE]") not in events
    last = json.loads(events[-1][1])
    assert last["error"]["type"] == "server_error" and last["error"]["message"]
    assert chunk_text([json.loads(d) for _, d in events[:-1]]) != ""
    assert len(events) == 1 + 3 + 1
    response, events = await stream_events(
        http, "/v1/messages", messages("c@tokens=6,fault=error_event,cut_after=2", stream=True), ANTHROPIC
    )
    assert response.status_code == 200
    assert events[-1] == ("error", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
    assert [name for name, _ in events].count("content_block_delta") == 2


async def test_ttft_and_tps_pace_the_stream(http: httpx.AsyncClient) -> None:
    arrivals: list[float] = []
    started = time.monotonic()
    async with http.stream(
        "POST", "/v1/chat/completions", json=chat("m@tokens=10,ttft=0.25,tps=40", stream=True), headers=OPENAI
    ) as r:
        async for line in r.aiter_lines():
            if '"content":"' in line and '"role"' not in line:
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 10
    assert arrivals[0] >= 0.24
    assert arrivals[-1] - arrivals[0] >= 9 / 40 - 0.02
    assert arrivals[-1] < 2.0
    started = time.monotonic()
    r = await http.post("/v1/chat/completions", json=chat("m@tokens=10,ttft=0.1,tps=50"), headers=OPENAI)
    assert r.status_code == 200 and time.monotonic() - started >= 0.1 + 10 / 50 - 0.02


async def test_two_thousand_tokens_without_a_pace_all_arrive(http: httpx.AsyncClient) -> None:
    """No ``tps`` knob: the whole answer is sent without pauses (its speed is measured by the benchmarks, not
    asserted here; the bound only stops a hang)."""
    started = time.monotonic()
    _, events = await stream_events(http, "/v1/chat/completions", chat("m@tokens=2000", stream=True), OPENAI)
    assert len(openai_chunks(events)) == 2002
    assert time.monotonic() - started < 20


async def test_sixteen_concurrent_streams_do_not_block_each_other(sim: Simulator) -> None:
    # each stream takes ~0.3 s (15 tokens at 50/s); run back to back they would take at least 4.8 s
    async with httpx.AsyncClient(
        base_url=sim.base_url, timeout=10.0, limits=httpx.Limits(max_connections=32)
    ) as client:
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                stream_events(
                    client, "/v1/chat/completions", chat("m@tokens=15,tps=50", content=f"q{i}", stream=True), OPENAI
                )
                for i in range(16)
            )
        )
        elapsed = time.monotonic() - started
    assert all(len(openai_chunks(events)) == 17 for _, events in results)
    assert len({chunk_text(openai_chunks(events)) for _, events in results}) == 16
    assert elapsed < 4.0, elapsed  # well below 4.8 s even on a loaded machine


async def test_stop_returns_promptly_with_stalled_requests_in_flight() -> None:
    sim = Simulator(api_key="sim-key")
    await sim.start()
    base_url = sim.base_url
    async with httpx.AsyncClient(base_url=sim.base_url, timeout=10.0) as client:
        stalled = [
            asyncio.create_task(client.post("/v1/chat/completions", json=chat("m@fault=stall"), headers=OPENAI)),
            asyncio.create_task(
                client.post("/v1/chat/completions", json=chat("m@fault=stall", stream=True), headers=OPENAI)
            ),
        ]
        for _ in range(200):
            if len(sim.requests) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(sim.requests) == 2
        started = time.monotonic()
        await sim.stop()
        assert time.monotonic() - started < 5.0  # not the stalls' 10 s client timeout
        results = await asyncio.gather(*stalled, return_exceptions=True)
    assert all(isinstance(r, httpx.TransportError) or getattr(r, "status_code", None) == 200 for r in results)
    assert any(isinstance(r, httpx.TransportError) for r in results)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.post(f"{base_url}/v1/chat/completions", json=chat(), headers=OPENAI)
