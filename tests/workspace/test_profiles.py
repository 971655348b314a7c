"""Databricks profiles: the config file, the environment, the rule that picks one, and clear refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tui.domain.errors import SwitchboardError
from tui.workspace.profiles import (
    chosen_profile,
    config_path,
    describe_profiles,
    load_profile,
    profile_names,
)

TOKEN = "dapi-secret-never-shown"


def _env(tmp_path: Path, text: str, **extra: str) -> dict[str, str]:
    cfg = tmp_path / "databrickscfg"
    cfg.write_text(text, encoding="utf-8")
    return {"DATABRICKS_CONFIG_FILE": str(cfg), **extra}


def _refused(name: str, env: dict[str, str]) -> str:
    with pytest.raises(SwitchboardError) as info:
        load_profile(name, env)
    assert TOKEN not in info.value.message
    return info.value.message


def test_a_profile_gives_host_and_token_and_its_repr_hides_the_token(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        f"[DEFAULT]\nhost = https://a.example.com/\ntoken = {TOKEN}\n[prod]\nhost = b.example.com\ntoken = {TOKEN}\n",
    )
    default = load_profile("DEFAULT", env)
    assert (default.host, default.token) == ("https://a.example.com", TOKEN)
    assert load_profile("prod", env).host == "https://b.example.com"  # scheme added as the Databricks clients do
    assert TOKEN not in repr(default)
    assert profile_names(env) == ["DEFAULT", "prod"]


def test_the_config_file_defaults_to_the_home_file(isolated_dirs: Path) -> None:
    assert config_path({}) == isolated_dirs / ".databrickscfg"
    assert profile_names({}) == []  # no file: no profiles, no error


def test_the_choice_follows_the_documented_order(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        f"[a]\nhost = https://a\ntoken = {TOKEN}\n[b]\nhost = https://b\ntoken = {TOKEN}\n",
        DATABRICKS_CONFIG_PROFILE="b",
        DATABRICKS_HOST="https://from-env",
        DATABRICKS_TOKEN=TOKEN,
    )
    explicit = chosen_profile("a", env)
    assert explicit is not None and explicit.name == "a"
    from_variable = chosen_profile(None, env)
    assert from_variable is not None and from_variable.name == "b"
    assert chosen_profile(None, {"DATABRICKS_HOST": "https://x", "DATABRICKS_TOKEN": TOKEN}) is None  # local first
    env_profile = chosen_profile("env", env)
    assert env_profile is not None and env_profile.host == "https://from-env"
    assert describe_profiles(env) == [("a", "https://a"), ("b", "https://b"), ("env", "https://from-env")]


def test_an_unknown_profile_names_the_file_and_the_known_ones(tmp_path: Path) -> None:
    env = _env(tmp_path, f"[prod]\nhost = https://p\ntoken = {TOKEN}\n")
    message = _refused("staging", env)
    assert "'staging'" in message and env["DATABRICKS_CONFIG_FILE"] in message and "prod" in message


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    message = _refused("prod", {"DATABRICKS_CONFIG_FILE": str(tmp_path / "nope")})
    assert "(missing)" in message and "'prod'" in message


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (f"[p]\ntoken = {TOKEN}\n", "has no host"),
        ("[p]\nhost = https://p\n", "has no token"),
        (f"[p]\nhost = ftp://p\ntoken = {TOKEN}\n", "http(s) URL"),
        (f"[p]\nhost = https://p\nauth_type = databricks-cli\ntoken = {TOKEN}\n", "only personal access tokens"),
        ("[p]\nhost = https://p\nclient_id = x\nclient_secret = y\n", "client_id, client_secret"),
        ("[p]\nhost = https://p\nazure_tenant_id = t\n", "azure_tenant_id"),
    ],
)
def test_a_broken_profile_is_refused_naming_it_and_the_file(tmp_path: Path, body: str, words: str) -> None:
    env = _env(tmp_path, body)
    message = _refused("p", env)
    assert words in message and "'p'" in message and env["DATABRICKS_CONFIG_FILE"] in message
    assert describe_profiles(env) == [("p", "?")]


def test_auth_type_pat_is_a_token(tmp_path: Path) -> None:
    env = _env(tmp_path, f"[p]\nhost = https://p\nauth_type = pat\ntoken = {TOKEN}\n")
    assert load_profile("p", env).token == TOKEN


@pytest.mark.parametrize("body", ["host = https://p\n", "[p]\nhost\n[p]\n", "[p]\nhost = a\nhost = b\n"])
def test_a_file_that_is_not_ini_is_refused_naming_it(tmp_path: Path, body: str) -> None:
    env = _env(tmp_path, body)
    message = _refused("p", env)
    assert "not a valid INI file" in message and env["DATABRICKS_CONFIG_FILE"] in message
    assert profile_names(env) == []


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.write_bytes(b"[p]\nhost = \xff\n")
    assert "cannot be read" in _refused("p", {"DATABRICKS_CONFIG_FILE": str(cfg)})


def test_the_env_profile_needs_both_variables(tmp_path: Path) -> None:
    message = _refused("env", {"DATABRICKS_CONFIG_FILE": str(tmp_path / "none"), "DATABRICKS_HOST": "https://h"})
    assert "has no token" in message and "DATABRICKS_HOST" in message


async def test_the_factory_opens_the_profile_and_an_explicit_path_stays_local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.workspace.factory import open_workspace

    for key, value in _env(tmp_path, f"[prod]\nhost = https://p.example.com\ntoken = {TOKEN}\n").items():
        monkeypatch.setenv(key, value)
    remote = open_workspace(profile="prod")  # asks nothing yet: the host is never reached here
    try:
        assert remote.label == "https://p.example.com"
    finally:
        await remote.aclose()
    with pytest.raises(SwitchboardError, match="acts as the user of its token, not as 'tester'"):
        open_workspace(profile="prod", user="tester")
    monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "prod")
    local = open_workspace(tmp_path / "local.db", user="tester")
    try:
        assert local.label == str(tmp_path / "local.db")
    finally:
        await local.aclose()
    with pytest.raises(SwitchboardError, match="not both"):
        open_workspace(tmp_path / "x.db", profile="prod")
    with pytest.raises(SwitchboardError, match="No profile 'nope'"):
        open_workspace(profile="nope")


async def test_a_profiles_user_is_whom_its_token_stands_for_and_a_refused_token_names_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.served import Served
    from tui.workspace.factory import open_workspace

    with Served(tmp_path / "served.db", user="alice@example.com").running() as serve:
        url = serve.url
        config = f"[team]\nhost = {url}\ntoken = {serve.token}\n[stale]\nhost = {url}\ntoken = {TOKEN}\n"
        for key, value in _env(tmp_path, config).items():
            monkeypatch.setenv(key, value)
        team = open_workspace(profile="team")
        try:
            await asyncio.to_thread(team.warm_up)
            assert team.user == "alice@example.com"  # from the server, not the profile's name
        finally:
            await team.aclose()
        stale = open_workspace(profile="stale")
        try:
            with pytest.raises(SwitchboardError) as refused:
                await stale.tokens.list()
        finally:
            await stale.aclose()
    assert refused.value.error_code == "UNAUTHENTICATED"
    assert "token of profile 'stale'" in refused.value.message and url in refused.value.message
    assert TOKEN not in refused.value.message and serve.token not in refused.value.message
