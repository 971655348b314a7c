"""The simulator in a child process of its own, tied to the life of the process that started it (``--demo``).

The parent binds the listening socket and hands it to the child, so the port is known at once and clients
may connect before the child is up (they wait in the socket's backlog): starting costs the parent a fork
and an exec, not the child's start-up, and the two never share an event loop or a GIL.

The child (:mod:`tui.simulator.child`) reads the API key from its stdin, says ``ready`` on its stdout, and
exits when its stdin closes: on :meth:`SimulatorProcess.stop`, and also when the parent dies however it
dies (a signal, SIGKILL), since the kernel then closes the parent's end of the pipe. It runs in a session
of its own, so the terminal's signals (Ctrl-C before the app takes the keyboard, a hang-up) reach only the
parent, which takes the child with it.

This module imports no part of the simulator proper: the parent does not pay for loading it.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

READY = b"ready\n"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 3.0
LOG_TAIL = 2000
_ROOT = str(Path(__file__).resolve().parents[2])
"""The folder holding the ``tui`` package this module belongs to: the child runs the same code."""
_CHILD = f"import sys; sys.path.insert(0, {_ROOT!r}); from tui.simulator.child import main; main(sys.argv[1:])"


class SimulatorStartError(RuntimeError):
    """The simulator's process could not be started or did not come up; the message says why."""


class SimulatorProcess:
    """``with SimulatorProcess(key, log) as sim: ... sim.base_url``; ``sim.wait_ready()`` reports a failed start.

    ``log`` receives the child's stderr (what a failed start said is quoted from it).
    """

    def __init__(self, api_key: str, log: Path) -> None:
        self.api_key = api_key
        self.log = log
        self.base_url = ""
        self.pid = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False

    def start(self) -> SimulatorProcess:
        listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        command = [sys.executable, "-c", _CHILD, str(listener.fileno())]
        try:
            with self.log.open("wb") as log:
                self._proc = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    pass_fds=(listener.fileno(),),
                    start_new_session=True,
                )
        except OSError as err:
            raise SimulatorStartError(f"The simulator could not be started ({sys.executable}): {err}") from None
        finally:
            listener.close()  # the child's copy is the only one: if it dies, clients are refused, not left waiting
        self.pid = self._proc.pid
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(self.api_key.encode() + b"\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass  # it is gone already: wait_ready says so
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Until the child serves; raises :class:`SimulatorStartError` (quoting its stderr) if it will not."""
        if self._ready:
            return
        proc = self._proc
        if proc is None:
            raise SimulatorStartError("The simulator was not started")
        assert proc.stdout is not None
        line = read_line(proc.stdout.fileno(), timeout)
        if line == READY:
            self._ready = True
            return
        self.stop()
        said = self._log_tail()
        why = "did not start" if line is None else f"stopped at start (exit code {proc.returncode})"
        raise SimulatorStartError(f"The simulator {why}" + (f": {said}" if said else ""))

    def stop(self) -> None:
        """Close the child's stdin (it exits by itself), and terminate or kill it if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                with contextlib.suppress(BrokenPipeError):
                    pipe.close()
        for then in (proc.terminate, proc.kill, None):
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
                return
            except subprocess.TimeoutExpired:
                if then is not None:
                    then()

    def _log_tail(self) -> str:
        try:
            data = self.log.read_bytes()[-LOG_TAIL:]
        except OSError:
            return ""
        return data.decode("utf-8", "replace").strip()

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def read_line(fd: int, timeout: float | None) -> bytes | None:
    """One line from ``fd``, read byte by byte so nothing after it is taken (what came before the end of
    file if none ends), or None if none came within ``timeout`` seconds (None: no limit)."""
    line = b""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not line.endswith(b"\n"):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and (left <= 0 or not select.select([fd], [], [], left)[0]):
            return None
        piece = os.read(fd, 1)
        if not piece:
            return line
        line += piece
    return line
