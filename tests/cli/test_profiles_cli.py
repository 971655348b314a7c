"""``switchboard --profile NAME``: every command on the Databricks workspace of a profile, here
``switchboard serve``'s app on 127.0.0.1 (Uvicorn in a thread with its own loop, as a real server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.served import Served
from tui.cli.main import main


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with Served(tmp_path / "served.db").running() as serve:
        yield serve


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, served: Served) -> Path:
    cfg = tmp_path / "databrickscfg"
    cfg.write_text(
        f"[prod]\nhost = {served.url}\ntoken = {served.token}\n[wrong]\nhost = {served.url}\ntoken = nope\n"
        "[oauth]\nhost = https://x\nauth_type = databricks-cli\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(cfg))
    monkeypatch.delenv("DATABRICKS_CONFIG_PROFILE", raising=False)
    return cfg


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_act_on_the_profile_with_the_option_before_or_after(
    config: Path, served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "--profile", "prod", "secrets", "create-scope", "remote")[0] == 0
    code, out, err = _run(capsys, "secrets", "list-scopes", "--profile", "prod")
    assert code == 0, err
    assert [s["name"] for s in json.loads(out)] == ["remote"]
    # the local workspace did not get it
    code, out, _ = _run(capsys, "secrets", "list-scopes")
    assert code == 0 and "remote" not in out


def test_the_config_profile_variable_chooses_when_no_option(
    config: Path, served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(capsys, "--profile", "prod", "secrets", "create-scope", "remote")[0] == 0
    monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "prod")
    code, out, err = _run(capsys, "secrets", "list-scopes")
    assert code == 0 and "remote" in out, err


def test_the_env_profile(served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_HOST", served.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", served.token)
    code, _out, err = _run(capsys, "--profile", "env", "serving-endpoints", "list")
    assert code == 0, err


def test_a_wrong_token_is_the_servers_401_and_is_never_printed(
    config: Path, served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--profile", "wrong", "secrets", "list-scopes")
    assert code == 1 and out == ""
    assert "nope" not in err and served.token not in err and err.startswith("Error")


@pytest.mark.parametrize(
    ("profile", "words"),
    [("staging", "No profile 'staging'"), ("oauth", "only personal access tokens")],
)
def test_an_unknown_or_unsupported_profile_is_a_clear_error(
    config: Path, capsys: pytest.CaptureFixture[str], profile: str, words: str
) -> None:
    code, out, err = _run(capsys, "--profile", profile, "secrets", "list-scopes")
    assert code == 1 and out == "" and words in err and str(config) in err and "Traceback" not in err


def test_profile_and_workspace_together_are_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--workspace", str(tmp_path / "w.db"), "secrets", "list-scopes", "--profile", "prod"])
    assert info.value.code == 2
    assert "--workspace and --profile" in capsys.readouterr().err


def test_serve_refuses_a_profile(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--profile", "prod"])
    assert info.value.code == 2
    assert "serves a local workspace" in capsys.readouterr().err


def test_the_app_with_an_unknown_profile_is_a_clear_error(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys, "--profile", "staging")
    assert code == 1 and err.startswith("Error: No profile 'staging'") and str(config) in err
