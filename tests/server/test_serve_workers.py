"""``switchboard serve --workers N`` as a user runs it: several processes on one socket and one workspace file.

Rate limits must stay exact across the processes, Ctrl-C must end them all, and a worker that dies is reported.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.test_serve_command import start
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY, endpoint_body

WORKERS = 3
WORKER_STARTED = re.compile(r"\[(\d+)\] Worker started$")
ACCESS = re.compile(r"\[(\d+)\] (GET|POST|PUT) (\S+) (\d{3}) [\d.]+ms (\S+)$")
CHAT = {"messages": [{"role": "user", "content": "Count to three"}], "max_tokens": 5}


class Served:
    """A ``serve --workers`` process, its URL and every line it writes to stderr (read by a thread, so the pipe
    never fills up)."""

    def __init__(self, workspace: Path, token: str) -> None:
        self.process, self.url, said = start(workspace, "--workers", str(WORKERS))
        self.token = token
        self._lines = said.splitlines()
        self._guard = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._guard:
                self._lines.append(line.rstrip("\n"))

    @property
    def lines(self) -> list[str]:
        with self._guard:
            return list(self._lines)

    def wait_for(self, found: Callable[[list[str]], bool], what: str, seconds: float = 60) -> list[str]:
        """The lines once ``found`` says they hold what is awaited; an error after ``seconds`` (a bounded wait, long
        because workers on a loaded machine take a while to start)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if found(lines := self.lines):
                return lines
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {seconds} s: {self.lines}")

    def worker_pids(self, count: int = WORKERS) -> list[int]:
        """The pids of the first ``count`` workers to say they started (waiting for them)."""
        lines = self.wait_for(lambda ls: len(_started(ls)) >= count, f"{count} started workers")
        return _started(lines)[:count]

    def access(self) -> list[tuple[int, str, str, int]]:
        """(pid, method, path, status) of each request logged so far."""
        return [(int(m[1]), m[2], m[3], int(m[4])) for line in self.lines if (m := ACCESS.search(line))]

    def wait_for_paths(self, paths: Collection[str] = (), count: int = 0) -> None:
        """Until requests to every one of ``paths``, and ``count`` requests in all, have been logged (bounded)."""

        def logged(lines: list[str]) -> bool:
            found = [m[3] for line in lines if (m := ACCESS.search(line))]
            return len(found) >= count and set(paths) <= set(found)

        self.wait_for(logged, f"access lines ({count}, {sorted(paths)[:3]}...)")

    def client(self) -> httpx.Client:
        """A client with the token, holding one connection at most (so one worker answers all its calls)."""
        return httpx.Client(
            base_url=self.url,
            timeout=30,
            headers={"Authorization": f"Bearer {self.token}"},
            limits=httpx.Limits(max_connections=1),
        )

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Send ``sig`` to the parent; its exit code, once it and the reader are done (bounded)."""
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return code


def _started(lines: list[str]) -> list[int]:
    return [int(m[1]) for line in lines if (m := WORKER_STARTED.search(line))]


def _gone(pid: int) -> bool:
    """The process has ended (a zombie left to a reaper that does not reap counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _children(parent: int) -> dict[int, bool]:
    """The processes whose parent is ``parent``, each saying whether it is one multiprocessing spawned (a worker)."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found[int(proc.name)] = b"spawn_main" in (proc / "cmdline").read_bytes()
    return found


@pytest.fixture
def served(workspace_file: Path, token: str) -> Iterator[Served]:
    server = Served(workspace_file, token)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()  # the workers see their pipe end and stop by themselves
            server.process.wait(timeout=10)


def test_several_workers_answer_and_each_line_names_its_process(served: Served) -> None:
    workers = served.worker_pids()
    assert any(f"with {WORKERS} workers on http://127.0.0.1:" in line for line in served.lines)

    def one_call() -> None:
        # a connection of its own each time, so the kernel hands it to whichever worker takes it first
        with served.client() as client:
            client.get("/api/2.0/secrets/scopes/list")

    for round_ in range(1, 21):  # rounds of concurrent calls until two workers have answered
        threads = [threading.Thread(target=one_call) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        served.wait_for_paths(count=12 * round_)
        if len({pid for pid, *_ in served.access()}) >= 2:
            break
    answering = {pid for pid, *_ in served.access()}
    assert len(answering) >= 2, served.lines
    assert answering <= set(workers)
    assert all(status == 200 for *_, status in served.access())
    assert served.stop() == 0  # SIGINT, as Ctrl-C sends
    assert all(_gone(pid) for pid in workers)
    assert served.lines[-1].endswith("Stopped")
    assert "Traceback" not in "\n".join(served.lines)
    assert served.token not in "\n".join(served.lines)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(api_key=SIM_KEY).running_in_thread() as simulator:
        yield simulator


def test_rate_limit_is_exact_across_workers(served: Served, sim: Simulator) -> None:
    with served.client() as api:
        assert api.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).status_code == 200
        put = api.post("/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": SIM_KEY})
        assert put.status_code == 200
        created = api.post("/api/2.0/serving-endpoints", json=endpoint_body(sim.base_url, "openai", "chat", name="few"))
        assert created.status_code == 200, created.text
        limits = {"rate_limits": [{"calls": 10, "key": "endpoint", "renewal_period": "minute"}]}
        assert api.put("/api/2.0/serving-endpoints/few/rate-limits", json=limits).status_code == 200
    served.worker_pids()

    clients = _connections_on_several_workers(served, 40)
    go = threading.Event()
    answers: list[httpx.Response] = []
    guard = threading.Lock()

    def invoke(client: httpx.Client) -> None:
        go.wait(timeout=30)
        answer = client.post("/serving-endpoints/few/invocations", json=CHAT)
        with guard:
            answers.append(answer)

    threads = [threading.Thread(target=invoke, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(timeout=60)
    for client in clients:
        client.close()

    assert len(answers) == 40
    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(admitted) == 10, [a.text for a in refused if a.status_code != 429]
    assert len(sim.requests) == 10
    for answer in refused:
        assert answer.status_code == 429
        assert answer.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED" and answer.json()["message"]
        assert answer.headers["retry-after"].isdigit() and 1 <= int(answer.headers["retry-after"]) <= 60
    invoked = "/serving-endpoints/few/invocations"
    served.wait_for(lambda ls: sum(f" {invoked} " in line for line in ls) >= 40, "access lines of the invocations")
    assert not any("HTTP Request" in line for line in served.lines)  # one line per request: httpx's are quiet
    by = {pid for pid, _, path, _ in served.access() if path == invoked}
    assert len(by) >= 2, served.lines  # the limit was kept by more than one process
    assert served.stop() == 0


def _connections_on_several_workers(served: Served, count: int) -> list[httpx.Client]:
    """``count`` open connections (a client of one connection each) held by at least two workers.

    Each connection is probed with a path of its own, whose access line says which worker holds it; a round
    landing on one worker only is closed and another opened (a bounded number of times).
    """
    for round_ in range(10):
        clients = [served.client() for _ in range(count)]
        probes = [f"/api/2.0/probe-{round_}-{i}" for i in range(count)]
        threads = [
            threading.Thread(target=client.get, args=(probe,)) for client, probe in zip(clients, probes, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        served.wait_for_paths(probes)
        if len({pid for pid, _, path, _ in served.access() if path in probes}) >= 2:
            return clients
        for client in clients:
            client.close()
    raise AssertionError(f"every round of connections went to one worker: {served.lines}")


def test_sigterm_to_the_parent_stops_every_worker(served: Served) -> None:
    workers = served.worker_pids()
    with served.client() as client:
        assert client.get("/api/2.0/secrets/scopes/list").status_code == 200
    assert served.stop(signal.SIGTERM) == 0
    assert all(_gone(pid) for pid in workers)
    assert served.lines[-1].endswith("Stopped")
    assert "Traceback" not in "\n".join(served.lines)


def test_ctrl_c_at_a_terminal_stops_all_quietly_even_while_the_workers_start(served: Served) -> None:
    """A terminal sends Ctrl-C's SIGINT to every process of its group: the workers (here most likely still
    importing) as well as the parent. Only the parent acts on it: no trace, no worker reported dead."""
    children = _children(served.process.pid)
    workers = [pid for pid, spawned in children.items() if spawned]
    assert len(workers) == WORKERS
    for pid in children:  # multiprocessing's resource tracker too (it ends by itself after the parent)
        os.kill(pid, signal.SIGINT)
    assert served.stop() == 0
    assert all(_gone(pid) for pid in workers)
    assert served.lines[-1].endswith("Stopped")
    said = "\n".join(served.lines)
    assert "Traceback" not in said and "KeyboardInterrupt" not in said
    assert " ended (" not in said


def test_a_worker_that_dies_is_reported_and_replaced(served: Served) -> None:
    first, *others = served.worker_pids()
    os.kill(first, signal.SIGKILL)
    lines = served.wait_for(lambda ls: any(f"Worker {first} ended" in line for line in ls), "report of the death")
    report = next(line for line in lines if f"Worker {first} ended" in line)
    found = re.search(r"ended \(signal SIGKILL\); started (\d+) in its place", report)
    assert found, report
    replacement = int(found[1])
    served.wait_for(lambda ls: replacement in _started(ls), "the replacement's start")
    with served.client() as client:
        assert client.get("/api/2.0/secrets/scopes/list").status_code == 200
    assert served.stop() == 0
    assert all(_gone(pid) for pid in [replacement, *others])


def test_workers_stop_when_the_parent_is_killed_outright(served: Served) -> None:
    workers = served.worker_pids()
    served.process.kill()
    served.process.wait(timeout=10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(_gone(pid) for pid in workers):
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("0", "0 is not a number of workers (1 to 64)"),
        ("-1", "-1 is not a number of workers (1 to 64)"),
        ("65", "65 is not a number of workers (1 to 64)"),
        ("abc", "invalid workers value: 'abc'"),
    ],
)
def test_a_bad_number_of_workers_is_a_usage_error_and_starts_nothing(
    workspace_file: Path, value: str, said: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--workspace", str(workspace_file), "serve", "--port", "0", "--workers", value],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert f"argument --workers: {said}" in result.stderr
    assert "Serving" not in result.stderr
    assert not workspace_file.exists()
