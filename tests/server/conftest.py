"""A local workspace behind ``switchboard serve``'s app: in-process (TestClient) or on a real port (Uvicorn)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient

from tui.server.app import create_app
from tui.workspace.local.workspace import LocalWorkspace

SCOPE = "my_openai_secret_scope"
SECRET_VALUE = "sk-test-value-never-shown"


@pytest.fixture
def ws(workspace_file: Path) -> Iterator[LocalWorkspace]:
    workspace = LocalWorkspace(workspace_file, user="tester")
    yield workspace
    asyncio.run(workspace.aclose())


@pytest.fixture
def token(ws: LocalWorkspace) -> str:
    return asyncio.run(ws.tokens.create("alice", comment="tests")).token_value


@pytest.fixture
def anonymous(ws: LocalWorkspace) -> Iterator[TestClient]:
    """The app without credentials."""
    with TestClient(create_app(ws)) as client:
        yield client


@pytest.fixture
def api(ws: LocalWorkspace, token: str) -> Iterator[TestClient]:
    """The app, every request carrying alice's token."""
    with TestClient(create_app(ws), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def with_secret(api: TestClient) -> TestClient:
    """``api`` on a workspace holding the tutorial's OpenAI key (so its endpoints can be created)."""
    assert api.post("/api/2.0/secrets/scopes/create", json={"scope": SCOPE}).status_code == 200
    body = {"scope": SCOPE, "key": "openai_api_key", "string_value": SECRET_VALUE}
    assert api.post("/api/2.0/secrets/put", json=body).status_code == 200
    return api


@pytest.fixture
def server_url(ws: LocalWorkspace) -> Iterator[str]:
    """The app under a real Uvicorn on 127.0.0.1 (a free port), in a thread; always stopped."""
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=0, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start within 10 s"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
