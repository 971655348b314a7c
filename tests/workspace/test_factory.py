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


async def test_a_rollout_time_makes_local_changes_roll_out_and_the_demo_seed_is_ready_at_once(tmp_path: Path) -> None:
    from tui.app.demo import DEMO_MODELS, seed
    from tui.domain.base import parse_user_input
    from tui.domain.endpoints import CreateServingEndpoint
    from tui.simulator.endpoints import endpoint_body

    await seed(tmp_path / "demo.db", "http://127.0.0.1:9")
    ws = open_workspace(tmp_path / "demo.db", rollout_seconds=60)
    try:
        seeded = await ws.list_endpoints()
        assert len(seeded) == len(DEMO_MODELS)
        assert {(e.state.ready, e.state.config_update) for e in seeded if e.state} == {("READY", "NOT_UPDATING")}
        body = endpoint_body("http://127.0.0.1:9", "openai", "chat", name="later", secret="{{secrets/demo/sim_key}}")
        created = await ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        assert created.state is not None and created.state.config_update == "IN_PROGRESS"
    finally:
        await ws.aclose()
