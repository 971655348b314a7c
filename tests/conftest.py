"""Shared fixtures. Every test runs with its own HOME / XDG dirs so nothing touches the real user's files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tui.workspace.local.workspace import LocalWorkspace

pytest_plugins = ["tests.helpers.app_fixtures"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("SWITCHBOARD_WORKSPACE", raising=False)
    return home


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "workspace.db"


@pytest.fixture
async def workspace(workspace_file: Path) -> AsyncIterator[LocalWorkspace]:
    ws = LocalWorkspace(workspace_file, user="tester")
    yield ws
    await ws.aclose()
