"""The app starts on a workspace, shows what it holds, and quits cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.app.app import SwitchboardApp
from tui.app.launch import launch_app
from tui.workspace.local.workspace import LocalWorkspace


async def test_app_shows_the_workspace_and_quits(workspace_file: Path) -> None:
    ws = LocalWorkspace(workspace_file)
    ws.secrets.create_scope("keys")
    app = SwitchboardApp(ws)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.query_one("#summary").render())
        assert "1 secret scope(s), 0 endpoint(s)" in text
        assert str(workspace_file) in text or "~" in text
        await pilot.press("q")
    assert app.return_code == 0


def test_launch_with_an_unusable_workspace_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert launch_app(workspace=str(blocker / "sub" / "w.db")) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: Cannot create the workspace")
