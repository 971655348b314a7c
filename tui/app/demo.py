"""``switchboard --demo``: a throwaway workspace with simulated endpoints, no key needed.

The provider simulator runs in a background thread on 127.0.0.1; every demo endpoint carries the
tag ``simulated`` so the app marks it as such.
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
from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS, CreateServingEndpoint
from tui.domain.simulated import SIMULATED_TAG
from tui.simulator import Simulator
from tui.workspace.protocol import Workspace

DEMO_KEY = "sim-key"
FOLDER_PREFIX = "switchboard-demo-"
MARKER = "switchboard-demo.pid"
"""In every demo folder: the PID of the process that made it. Only a folder under the temp dir with
the prefix, owned by this user and holding this marker is ever removed by another process."""
STOP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)

Handler = Callable[[int, FrameType | None], Any] | int | None
"""What ``signal.signal`` takes and gives back (None: a handler not set from Python)."""


def _openai(base: str, model: str, task: str) -> dict[str, Any]:
    return {
        "name": model,
        "provider": "openai",
        "task": task,
        "openai_config": {"openai_api_key": "{{secrets/demo/sim_key}}", "openai_api_base": f"{base}/v1"},
    }


def demo_endpoints(base: str) -> list[dict[str, Any]]:
    """Create bodies for the demo endpoints, served by the simulator at ``base``."""
    chat, completions, embeddings = TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS
    entities = {
        "gpt-4o-mini": _openai(base, "gpt-4o-mini@ttft=0.25,tps=90,tokens=260", chat),
        "claude-haiku": {
            "name": "claude-3-5-haiku@ttft=0.45,tps=70,tokens=240",
            "provider": "anthropic",
            "task": chat,
            "anthropic_config": {"anthropic_api_key": "{{secrets/demo/sim_key}}", "anthropic_api_base": f"{base}/v1"},
        },
        "azure-gpt-4o": {
            "name": "gpt-4o",
            "provider": "openai",
            "task": chat,
            "openai_config": {
                "openai_api_type": "azure",
                "openai_api_key": "{{secrets/demo/sim_key}}",
                "openai_api_base": base,
                "openai_deployment_name": "gpt-4o@ttft=0.35,tps=120,tokens=300",
                "openai_api_version": "2024-10-21",
            },
        },
        "llama-slow": {
            "name": "llama-3.1-8b@ttft=1.5,tps=12,tokens=160",
            "provider": "custom",
            "task": chat,
            "custom_provider_config": {
                "custom_provider_url": f"{base}/v1",
                "bearer_token_auth": {"token": "{{secrets/demo/sim_key}}"},
            },
        },
        "flaky-gpt": _openai(base, "gpt-4o@ttft=0.3,tps=60,tokens=200,fault=cut,cut_after=60", chat),
        "instruct": _openai(base, "gpt-3.5-turbo-instruct@tps=80,tokens=120", completions),
        "instruct-fast": _openai(base, "babbage-002@tps=400,tokens=120", completions),
        "embed-small": _openai(base, "text-embedding-3-small@dim=16", embeddings),
        "embed-large": _openai(base, "text-embedding-3-large@dim=16", embeddings),
    }
    bodies = []
    for name, model in entities.items():
        body: dict[str, Any] = {
            "name": name,
            "config": {"served_entities": [{"name": name, "external_model": model}]},
            "tags": [SIMULATED_TAG],
            "description": "Simulated endpoint (switchboard --demo); answers come from the local simulator.",
        }
        if name == "gpt-4o-mini":
            body["rate_limits"] = [{"calls": 20, "key": "user", "renewal_period": "minute"}]
        bodies.append(body)
    return bodies


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
def demo_environment() -> Iterator[tuple[Path, Simulator]]:
    """A temporary workspace file and a running simulator; both gone on exit, also when the terminal
    is closed or the process is told to stop (see :func:`demo_folder`)."""
    with demo_folder() as folder, Simulator(api_key=DEMO_KEY).running_in_thread() as sim:
        yield folder / "demo.db", sim
