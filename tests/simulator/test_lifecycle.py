"""Starting, stopping, running in a thread, the CLI entry point, and HTTP edge cases."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.simulator.helpers import KEY, OPENAI, chat
from tui.simulator import Simulator


def test_running_in_thread_serves_sync_clients() -> None:
    sim = Simulator(api_key=KEY)
    with pytest.raises(RuntimeError):
        _ = sim.base_url
    with sim.running_in_thread() as running:
        assert running is sim
        base_url = sim.base_url
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url, timeout=5) as client:
            r = client.post("/v1/chat/completions", json=chat("m@tokens=3"), headers=OPENAI)
            assert r.status_code == 200 and r.json()["usage"]["completion_tokens"] == 3
            with client.stream(
                "POST", "/v1/chat/completions", json=chat("m@tokens=3", stream=True), headers=OPENAI
            ) as stream:
                assert list(stream.iter_lines())[-2:] == ["data: [DONE]", ""]
        assert [req.path for req in sim.requests] == ["/v1/chat/completions"] * 2
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{base_url}/v1/chat/completions", json=chat(), headers=OPENAI, timeout=2)


def test_running_in_thread_stops_promptly_with_a_stalled_request() -> None:
    sim = Simulator(api_key=KEY)
    errors: list[BaseException] = []
    with sim.running_in_thread():

        def stalled() -> None:
            try:
                httpx.post(
                    f"{sim.base_url}/v1/chat/completions", json=chat("m@fault=stall"), headers=OPENAI, timeout=10
                )
            except httpx.HTTPError as err:
                errors.append(err)

        worker = threading.Thread(target=stalled, daemon=True)
        worker.start()
        deadline = time.monotonic() + 5
        while not sim.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sim.requests
        started = time.monotonic()
    assert time.monotonic() - started < 2
    worker.join(timeout=5)
    assert not worker.is_alive() and errors and isinstance(errors[0], httpx.TransportError)


async def test_restart_gets_a_fresh_port_and_keeps_recording() -> None:
    sim = Simulator(api_key=KEY)
    async with sim:
        first = sim.base_url
        async with httpx.AsyncClient() as client:
            assert (await client.get(first + "/")).status_code == 200
    await sim.stop()  # stopping twice is harmless
    async with sim, httpx.AsyncClient() as client:
        r = await client.post(sim.base_url + "/v1/chat/completions", json=chat(), headers=OPENAI)
        assert r.status_code == 200
    assert len(sim.requests) == 2


async def test_a_client_that_walks_away_mid_stream_does_not_hurt_others(
    sim: Simulator, http: httpx.AsyncClient
) -> None:
    async with http.stream(
        "POST", "/v1/chat/completions", json=chat("m@tokens=500,tps=200", stream=True), headers=OPENAI
    ) as r:
        async for _ in r.aiter_lines():
            break  # leave after the first line; the connection is dropped
    r = await http.post("/v1/chat/completions", json=chat("m@tokens=4"), headers=OPENAI)
    assert r.status_code == 200
    for _ in range(100):
        if len(sim._conns) <= 1:
            break
        await asyncio.sleep(0.02)
    assert len(sim._conns) <= 1


async def test_raw_http_edge_cases(sim: Simulator) -> None:
    port = int(sim.base_url.rsplit(":", 1)[1])

    async def exchange(data: bytes) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return answer

    answer = await exchange(b"NONSENSE\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"x-simulator: switchboard" in answer
    body = b'{"model":"m@tokens=2","messages":[{"role":"user","content":"x"}]}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = await exchange(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + KEY.encode()
        + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + chunked
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and b'"completion_tokens":2' in answer
    answer = await exchange(b"POST /v1/chat/completions HTTP/1.0\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 401 Unauthorized\r\n") and b"connection: close" in answer


def test_serve_forever_prints_the_url_and_routes_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = "from tui.simulator import serve_forever; serve_forever(0, 'demo-key-123456')"
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        # Ctrl-C as in a terminal: a run in the background of a script ignores SIGINT, and children inherit it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as proc:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or ()], daemon=True)
        reader.start()
        try:
            banner = []
            while not banner or not banner[-1].startswith("Ctrl-C"):
                banner.append(lines.get(timeout=10))  # bounded: raises queue.Empty if the child hangs
            text = "".join(banner)
            assert "Switchboard provider simulator on http://127.0.0.1:" in text
            assert "/v1/chat/completions" in text and "/openai/deployments/{deployment}/chat/completions" in text
            assert "/serving-endpoints/{endpoint}/invocations" in text and "/v1/messages" in text
            assert "demo-key-123456" not in text and "fault=F" in text
            base_url = banner[0].split(" on ", 1)[1].split()[0]
            r = httpx.post(
                f"{base_url}/v1/chat/completions",
                json=chat(),
                headers={"authorization": "Bearer demo-key-123456"},
                timeout=5,
            )
            assert r.status_code == 200
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=5) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(timeout=5)


async def test_only_the_latest_requests_are_kept() -> None:
    async with (
        Simulator(api_key=KEY, record=3) as sim,
        Simulator(api_key=KEY, record=0) as silent,
        httpx.AsyncClient(timeout=5) as client,
    ):
        for i in range(5):
            for running in (sim, silent):
                body = chat("m@tokens=1", content=f"call {i}")
                r = await client.post(f"{running.base_url}/v1/chat/completions", json=body, headers=OPENAI)
                assert r.status_code == 200
        assert [r.body["messages"][0]["content"] for r in sim.requests if r.body] == ["call 2", "call 3", "call 4"]
        assert silent.requests == []
