"""The command line, as a script would use it: JSON in and out, errors on stderr, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import Cli
from tests.payloads import (
    ANTHROPIC_COMPLETIONS,
    OPENAI_COMPLETIONS,
    RATE_LIMITS,
    azure_openai,
    openai_plaintext,
    served_config,
)
from tui.cli.main import main


def add_keys(cli: Cli) -> None:
    assert cli("secrets", "create-scope", "my_openai_secret_scope")[0] == 0
    assert cli("secrets", "put-secret", "my_openai_secret_scope", "openai_api_key", "--string-value", "sk-1")[0] == 0
    assert cli("secrets", "create-scope", "my_anthropic_secret_scope")[0] == 0
    assert cli("secrets", "put-secret", "my_anthropic_secret_scope", "anthropic_api_key", stdin="sk-ant\n")[0] == 0


def entities_of(doc: dict) -> list[dict]:
    return [{"name": e["name"], "external_model": e["external_model"]} for e in doc["config"]["served_entities"]]


def test_seed_tutorial_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    add_keys(cli)
    for body in (OPENAI_COMPLETIONS, openai_plaintext(), azure_openai(), ANTHROPIC_COMPLETIONS):
        created = cli.json("serving-endpoints", "create", "--json", json.dumps(body))
        got = cli.json("serving-endpoints", "get", body["name"])
        assert created == got
        assert entities_of(got) == served_config(body)
        assert "_plaintext" not in json.dumps(got)

    updated = cli.json("serving-endpoints", "put", "openai-completions", "--json", json.dumps(RATE_LIMITS))
    assert updated == RATE_LIMITS
    assert cli.json("serving-endpoints", "get", "openai-completions")["rate_limits"] == RATE_LIMITS["rate_limits"]

    listed = cli.json("serving-endpoints", "list")
    assert sorted(e["name"] for e in listed) == sorted(
        [
            "openai-completions",
            "openai-completions-plaintext",
            "openai-azure-completions",
            "anthropic-completions-endpoint",
        ]
    )


def test_plaintext_key_gets_a_warning(cli: Cli) -> None:
    code, out, err = cli("serving-endpoints", "create", "--json", json.dumps(openai_plaintext()))
    assert code == 0
    assert "Warning:" in err and "openai_api_key_plaintext" in err and "secret reference is safer" in err
    assert "sk-plaintext-not-for-echo" not in out + err


def test_json_from_a_file_and_a_name_argument(cli: Cli, tmp_path: Path) -> None:
    add_keys(cli)
    body = dict(OPENAI_COMPLETIONS)
    body.pop("name")
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    created = cli.json("serving-endpoints", "create", "from-file", "--json", f"@{path}")
    assert created["name"] == "from-file"
    code, _, err = cli("serving-endpoints", "create", "other", "--json", json.dumps(OPENAI_COMPLETIONS))
    assert code == 1 and "differs from the JSON's name" in err


def test_update_config_gateway_tags_delete(cli: Cli) -> None:
    add_keys(cli)
    cli.json("serving-endpoints", "create", "--json", json.dumps(OPENAI_COMPLETIONS))
    updated = cli.json(
        "serving-endpoints", "update-config", "openai-completions", "--json", json.dumps(azure_openai()["config"])
    )
    assert updated["config"]["config_version"] == 2
    gateway = {
        "rate_limits": [{"calls": 10, "key": "endpoint", "renewal_period": "minute"}],
        "fallback_config": {"enabled": False},
    }
    assert (
        cli.json("serving-endpoints", "put-ai-gateway", "openai-completions", "--json", json.dumps(gateway)) == gateway
    )
    tags = cli.json(
        "serving-endpoints",
        "patch",
        "openai-completions",
        "--json",
        '{"add_tags": [{"key": "env", "value": "prod"}], "delete_tags": ["team"]}',
    )
    assert tags == {"tags": [{"key": "env", "value": "prod"}]}
    code, out, _ = cli("serving-endpoints", "delete", "openai-completions")
    assert code == 0 and out == ""
    assert cli.json("serving-endpoints", "list") == []


def test_secrets_commands(cli: Cli) -> None:
    assert cli.json("secrets", "list-scopes") == []
    assert cli("secrets", "create-scope", "s") == (0, "", "")
    cli("secrets", "put-secret", "s", "piped", stdin="value-from-stdin\r\n")
    cli("secrets", "put-secret", "s", "b64", "--bytes-value", "aGVsbG8=")
    listed = cli.json("secrets", "list-secrets", "s")
    assert [m["key"] for m in listed] == ["b64", "piped"]
    assert set(listed[0]) == {"key", "last_updated_timestamp"}
    assert cli("secrets", "delete-secret", "s", "b64")[0] == 0
    assert cli("secrets", "delete-scope", "s")[0] == 0
    assert cli.json("secrets", "list-scopes") == []


def test_put_secret_prompts_without_echo_on_a_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("secrets", "create-scope", "s")
    prompts: list[str] = []

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "typed-secret")
    assert cli("secrets", "put-secret", "s", "k")[0] == 0
    assert prompts == ["Value for s/k (hidden): "]
    assert [m["key"] for m in cli.json("secrets", "list-secrets", "s")] == ["k"]


@pytest.mark.parametrize(
    ("args", "stdin", "message", "code"),
    [
        (("secrets", "delete-scope", "nope"), None, "Secret scope 'nope' does not exist", "RESOURCE_DOES_NOT_EXIST"),
        (
            ("secrets", "create-scope", "bad name"),
            None,
            "Scope name 'bad name' contains ' '",
            "INVALID_PARAMETER_VALUE",
        ),
        (
            ("secrets", "put-secret", "nope", "k", "--string-value", "v"),
            None,
            "'nope' does not exist",
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (("secrets", "put-secret", "s", "k"), "", "empty", "INVALID_PARAMETER_VALUE"),
        (("secrets", "put-secret", "s", "k", "--bytes-value", "%%%"), None, "base64", "INVALID_PARAMETER_VALUE"),
        (("serving-endpoints", "get", "ghost"), None, "Endpoint 'ghost' does not exist", "RESOURCE_DOES_NOT_EXIST"),
        (("serving-endpoints", "create", "--json", "{nope"), None, "not valid JSON", "INVALID_PARAMETER_VALUE"),
        (
            ("serving-endpoints", "create", "--json", "@/no/such/file.json"),
            None,
            "Cannot read --json file",
            "INVALID_PARAMETER_VALUE",
        ),
        (
            ("serving-endpoints", "create", "--json", "[1, 2]"),
            None,
            "expected a JSON object",
            "INVALID_PARAMETER_VALUE",
        ),
        (
            ("serving-endpoints", "create", "--json", json.dumps({**OPENAI_COMPLETIONS, "nmae": "x"})),
            None,
            "unknown field 'nmae' (did you mean 'name'?)",
            "INVALID_PARAMETER_VALUE",
        ),
        (
            ("serving-endpoints", "create", "--json", json.dumps(OPENAI_COMPLETIONS)),
            None,
            "Secret scope 'my_openai_secret_scope' does not exist",
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            ("serving-endpoints", "put", "ghost", "--json", json.dumps(RATE_LIMITS)),
            None,
            "'ghost' does not exist",
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            (
                "serving-endpoints",
                "put",
                "ghost",
                "--json",
                '{"rate_limits": [{"calls": 5, "renewal_period": "hour"}]}',
            ),
            None,
            "rate_limits[0].renewal_period: must be one of 'minute'",
            "INVALID_PARAMETER_VALUE",
        ),
    ],
)
def test_errors_go_to_stderr_with_their_code(
    cli: Cli, args: tuple[str, ...], stdin: str | None, message: str, code: str
) -> None:
    cli("secrets", "create-scope", "s")
    status, out, err = cli(*args, stdin=stdin)
    assert status == 1
    assert out == ""
    assert err.startswith("Error: ")
    assert message in err
    assert err.rstrip().endswith(f"({code})")


def test_usage_errors_exit_2(cli: Cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("serving-endpoints", "create")  # --json missing
    assert exc.value.code == 2
    assert "--json" in cli.capsys.readouterr().err


def test_workspace_option_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "late.db"
    assert main(["secrets", "create-scope", "s", "--workspace", str(target)]) == 0
    assert main(["secrets", "list-scopes", "--workspace", str(target)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "s", "backend_type": "DATABRICKS"}]


def test_env_var_selects_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_WORKSPACE", str(tmp_path / "env.db"))
    assert main(["secrets", "create-scope", "from-env"]) == 0
    assert (tmp_path / "env.db").exists()


def test_the_installed_command_runs_without_textual_httpx_or_yaml(workspace_file: Path) -> None:
    script = Path(sys.executable).parent / "switchboard"
    assert script.exists(), "the console script 'switchboard' is not installed next to this Python"
    env = {**os.environ, "SWITCHBOARD_WORKSPACE": str(workspace_file)}
    done = subprocess.run([str(script), "secrets", "list-scopes"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    probe = (
        "import sys; from tui.cli.main import main; main(['secrets', 'list-scopes']); "
        "bad = [m for m in ('textual', 'httpx', 'rich', 'yaml') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
