"""``switchboard serve``'s app on a local workspace, on a free port of 127.0.0.1, in a thread of its own:
for the tests that point a Databricks client (our backend, a profile, an SDK) at it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from tui.server.app import create_app
from tui.settings import Settings
from tui.workspace.factory import open_workspace

WAIT_S = 10.0


class Served:
    """Serves the workspace file ``path``; ``token`` is a token for ``user`` (an admin token with ``admin``),
    ``url`` where it listens."""

    def __init__(
        self,
        path: Path,
        *,
        user: str = "tester",
        admin: bool = False,
        settings: Settings | None = None,
        rollout_seconds: float = 0.0,
    ) -> None:
        self.path = path
        self.user = user
        self.admin = admin
        self.settings = settings
        self.rollout_seconds = rollout_seconds
        self.token = ""
        self.server: uvicorn.Server | None = None
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="served", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # reported by running(), not lost in the thread
            self.failure = err

    async def _serve(self) -> None:
        local = open_workspace(self.path, user=self.user, settings=self.settings, rollout_seconds=self.rollout_seconds)
        try:
            self.token = (await local.tokens.create(self.user, comment="tests", admin=self.admin)).token_value
            config = uvicorn.Config(
                create_app(local), host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
            )
            self.server = uvicorn.Server(config)
            await self.server.serve()
        finally:
            await local.aclose()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    @contextmanager
    def running(self) -> Iterator[Served]:
        """Started (bounded wait) for the block, stopped after it (bounded too)."""
        self.thread.start()
        deadline = time.monotonic() + WAIT_S
        while not (self.server and self.server.started) and self.failure is None and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            if self.failure is not None:
                raise RuntimeError(f"switchboard serve failed to start: {self.failure!r}")
            assert self.server is not None and self.server.started, "switchboard serve did not start in time"
            yield self
        finally:
            if self.server is not None:
                self.server.should_exit = True
            self.thread.join(timeout=WAIT_S)
            assert not self.thread.is_alive(), "switchboard serve did not stop in time"
