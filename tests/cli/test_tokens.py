"""``switchboard tokens``: a value printed once, then only ids, users and times; errors with their codes."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Cli
from tui.workspace.factory import open_workspace
from tui.workspace.local.store import MIGRATIONS, Store
from tui.workspace.tokens import Identity


def authenticate(workspace: Path, value: str, now: float | None = None) -> str | None:
    """Who ``value`` stands for in the workspace file, as ``switchboard serve`` will ask it."""

    async def ask() -> str | None:
        ws = open_workspace(workspace)
        try:
            return await ws.tokens.authenticate(value, now=now)
        finally:
            await ws.aclose()

    return asyncio.run(ask())


def identify(workspace: Path, value: str) -> Identity | None:
    """Who ``value`` stands for, and whether it is an admin token."""

    async def ask() -> Identity | None:
        ws = open_workspace(workspace)
        try:
            return await ws.tokens.identify(value)
        finally:
            await ws.aclose()

    return asyncio.run(ask())


def create(cli: Cli, *args: str) -> dict[str, Any]:
    created = cli.json("tokens", "create", *args)
    assert isinstance(created, dict)
    return created


def test_create_authenticate_list_revoke(cli: Cli) -> None:
    created = create(cli, "--user", "alice", "--comment", "nightly job")
    value, info = created["token_value"], created["token_info"]
    assert set(created) == {"token_value", "token_info"}
    assert value.startswith("sb-")
    assert set(info) == {"token_id", "user", "comment", "creation_time", "expiry_time", "admin"}
    assert (info["user"], info["comment"], info["expiry_time"], info["admin"]) == ("alice", "nightly job", -1, False)
    assert authenticate(cli.workspace, value) == "alice"

    code, out, err = cli("tokens", "list")
    assert code == 0 and err == ""
    assert value not in out and value[3:] not in out
    assert cli.json("tokens", "list") == [info]

    assert cli("tokens", "revoke", info["token_id"]) == (0, "", "")
    assert authenticate(cli.workspace, value) is None
    assert cli.json("tokens", "list") == []


def test_a_token_with_a_lifetime_expires(cli: Cli) -> None:
    info = create(cli, "--user", "bob", "--lifetime-seconds", "60")
    created_s = info["token_info"]["creation_time"] / 1000
    assert info["token_info"]["expiry_time"] == info["token_info"]["creation_time"] + 60_000
    assert authenticate(cli.workspace, info["token_value"], now=created_s + 59) == "bob"
    assert authenticate(cli.workspace, info["token_value"], now=created_s + 61) is None


def test_the_value_is_never_in_the_workspace_file(cli: Cli) -> None:
    values = [create(cli, "--user", f"user{i}")["token_value"] for i in range(3)]
    files = [p for p in cli.workspace.parent.iterdir() if p.name.startswith(cli.workspace.name)]
    assert cli.workspace in files
    stored = b"".join(p.read_bytes() for p in files)  # the database, its WAL and shared memory
    for value in values:
        assert authenticate(cli.workspace, value) is not None
        assert value.encode() not in stored and value[3:].encode() not in stored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--user", ""), "Error: The token's user must not be empty (INVALID_PARAMETER_VALUE)"),
        (("create", "--user", "a\x1b]0;pwned\x07"), "control character '\\x1b'"),
        (("create", "--user", "eve", "--comment", "\x1b[2J"), "comment contains the control character"),
        (("create", "--user", "eve", "--lifetime-seconds", "-1"), "not -1; leave it out"),
        (("create", "--user", "eve", "--lifetime-seconds", "0"), "lifetime must be a whole number"),
        (("create", "--user", "\udcff"), "--user '\ufffd' is not valid UTF-8 (INVALID_PARAMETER_VALUE)"),
        (("revoke", "0000"), "Error: Token '0000' does not exist (RESOURCE_DOES_NOT_EXIST)"),
        (("revoke", "\udcff"), "TOKEN_ID '\ufffd' is not valid UTF-8"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_created(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli("tokens", *args)
    assert (code, out) == (1, "")
    assert message in err and err.count("\n") == 1
    assert "\x1b" not in err and "Traceback" not in err
    assert cli.json("tokens", "list") == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("create",), "the following arguments are required: --user"),
        (("create", "--user", "eve", "--lifetime-seconds", "soon"), "invalid int value: 'soon'"),
        (("revoke",), "the following arguments are required: TOKEN_ID"),
        ((), "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: tuple[str, ...], words: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("tokens", *args)
    assert exited.value.code == 2
    assert words in cli.capsys.readouterr().err


def test_no_output_but_create_ever_shows_a_value(cli: Cli) -> None:
    """Every command and error after creation, a mistaken revoke by value included, keeps the value out."""
    created = create(cli, "--user", "alice")
    value, token_id = created["token_value"], created["token_info"]["token_id"]
    cli.transcript.clear()
    code, _out, err = cli("tokens", "revoke", value)
    assert code == 1 and "value, not its id" in err and "(RESOURCE_DOES_NOT_EXIST)" in err
    cli("tokens", "list")
    cli("tokens", "revoke", token_id)
    cli("tokens", "revoke", token_id)
    cli("tokens", "list")
    shown = "".join(cli.transcript)
    assert "does not exist" in shown
    assert value not in shown and value[3:] not in shown
    assert authenticate(cli.workspace, value) is None


def test_a_workspace_from_before_tokens_gains_them_and_keeps_its_data(cli: Cli) -> None:
    before = Store(cli.workspace, migrations=MIGRATIONS[:4])
    with before.write() as conn:
        conn.execute("INSERT INTO scopes (name, created_ms) VALUES ('kept', 1)")
    before.close()
    value = create(cli, "--user", "alice")["token_value"]
    assert authenticate(cli.workspace, value) == "alice"
    assert cli.json("secrets", "list-scopes") == [{"name": "kept", "backend_type": "DATABRICKS"}]


def test_admin_marks_a_token_that_may_manage_everyones_and_the_help_says_who_is_one(cli: Cli) -> None:
    admin = create(cli, "--user", "root", "--admin", "--comment", "ops")
    plain = create(cli, "--user", "alice")
    assert (admin["token_info"]["admin"], plain["token_info"]["admin"]) == (True, False)
    assert identify(cli.workspace, admin["token_value"]) == Identity("root", admin=True)
    assert identify(cli.workspace, plain["token_value"]) == Identity("alice", admin=False)
    assert [(t["user"], t["admin"]) for t in cli.json("tokens", "list")] == [("root", True), ("alice", False)]
    cli("tokens", "revoke", admin["token_info"]["token_id"])
    assert identify(cli.workspace, admin["token_value"]) is None
    with pytest.raises(SystemExit):
        cli("tokens", "create", "--help")
    shown = " ".join(cli.capsys.readouterr().out.split())
    assert "--admin" in shown and "only a token made here with --admin" in shown
    assert "Serve itself never makes an admin token" in shown


def test_a_token_from_before_admin_tokens_stays_a_plain_one(cli: Cli) -> None:
    value = "sb-" + "o" * 43
    before = Store(cli.workspace, migrations=MIGRATIONS[:5])
    with before.write() as conn:
        conn.execute(
            "INSERT INTO tokens (token_id, value_sha256, user, created_ms, expiry_ms) VALUES ('old', ?, 'bob', 1, -1)",
            (hashlib.sha256(value.encode()).hexdigest(),),
        )
    before.close()
    assert identify(cli.workspace, value) == Identity("bob", admin=False)
    assert [(t["token_id"], t["admin"]) for t in cli.json("tokens", "list")] == [("old", False)]
