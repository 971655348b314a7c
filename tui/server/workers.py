"""``switchboard serve --workers N``: N processes answering on one socket the parent has bound.

Each worker opens the workspace file itself. Rate limits stay exact across them because they are counted in
that file, each check-and-record in one serialised transaction, never in a process's memory.

The parent only supervises: it spawns the workers (a fresh interpreter each, nothing inherited but the socket),
reports one that dies and starts another in its place, and on SIGINT or SIGTERM tells them all to stop and
waits for them. The telling goes through a pipe whose writing end only the parent holds: each worker stops
when the pipe ends, so a parent that is killed outright takes its workers with it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess

from tui.domain.errors import SwitchboardError, WorkspaceUnavailable
from tui.server.run import announce, run_loop, server
from tui.workspace.protocol import Workspace

log = logging.getLogger("switchboard.serve")

STARTUP_FAILURE = 3
"""A worker's exit code when it could not start (Uvicorn's too): another would fail the same way."""
STOP_SECONDS = 10.0
"""How long the workers get, together, to finish once told to stop (Uvicorn gives requests under way 2 s)."""

_STOPPING = (signal.SIGINT, signal.SIGTERM)
_spawn = multiprocessing.get_context("spawn")


@dataclass
class _Worker:
    process: SpawnProcess
    stop: Connection
    """The parent's end of the worker's pipe: closing it tells the worker to stop."""


Opener = Callable[[], Workspace]
"""How a worker opens the workspace: it is pickled to the worker, so a module-level function (or a partial of one)."""


def serve_workers(opener: Opener, label: str, listener: socket.socket, count: int, log_format: str) -> None:
    """Serve the workspace ``opener`` opens with ``count`` worker processes on ``listener`` until SIGINT or SIGTERM.

    ``label`` names the workspace in the log; the workers log with ``log_format``.
    """
    resource_tracker.ensure_running()  # started now, as starting it unblocks SIGINT (see _start)
    with _signals_wake() as (wake, received):
        workers = [_start(opener, listener, log_format) for _ in range(count)]
        announce(label, listener, count)
        try:
            _supervise(workers, opener, listener, log_format, wake, received)
        finally:
            _stop(workers)


def _supervise(
    workers: list[_Worker],
    opener: Opener,
    listener: socket.socket,
    log_format: str,
    wake: socket.socket,
    received: list[int],
) -> None:
    """Until a signal comes: a worker that ends is reported and replaced (unless it could not even start)."""
    while not received:
        wait([wake, *(worker.process.sentinel for worker in workers)])
        with contextlib.suppress(BlockingIOError):
            wake.recv(64)
        if received:
            return
        for index, worker in enumerate(workers):
            code = worker.process.exitcode
            if code is None:
                continue
            worker.stop.close()
            if code == STARTUP_FAILURE:
                raise WorkspaceUnavailable(f"Worker {worker.process.pid} could not start (see above)")
            workers[index] = _start(opener, listener, log_format)
            log.error(
                "Worker %s ended (%s); started %s in its place",
                worker.process.pid,
                _ending(code),
                workers[index].process.pid,
            )


@contextlib.contextmanager
def _signals_wake() -> Iterator[tuple[socket.socket, list[int]]]:
    """SIGINT and SIGTERM noted in a list and waking up a socket to wait on; the previous handling restored after.

    The handler only notes the signal, so it never interrupts the parent halfway through starting a worker.
    """
    received: list[int] = []
    wake, wakener = socket.socketpair()
    wake.setblocking(False)
    wakener.setblocking(False)
    previous = {sig: signal.signal(sig, lambda number, _frame: received.append(number)) for sig in _STOPPING}
    previous_fd = signal.set_wakeup_fd(wakener.fileno(), warn_on_full_buffer=False)
    try:
        yield wake, received
    finally:
        signal.set_wakeup_fd(previous_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        wake.close()
        wakener.close()


def _start(opener: Opener, listener: socket.socket, log_format: str) -> _Worker:
    told, stop = _spawn.Pipe(duplex=False)
    process = _spawn.Process(target=_work, args=(opener, listener, log_format, told), name="switchboard-serve-worker")
    # Ctrl-C at a terminal goes to the whole process group; the worker is born with SIGINT blocked (the mask is
    # inherited) so that only the parent acts on it, and no worker is interrupted halfway through its start
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
    told.close()  # the worker has its own copy; only the parent's writing end must keep the pipe open
    return _Worker(process, stop)


def _stop(workers: list[_Worker]) -> None:
    """Tell every worker to stop, wait for them (a bounded time), kill any that is still there and say so."""
    for worker in workers:
        worker.stop.close()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        if worker.process.exitcode is None:
            log.error("Worker %s did not stop within %.0f s; killed", worker.process.pid, STOP_SECONDS)
            worker.process.kill()
            worker.process.join()


def _ending(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
        return f"signal {-code}"
    return f"exit code {code}"


def _work(opener: Opener, listener: socket.socket, log_format: str, told: Connection) -> None:
    """A worker's life: open the workspace, serve until told (or until the pipe from the parent ends)."""
    logging.basicConfig(level=logging.INFO, format=log_format, stream=sys.stderr)
    try:
        workspace = opener()
    except SwitchboardError as err:
        log.error("Worker cannot open the workspace: %s", err)
        sys.exit(STARTUP_FAILURE)
    run_loop(_serve(workspace, listener, told))


async def _serve(workspace: Workspace, listener: socket.socket, told: Connection) -> None:
    uvicorn_server = server(workspace)
    loop = asyncio.get_running_loop()

    def stop() -> None:
        loop.remove_reader(told.fileno())
        uvicorn_server.should_exit = True

    loop.add_reader(told.fileno(), stop)  # the parent wrote or went: either way, stop
    log.info("Worker started")
    try:
        await uvicorn_server.serve(sockets=[listener])
    finally:
        await workspace.aclose()
