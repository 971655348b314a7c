"""``switchboard --demo``: a throwaway workspace with simulated endpoints, no key needed.

The provider simulator runs in a child process on 127.0.0.1 (:mod:`tui.simulator.process`), so it
shares neither the app's event loop nor its GIL, and ends with the app however the app ends; every demo
endpoint carries the tag ``simulated`` so the app marks it as such.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.simulated import SIMULATED_TAG
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.simulator.process import SimulatorProcess
from tui.workspace.protocol import Workspace

FOLDER_PREFIX = "switchboard-demo-"
MARKER = "switchboard-demo.pid"
"""In every demo folder: the PID of the process that made it. Only a folder under the temp dir with
the prefix, owned by this user and holding this marker is ever removed by another process."""
STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)

Handler = Callable[[int, FrameType | None], Any] | int | None
"""What ``signal.signal`` takes and gives back (None: a handler not set from Python)."""


DEMO_KEY = SIM_KEY
DEMO_REF = "{{secrets/demo/sim_key}}"
"""Where the demo endpoints read their key: scope ``demo``, key ``sim_key``, holding :data:`DEMO_KEY`."""
DEMO_DESCRIPTION = "Simulated endpoint (switchboard --demo); answers come from the local simulator."

# endpoint name -> (provider flavour, task, model, Azure deployment); timing and faults ride in the name
DEMO_MODELS: dict[str, tuple[str, str, str, str | None]] = {
    "gpt-4o-mini": ("openai", "chat", "gpt-4o-mini@ttft=0.25,tps=90,tokens=260", None),
    "claude-haiku": ("anthropic", "chat", "claude-3-5-haiku@ttft=0.45,tps=70,tokens=240", None),
    "azure-gpt-4o": ("azure", "chat", "gpt-4o", "gpt-4o@ttft=0.35,tps=120,tokens=300"),
    "llama-slow": ("custom", "chat", "llama-3.1-8b@ttft=1.5,tps=12,tokens=160", None),
    "flaky-gpt": ("openai", "chat", "gpt-4o@ttft=0.3,tps=60,tokens=200,fault=cut,cut_after=60", None),
    "instruct": ("openai", "completions", "gpt-3.5-turbo-instruct@tps=80,tokens=120", None),
    "instruct-fast": ("openai", "completions", "babbage-002@tps=400,tokens=120", None),
    "embed-small": ("openai", "embeddings", "text-embedding-3-small@dim=16", None),
    "embed-large": ("openai", "embeddings", "text-embedding-3-large@dim=16", None),
}
DEMO_ROLLOUT_S = 2.0
"""How long an endpoint created or changed in the demo takes to serve, as on Databricks (the demo's own
endpoints are ready from the start)."""
DEMO_LIMITS: dict[str, list[dict[str, Any]]] = {
    "gpt-4o-mini": [{"calls": 20, "key": "user", "renewal_period": "minute"}]
}


def demo_endpoints(base: str) -> list[dict[str, Any]]:
    """Create bodies for the demo endpoints, served by the simulator at ``base``."""
    bodies = []
    for name, (flavour, task, model, deployment) in DEMO_MODELS.items():
        body = endpoint_body(
            base,
            flavour,
            task,
            model=model,
            deployment=deployment,
            name=name,
            entity=name,
            secret=DEMO_REF,
            tags=[SIMULATED_TAG],
            description=DEMO_DESCRIPTION,
        )
        if name in DEMO_LIMITS:
            body["rate_limits"] = DEMO_LIMITS[name]
        bodies.append(body)
    return bodies


async def seed(path: Path, base: str) -> None:
    """Fill the local workspace file at ``path`` with the demo's secret and endpoints (opened and closed here)."""
    from tui.workspace.factory import open_workspace

    ws = open_workspace(path)
    try:
        await populate(ws, base)
    finally:
        await ws.aclose()


async def populate(ws: Workspace, base: str) -> None:
    await ws.create_scope("demo")
    await ws.put_secret("demo", "sim_key", DEMO_KEY.encode())
    for body in demo_endpoints(base):
        await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))


@contextmanager
def demo_folder() -> Iterator[Path]:
    """A fresh folder for the demo workspace, removed on exit and on SIGHUP or SIGTERM.

    Closing the terminal (SIGHUP) or ``kill`` (SIGTERM) would end the process without running any
    ``finally``; the handlers remove the folder and then die of the same signal, as the process would
    have. What even that cannot catch (SIGKILL, a power cut) is removed by the next ``--demo`` start.
    """
    remove_stale_folders()
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (folder / MARKER).write_text(str(os.getpid()))

    def remove_and_die(signum: int, frame: FrameType | None) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous = _handle(STOP_SIGNALS, remove_and_die)
    try:
        yield folder
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        shutil.rmtree(folder, ignore_errors=True)


def _handle(signums: tuple[signal.Signals, ...], handler: Handler) -> dict[signal.Signals, Handler]:
    """Install ``handler`` for the signals that are not ignored (``nohup`` keeps SIGHUP ignored);
    returns the handlers it replaced. Only the main thread may set handlers: elsewhere it sets none."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[signal.Signals, Handler] = {}
    for signum in signums:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, handler)
    return previous


def remove_stale_folders() -> None:
    """Remove demo folders left by demo processes that are gone (killed before they could clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        if _is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)


def _is_stale(folder: Path) -> bool:
    try:
        if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            return False
        pid = int((folder / MARKER).read_text().strip())
    except (OSError, ValueError):
        return False  # not a folder this app made, or not readable: leave it
    return pid > 0 and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@contextmanager
def demo_environment() -> Iterator[tuple[Path, SimulatorProcess]]:
    """A temporary workspace file and the simulator's process; both gone on exit, also when the terminal
    is closed or the process is told to stop (see :func:`demo_folder`; the simulator notices its parent is
    gone). The simulator is started, not awaited, so that its start-up overlaps the app's: its address is
    known at once and ``wait_ready()`` raises ``SimulatorStartError`` if it did not come up."""
    with demo_folder() as folder, SimulatorProcess(DEMO_KEY, folder / "simulator.log") as sim:
        yield folder / "demo.db", sim
