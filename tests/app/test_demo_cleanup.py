"""``switchboard --demo`` leaves no folder and no simulator process behind: not when the terminal is closed
(SIGHUP), not when it is told to stop (SIGTERM), and what a killed process left is removed by the next
``--demo`` start (its simulator ends by itself).

The app runs as a real process on a pseudo-terminal that is its controlling terminal, so closing the
master side hangs it up as closing a terminal window does. TMPDIR, HOME and XDG dirs point into the
test's own folder: the user's temp dir and config are never read or touched. The app is this checkout's
(``python -m tui`` with this checkout first on the path), not whichever ``switchboard`` is installed.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.simulator.test_process import ends
from tui.app.demo import FOLDER_PREFIX, MARKER, remove_stale_folders

ROOT = str(Path(__file__).resolve().parents[2])
FIRST_SCREEN = "simulated endpoints"  # in the header of the demo's first frame
WAIT_S = 20.0
# a new session whose controlling terminal is stdin, then exec (same PID) the command in argv[1:]; the
# stop signals get their default action, as in a terminal (a test run under nohup or in the background of
# a script ignores SIGHUP or SIGINT, and an ignored signal stays ignored across exec)
_AS_SESSION_LEADER = (
    "import fcntl, os, signal, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)]; "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
_ESCAPES = re.compile(rb"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]")


class Demo:
    """``switchboard --demo`` on a fresh 160x45 pty that is its controlling terminal."""

    def __init__(self, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _AS_SESSION_LEADER, sys.executable, "-m", "tui", "--demo"],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env={**env, "PYTHONPATH": ROOT},
            )
        finally:
            os.close(slave)
        self.master_open = True

    def simulators(self) -> list[int]:
        """The PIDs of the demo's simulator processes (children of the app)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                command = (stat.parent / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.proc.pid and b"tui.simulator.child" in command:
                found.append(int(stat.parent.name))
        return found

    def wait_for_first_screen(self) -> None:
        output = b""
        deadline = time.monotonic() + WAIT_S
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            try:
                chunk = os.read(self.master, 65536) if ready else b""
            except OSError:  # EIO: the app is gone
                break
            output += chunk
            if FIRST_SCREEN in _ESCAPES.sub(b"", output).decode("utf-8", "replace"):
                return
        pytest.fail(f"no first screen within {WAIT_S:.0f} s; last output:\n{output[-800:]!r}")

    def quit(self) -> int:
        """Press ctrl+q and wait for the app to end, reading what it draws meanwhile (a full pty would block it)."""
        os.write(self.master, b"\x11")
        deadline = time.monotonic() + WAIT_S
        while self.proc.poll() is None and (left := deadline - time.monotonic()) > 0:
            if select.select([self.master], [], [], min(left, 0.05))[0]:
                try:
                    os.read(self.master, 65536)
                except OSError:  # EIO: the app is gone
                    break
        return self.wait()

    def hang_up(self) -> None:
        """Close the terminal: the kernel sends SIGHUP to the app's session."""
        os.close(self.master)
        self.master_open = False

    def wait(self) -> int:
        return self.proc.wait(timeout=WAIT_S)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT_S)
        if self.master_open:
            os.close(self.master)


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD", "TEXTUAL"))}
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR"):
        (tmp_path / var).mkdir()
        env[var] = str(tmp_path / var)
    env.update(TERM="xterm-256color", COLUMNS="160", LINES="45")
    return env


@pytest.fixture
def start_demo(tmpdir_env: dict[str, str]) -> Iterator[Callable[[], Demo]]:
    """Starts demos that have drawn their first screen; any still running at the end are killed."""
    started: list[Demo] = []

    def start() -> Demo:
        demo = Demo(tmpdir_env)
        started.append(demo)
        demo.wait_for_first_screen()
        return demo

    yield start
    for demo in started:
        demo.close()


def demo_folders(env: dict[str, str]) -> list[Path]:
    return sorted(Path(env["TMPDIR"]).glob(f"{FOLDER_PREFIX}*"))


def test_quitting_ends_the_simulator_and_removes_the_demo_folder(
    start_demo: Callable[[], Demo], tmpdir_env: dict[str, str]
) -> None:
    demo = start_demo()
    [simulator] = demo.simulators()
    assert demo.quit() == 0
    assert demo_folders(tmpdir_env) == []
    assert ends(simulator)


def test_closing_the_terminal_removes_the_demo_folder(
    start_demo: Callable[[], Demo], tmpdir_env: dict[str, str]
) -> None:
    demo = start_demo()
    assert len(demo_folders(tmpdir_env)) == 1
    [simulator] = demo.simulators()
    demo.hang_up()
    assert demo.wait() == -signal.SIGHUP
    assert demo_folders(tmpdir_env) == []
    assert ends(simulator)


def test_sigterm_removes_the_demo_folder(start_demo: Callable[[], Demo], tmpdir_env: dict[str, str]) -> None:
    demo = start_demo()
    assert len(demo_folders(tmpdir_env)) == 1
    [simulator] = demo.simulators()
    demo.proc.send_signal(signal.SIGTERM)
    assert demo.wait() == -signal.SIGTERM
    assert demo_folders(tmpdir_env) == []
    assert ends(simulator)


def test_the_next_start_removes_what_a_killed_demo_left(
    start_demo: Callable[[], Demo], tmpdir_env: dict[str, str]
) -> None:
    killed = start_demo()
    [simulator] = killed.simulators()
    killed.proc.kill()  # like a crash: nothing of its own runs
    killed.wait()
    assert ends(simulator)
    [left] = demo_folders(tmpdir_env)
    second = start_demo()
    [current] = demo_folders(tmpdir_env)
    assert current != left
    assert (current / MARKER).read_text() == str(second.proc.pid)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=WAIT_S)
    return proc.pid


def test_stale_folders_go_and_others_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def folder(name: str, marker: str | None) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "demo.db").write_text("")
        if marker is not None:
            (path / MARKER).write_text(marker)
        return path

    dead = folder(f"{FOLDER_PREFIX}dead", str(_dead_pid()))
    kept = [
        folder(f"{FOLDER_PREFIX}live", str(os.getpid())),
        folder(f"{FOLDER_PREFIX}no-marker", None),
        folder(f"{FOLDER_PREFIX}not-a-pid", "hello"),
        folder("someone-else-dead", str(_dead_pid())),
    ]
    remove_stale_folders()
    assert not dead.exists()
    assert all(path.exists() for path in kept)
