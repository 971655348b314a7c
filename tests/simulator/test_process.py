"""The simulator in a child process: it serves at once, ends with its parent however the parent ends
(normal exit, SIGTERM or SIGHUP through the demo's handlers, SIGKILL), and a failed start says why."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.simulator.helpers import KEY, OPENAI, chat
from tui.app.demo import FOLDER_PREFIX
from tui.simulator.process import SimulatorProcess, SimulatorStartError

ROOT = str(Path(__file__).resolve().parents[2])
WAIT_S = 15.0


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def ends(pid: int) -> bool:
    deadline = time.monotonic() + WAIT_S
    while running(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)  # leave no orphan behind, even when the test fails
            return False
        time.sleep(0.05)
    return True


def test_it_serves_before_it_is_awaited_and_ends_on_exit(tmp_path: Path) -> None:
    with SimulatorProcess(KEY, tmp_path / "log") as sim:
        assert running(sim.pid) and sim.base_url.startswith("http://127.0.0.1:")
        answer = httpx.post(  # sent right away: it waits in the socket's backlog until the child is up
            f"{sim.base_url}/v1/chat/completions", json=chat("m@tokens=4"), headers=OPENAI, timeout=WAIT_S
        )
        assert answer.status_code == 200 and answer.json()["usage"]["completion_tokens"] == 4
        sim.wait_ready()
        assert httpx.post(f"{sim.base_url}/v1/chat/completions", json=chat(), headers={}).status_code == 401
    assert not running(sim.pid)
    with pytest.raises(httpx.ConnectError):
        httpx.get(sim.base_url, timeout=2)


# the parent: a demo environment (its signal handlers included) that prints the child's PID, then waits
PARENT = """
import sys, time
from tui.app.demo import demo_environment
with demo_environment() as (path, sim):
    sim.wait_ready()
    print(sim.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_the_child_ends_when_its_parent_is_stopped_or_killed(tmp_path: Path, signum: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": ROOT, "TMPDIR": str(tmp_path)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert running(child)
        parent.send_signal(signum)
        assert parent.wait(timeout=WAIT_S) == -signum
        assert ends(child), f"the simulator outlived its parent (signal {signum.name})"
        left = list(tmp_path.glob(f"{FOLDER_PREFIX}*"))
        assert left == [] or signum == signal.SIGKILL  # the demo folder went too (a SIGKILL leaves it)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_simulator_that_cannot_be_started_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    with pytest.raises(SimulatorStartError, match=r"could not be started.*no-such-python"):
        SimulatorProcess(KEY, tmp_path / "log").start()


def failing_python(folder: Path) -> str:
    """An "interpreter" that says what is wrong on stderr and exits with status 3."""
    path = folder / "broken-python"
    path.write_text("#!/bin/sh\necho 'no python here' >&2\nexit 3\n")
    path.chmod(0o755)
    return str(path)


def test_a_simulator_that_stops_at_start_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", failing_python(tmp_path))
    sim = SimulatorProcess(KEY, tmp_path / "log").start()
    with pytest.raises(SimulatorStartError, match=r"stopped at start \(exit code 3\): no python here$"):
        sim.wait_ready()
    assert not running(sim.pid)
