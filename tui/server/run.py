"""Running the app under Uvicorn on a socket the caller has bound (so a taken port is the caller's clear error)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn

from tui.server.app import create_app
from tui.workspace.protocol import Workspace

log = logging.getLogger("switchboard.serve")
T = TypeVar("T")


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop where it is installed (it is a dependency except on Windows): its sockets and
    callbacks cost the server well under half of asyncio's CPU per request; else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def server(workspace: Workspace) -> uvicorn.Server:
    """Uvicorn for the app on ``workspace``; ``serve(sockets=[...])`` answers until SIGINT/SIGTERM or ``should_exit``."""
    return uvicorn.Server(server_config(workspace))


def server_config(workspace: Workspace) -> uvicorn.Config:
    """Uvicorn's configuration for the app on ``workspace``.

    Uvicorn's own access log is off (the app logs one line per request) and its info lines are quieted, as are
    httpx's (a line per provider call: a request would log twice). Its HTTP parser is httptools (a dependency;
    Uvicorn's "auto" falls back to h11 where it is missing), a fraction of h11's CPU per request and per chunk.
    """
    # on Ctrl-C, streams still running are cancelled after this long (the provider calls with them)
    config = uvicorn.Config(
        create_app(workspace), access_log=False, log_config=None, lifespan="off", timeout_graceful_shutdown=2
    )
    for name in ("uvicorn.error", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return config


def announce(label: str, listener: socket.socket, workers: int = 1) -> None:
    """The line saying where the workspace is served (and by how many processes, when more than one)."""
    host, bound = listener.getsockname()[:2]
    by = f" with {workers} workers" if workers > 1 else ""
    log.info("Serving %s%s on http://%s:%d (Ctrl-C stops)", label, by, f"[{host}]" if ":" in host else host, bound)


class _AnnouncingServer(uvicorn.Server):
    """Says where it serves once it has started: Ctrl-C then stops it cleanly (Uvicorn catches SIGINT only once
    ``serve`` has begun; one pressed before, right after an early announcement, left it hanging half started)."""

    def __init__(self, config: uvicorn.Config, label: str, listener: socket.socket) -> None:
        super().__init__(config)
        self._label = label
        self._listener = listener

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            announce(self._label, self._listener)


async def serve(workspace: Workspace, listener: socket.socket) -> None:
    """Answer on ``listener`` in this process until SIGINT/SIGTERM, then finish the requests under way and return."""
    await _AnnouncingServer(server_config(workspace), workspace.label, listener).serve(sockets=[listener])
