"""open_workspace: the one way the faces open a workspace, wherever it was chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.locations import WORKSPACE_ENV, WORKSPACE_FILE, data_dir
from tui.workspace.factory import open_workspace


async def test_the_option_beats_the_environment_and_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "from-env.db"))
    chosen = open_workspace(tmp_path / "chosen.db", user="alice")
    try:
        assert chosen.label == str(tmp_path / "chosen.db") and chosen.user == "alice"
    finally:
        await chosen.aclose()
    from_env = open_workspace()
    await from_env.aclose()
    assert (tmp_path / "from-env.db").exists() and not (data_dir() / WORKSPACE_FILE).exists()


async def test_the_default_file_is_private_and_labelled_from_home() -> None:
    ws = open_workspace()
    try:
        assert ws.label.startswith("~") and ws.user
        assert data_dir().stat().st_mode & 0o777 == 0o700
    finally:
        await ws.aclose()


async def test_a_directory_means_the_workspace_file_inside_it(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path)
    await ws.aclose()
    assert ws.label == str(tmp_path / WORKSPACE_FILE)
