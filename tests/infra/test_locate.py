"""``switchboard locate``: the paths, under the test's HOME, with nothing created."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tui import locations
from tui.cli import locate as locate_cli
from tui.themes import builtin_themes_dir


def parser() -> argparse.ArgumentParser:
    """The shape of tui.cli.main.build_parser: a --workspace before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS)
    top = argparse.ArgumentParser(prog="switchboard")
    top.add_argument("--workspace", metavar="PATH", default=None)
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    locate_cli.register(commands, common)
    return top


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """As tui.cli.main runs a command registered with needs_workspace=False: ``args.run(args)``."""
    args = parser().parse_args(argv)
    assert args.needs_workspace is False  # main must not open (and so create) a workspace for it
    assert args.run(args) is None  # plain text, nothing for the JSON printer
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_locate_prints_every_path_under_home(isolated_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "locate")
    home = isolated_dirs
    assert out == (
        f"config: {home}/.config/switchboard/config.toml\n"
        f"data: {home}/.local/share/switchboard\n"
        f"workspace: {home}/.local/share/switchboard/workspace.db\n"
        f"themes: {home}/.config/switchboard/themes\n"
        f"builtin-themes: {builtin_themes_dir()}\n"
    )
    assert not (home / ".config").exists() and not (home / ".local").exists()  # nothing created


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("config", locations.config_file),
        ("data", locations.data_dir),
        ("workspace", lambda: locations.workspace_path(None)),
        ("themes", locations.user_themes_dir),
        ("builtin-themes", builtin_themes_dir),
    ],
)
def test_locate_one_prints_just_that_path(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str], what: str, expected
) -> None:
    out = run(capsys, "locate", what)
    assert out == f"{expected()}\n"
    assert "\n" not in out[:-1] and ": " not in out


def test_locate_workspace_follows_the_option_and_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "locate", "workspace", "--workspace", str(tmp_path / "w.db")) == f"{tmp_path}/w.db\n"
    assert run(capsys, "--workspace", str(tmp_path) + "/", "locate", "workspace") == f"{tmp_path}/workspace.db\n"
    monkeypatch.setenv("SWITCHBOARD_WORKSPACE", str(tmp_path / "env.db"))
    assert run(capsys, "locate", "workspace") == f"{tmp_path}/env.db\n"


def test_locate_ignores_a_workspace_argument(capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["locate", "config"])
    assert args.run(args, object()) is None  # for a caller that always passes a workspace
    assert capsys.readouterr().out == f"{locations.config_file()}\n"


def test_locate_refuses_an_unknown_target(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["locate", "secrets"])
    assert exited.value.code == 2
    assert "invalid choice: 'secrets'" in capsys.readouterr().err
