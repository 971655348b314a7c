"""Running the app under Uvicorn on a socket the caller has bound (so a taken port is the caller's clear error)."""

from __future__ import annotations

import logging
import socket

import uvicorn

from tui.server.app import create_app
from tui.workspace.protocol import Workspace

log = logging.getLogger("switchboard.serve")


async def serve(workspace: Workspace, listener: socket.socket) -> None:
    """Answer on ``listener`` until SIGINT/SIGTERM, then finish the requests under way and return.

    Uvicorn's own access log is off (the app logs one line per request) and its info lines are quieted.
    """
    # on Ctrl-C, streams still running are cancelled after this long (the provider calls with them)
    config = uvicorn.Config(
        create_app(workspace), access_log=False, log_config=None, lifespan="off", timeout_graceful_shutdown=2
    )
    host, bound = listener.getsockname()[:2]
    log.info("Serving %s on http://%s:%d (Ctrl-C stops)", workspace.label, f"[{host}]" if ":" in host else host, bound)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    await uvicorn.Server(config).serve(sockets=[listener])
