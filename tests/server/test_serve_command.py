"""``switchboard serve`` as a user runs it: a real process on 127.0.0.1, requests logged, Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.cli_runner import Cli

STARTED = re.compile(r"Serving .* on http://([^ ]+) \(Ctrl-C stops\)")


def start(workspace: Path, *args: str) -> tuple[subprocess.Popen[str], str, str]:
    """The command in its own process, its URL once it says it listens (within 15 s; else it is killed) and
    what it wrote to stderr until then."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "--workspace", str(workspace), "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 15
    lines = []
    while time.monotonic() < deadline and (line := process.stderr.readline()):
        lines.append(line)
        if found := STARTED.search(line):
            return process, f"http://{found.group(1)}", "".join(lines)
    process.kill()
    process.wait(timeout=5)
    raise AssertionError(f"serve did not start: {lines}")


@contextmanager
def serving(workspace: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """``start``, and the process killed at the end if it still runs (a test that failed leaves none behind)."""
    process, url, said = start(workspace, *args)
    try:
        yield process, url, said
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def served(workspace_file: Path, token: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    with serving(workspace_file) as started:
        yield started


def test_it_serves_on_loopback_logs_each_request_and_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[str], str, str], token: str
) -> None:
    process, url, said = served
    assert url.startswith("http://127.0.0.1:")
    assert "Warning" not in said
    with httpx.Client(base_url=url, timeout=5) as client:
        created = client.post(
            "/api/2.0/secrets/scopes/create", json={"scope": "team"}, headers={"Authorization": f"Bearer {token}"}
        )
        refused = client.get("/api/2.0/secrets/scopes/list")
    assert created.status_code == 200
    assert refused.status_code == 401
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert re.search(r"POST /api/2\.0/secrets/scopes/create 200 [\d.]+ms alice", err)
    assert re.search(r"GET /api/2\.0/secrets/scopes/list 401 [\d.]+ms -", err)
    assert "Stopped" in err
    assert token not in err
    assert "Traceback" not in err


def test_another_host_is_served_only_when_asked_and_with_a_warning(workspace_file: Path) -> None:
    with serving(workspace_file, "--host", "0.0.0.0") as (process, url, said):
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert url.startswith("http://0.0.0.0:")
    assert "Warning: listening on 0.0.0.0" in said


def test_a_taken_port_is_a_clear_error(
    workspace_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(workspace_file, capsys, monkeypatch)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = cli("serve", "--port", str(port))
    assert code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in err
    assert "(INVALID_PARAMETER_VALUE)" in err


def test_other_commands_do_not_import_the_server_stack() -> None:
    code = (
        "import sys, tui.cli.main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.strip() == "[]"


def test_a_rollout_time_makes_changes_roll_out_as_on_databricks(workspace_file: Path, token: str) -> None:
    from tui.simulator.endpoints import endpoint_body

    with serving(workspace_file, "--rollout-seconds", "600") as (process, url, _):
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            client.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).raise_for_status()
            client.post("/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": "k"})
            created = client.post(
                "/api/2.0/serving-endpoints", json=endpoint_body("http://127.0.0.1:9", "openai", "chat")
            )
        assert created.status_code == 200, created.text
        assert created.json()["state"] == {"ready": "NOT_READY", "config_update": "IN_PROGRESS"}
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("-1", "-1 is not a number of seconds (0 to 3600)"),
        ("nan", "nan is not a number of seconds (0 to 3600)"),
        ("3601", "3601 is not a number of seconds (0 to 3600)"),
        ("abc", "invalid seconds value: 'abc'"),
    ],
)
def test_a_rollout_time_that_is_no_number_of_seconds_is_a_usage_error(
    workspace_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str, said: str
) -> None:
    cli = Cli(workspace_file, capsys, monkeypatch)
    with pytest.raises(SystemExit) as exited:
        cli("serve", "--port", "0", "--rollout-seconds", value)
    assert exited.value.code == 2
    assert f"argument --rollout-seconds: {said}" in capsys.readouterr().err
    assert not workspace_file.exists()


async def test_connections_accepted_on_the_listener_have_nagle_off() -> None:
    """Else each small answer waits ~40 ms for the client's delayed ACK (asyncio sets TCP_NODELAY only on
    connections accepted from a socket made as TCP)."""
    import asyncio

    from tui.cli.serve import _listen

    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Note(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    listener = _listen("127.0.0.1", 0)
    server = await asyncio.get_running_loop().create_server(Note, sock=listener)
    try:
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        assert await asyncio.wait_for(accepted, 10) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
