"""Hostile input gives ``Error: <message> (<CODE>)`` and exit 1, never a traceback (issue 8)."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import Cli
from tests.payloads import OPENAI_COMPLETIONS
from tui.cli.io import print_error, print_json, read_json_arg, warn
from tui.cli.main import main
from tui.domain.checks import MAX_JSON_DEPTH
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderRateLimited,
    RequestLimitExceeded,
)
from tui.domain.text import has_control

SCOPE, KEY = "my_openai_secret_scope", "openai_api_key"


def assert_refused(result: tuple[int, str, str], message: str, code: str = "INVALID_PARAMETER_VALUE") -> str:
    status, out, err = result
    assert (status, out) == (1, ""), err
    assert err.startswith("Error: ") and err.endswith(f" ({code})\n") and err.count("\n") == 1, err
    assert message in err and "Traceback" not in err and not has_control(err)
    return err


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def with_key(cli: Cli) -> Cli:
    assert cli("secrets", "create-scope", SCOPE)[0] == 0
    assert cli("secrets", "put-secret", SCOPE, KEY, "--string-value", "sk-test")[0] == 0
    return cli


def unreachable_endpoint(cli: Cli) -> None:
    """The seed endpoint with its base URL on a closed loopback port: a query fails at once."""
    body = copy.deepcopy(OPENAI_COMPLETIONS)
    body["config"]["served_entities"][0]["external_model"]["openai_config"]["openai_api_base"] = "http://127.0.0.1:9/v1"
    assert cli("serving-endpoints", "create", "--json", json.dumps(body))[0] == 0


# ---------------------------------------------------------------- 1. nesting


@pytest.mark.parametrize("levels", [5000, 900, MAX_JSON_DEPTH + 1])
@pytest.mark.parametrize("how", ["inline", "file", "stdin", "query"])
def test_deep_json_is_refused_before_anything_recurses(cli: Cli, tmp_path: Path, levels: int, how: str) -> None:
    text = deep(levels)
    path = tmp_path / "deep.json"
    path.write_text(text)
    args = {
        "inline": ("serving-endpoints", "create", "--json", text),
        "file": ("serving-endpoints", "create", "--json", f"@{path}"),
        "stdin": ("serving-endpoints", "create", "--json", "@-"),
        "query": ("serving-endpoints", "query", "ghost", "--json", text),
    }[how]
    assert_refused(cli(*args, stdin=text.encode()), "is nested too deeply")


def test_nesting_up_to_the_limit_is_read() -> None:
    assert read_json_arg(deep(MAX_JSON_DEPTH)) is not None


def test_deep_object_keys_and_values_count_too() -> None:
    with pytest.raises(InvalidParameterValue, match="nested too deeply"):
        read_json_arg('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))


# ---------------------------------------------------------------- 2. UTF-8


def test_a_json_file_that_is_not_utf8_is_named(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "café"}'.encode("latin-1"))
    assert_refused(cli("serving-endpoints", "create", "--json", f"@{path}"), f"--json file '{path}' is not valid UTF-8")


def test_json_on_stdin_that_is_not_utf8(cli: Cli) -> None:
    assert_refused(
        cli("serving-endpoints", "create", "--json", "@-", stdin=b"\xff{}"), "--json standard input is not valid UTF-8"
    )


@pytest.mark.parametrize("body", ['{"prompt": "\\ud800"}', '{"prompt": "hi", "\\udcff": 1}'])
def test_a_lone_surrogate_in_json_is_refused_as_such(with_key: Cli, body: str) -> None:
    unreachable_endpoint(with_key)
    assert_refused(
        with_key("serving-endpoints", "query", "openai-completions", "--json", body),
        "is not valid text (it contains a lone surrogate)",
    )


def test_a_secret_on_stdin_that_is_not_utf8(with_key: Cli) -> None:
    before = with_key("secrets", "list-secrets", SCOPE)
    err = assert_refused(with_key("secrets", "put-secret", SCOPE, "bin", stdin=b"\xff\xfe\n"), "is not valid UTF-8")
    assert "--bytes-value" in err
    assert with_key("secrets", "list-secrets", SCOPE) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("secrets", "put-secret", SCOPE, KEY, "--string-value", "\udcff"),
            "--string-value '\ufffd' is not valid UTF-8; for a binary secret",
        ),
        (("secrets", "put-secret", SCOPE, "k\udcff", "--string-value", "v"), "KEY 'k\ufffd' is not valid UTF-8"),
        (("secrets", "create-scope", "s\udcff\x1b"), "SCOPE 's\ufffd\u241b' is not valid UTF-8"),
        (("serving-endpoints", "get", "\ud800"), "NAME '\ufffd' is not valid UTF-8"),
    ],
)
def test_an_argument_that_is_not_utf8_is_refused(with_key: Cli, args: tuple[str, ...], message: str) -> None:
    assert_refused(with_key(*args), message)


def test_non_utf8_argv_in_a_real_process(workspace_file: Path) -> None:
    script = Path(sys.executable).parent / "switchboard"
    env = {**os.environ, "SWITCHBOARD_WORKSPACE": str(workspace_file), "PYTHONIOENCODING": "utf-8:strict"}
    for args in (
        [b"secrets", b"create-scope", b"\xff\x1b[2J"],
        [b"secrets", b"put-secret", b"s", b"k", b"--string-value", b"\xff"],
    ):
        done = subprocess.run([os.fsencode(script), *args], capture_output=True, env=env, timeout=60)
        assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
        assert b"is not valid UTF-8" in done.stderr and b"\x1b" not in done.stderr


def test_locate_prints_a_path_that_is_not_utf8_as_its_bytes(tmp_path: Path) -> None:
    config_home = os.fsencode(tmp_path) + b"/\xff"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    env_bytes = {os.fsencode(k): os.fsencode(v) for k, v in env.items()} | {b"XDG_CONFIG_HOME": config_home}
    script = os.fsencode(Path(sys.executable).parent / "switchboard")
    done = subprocess.run([script, b"locate", b"config"], capture_output=True, env=env_bytes, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == config_home + b"/switchboard/config.toml\n"


# ---------------------------------------------------------------- 3. long integers


def test_an_integer_of_5000_digits(cli: Cli) -> None:
    assert_refused(
        cli("serving-endpoints", "create", "--json", '{"name": ' + "9" * 5000 + "}"), "a number with more than"
    )


# ---------------------------------------------------------------- 4. empty secrets


@pytest.mark.parametrize("flag", ["--string-value", "--bytes-value"])
def test_an_empty_secret_from_a_flag_is_refused(with_key: Cli, flag: str) -> None:
    before = with_key("secrets", "list-secrets", SCOPE)
    assert_refused(with_key("secrets", "put-secret", SCOPE, "empty", flag, ""), "The secret value is empty")
    assert with_key("secrets", "list-secrets", SCOPE) == before


# ---------------------------------------------------------------- 5. retry hint


def test_a_refused_query_says_when_to_retry_once(with_key: Cli) -> None:
    unreachable_endpoint(with_key)
    limit = {"rate_limits": [{"calls": 1, "key": "endpoint", "renewal_period": "minute"}]}
    assert with_key("serving-endpoints", "put", "openai-completions", "--json", json.dumps(limit))[0] == 0
    query = ("serving-endpoints", "query", "openai-completions", "--json", '{"prompt": "hi"}')
    assert_refused(with_key(*query), "Cannot reach OpenAI", "TEMPORARILY_UNAVAILABLE")  # the one call allowed
    err = assert_refused(with_key(*query), "Rate limit reached", "REQUEST_LIMIT_EXCEEDED")
    assert err.count("Retry in") == 1, err


@pytest.mark.parametrize(
    "error",
    [
        RequestLimitExceeded("Rate limit reached on endpoint 'e': 1 calls/minute.", retry_after=12.0),
        ProviderRateLimited("OpenAI rate limit hit (429): slow down.", retry_after=12.0),
    ],
)
def test_every_error_with_retry_after_says_it_once(
    capsys: pytest.CaptureFixture[str], error: RequestLimitExceeded
) -> None:
    print_error(error)
    err = capsys.readouterr().err
    assert err.count("Retry in 12.0 s.") == 1 and err.endswith(" (REQUEST_LIMIT_EXCEEDED)\n"), err


# ---------------------------------------------------------------- 6. printable output


def test_argparse_errors_do_not_echo_control_characters(cli: Cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("secrets", "list-scopes", "\x1b[2J\x9b\u202e")
    err = cli.capsys.readouterr().err
    assert exc.value.code == 2
    assert "unrecognized arguments: \u241b[2J\\x9b\\u202e" in err and not has_control(err)


def test_warnings_and_errors_are_one_printable_line(capsys: pytest.CaptureFixture[str]) -> None:
    warn("a\x1b]52;c;aGk=\x07 b\nWarning: forged")
    print_error(InvalidParameterValue("x\nError: forged (OK)"))
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "Warning: a\u241b]52;c;aGk=\u2407 b\u240aWarning: forged",
        "Error: x\u240aError: forged (OK) (INVALID_PARAMETER_VALUE)",
    ]


def test_stdout_json_is_ascii(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"tag": "\x9b2J\x1b\u202e\ud800"})
    out = capsys.readouterr().out
    assert out.isascii() and "\\u009b2J\\u001b\\u202e\\ud800" in out


# ---------------------------------------------------------------- 7. the safety net


def test_an_unexpected_exception_is_an_internal_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(args: object, ws: object) -> None:
        raise RuntimeError("boom\x1b[2J")

    monkeypatch.setattr("tui.cli.secrets.list_scopes", broken)
    err = assert_refused(cli("secrets", "list-scopes"), "internal error: RuntimeError: boom\u241b[2J", "INTERNAL_ERROR")
    assert err == "Error: internal error: RuntimeError: boom\u241b[2J (INTERNAL_ERROR)\n"


def test_ctrl_c_still_exits_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(args: object, ws: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("tui.cli.secrets.list_scopes", interrupted)
    assert cli("secrets", "list-scopes") == (130, "", "Interrupted\n")


# ---------------------------------------------------------------- simulate


def test_simulate_on_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["simulate", "--port", str(port)]) == 1
    assert_refused((1, *capsys.readouterr()), f"Cannot listen on 127.0.0.1:{port}")


def test_simulate_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--port", "70000"])
    assert exc.value.code == 2 and "70000 is not a port" in capsys.readouterr().err


def test_a_reader_that_goes_away_ends_the_command_quietly(cli: Cli, workspace_file: Path) -> None:
    """``switchboard ... | head``: the closed pipe stops the command with no message and no traceback."""
    from tui.simulator import Simulator

    with Simulator(api_key="k").running_in_thread() as sim:
        body = copy.deepcopy(OPENAI_COMPLETIONS)
        body["config"]["served_entities"][0]["external_model"]["name"] = "gpt-3.5-turbo-instruct@tokens=40000"
        body["config"]["served_entities"][0]["external_model"]["openai_config"] = {
            "openai_api_key_plaintext": "k",
            "openai_api_base": f"{sim.base_url}/v1",
        }
        assert cli("serving-endpoints", "create", "--json", json.dumps(body))[0] == 0
        script = str(Path(sys.executable).parent / "switchboard")
        args = [
            script,
            "serving-endpoints",
            "query",
            "openai-completions",
            "--workspace",
            str(workspace_file),
            "--json",
            '{"prompt": "a long answer, please"}',
        ]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before the answer is written
        stderr = proc.stderr.read()
        assert proc.wait(timeout=60) == 141 and stderr == b"", stderr
