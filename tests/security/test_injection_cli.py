"""Hostile text through the command line: what a provider answers or a person types may hold escape
sequences; stdout (JSON) and stderr (messages) never carry one raw, as bytes on a real pipe too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import Cli
from tests.security.hostile import RAW_SEQUENCES, HostileServer

CHAT = json.dumps({"messages": [{"role": "user", "content": "hi"}]})
TYPED = "x\x1b[2J\x1b]0;sb-pwned\x07\x9b2Jy"


def assert_no_raw(text: str) -> None:
    for sequence in RAW_SEQUENCES:
        assert sequence not in text, f"raw {sequence!r} was printed"


def custom(name: str, base: str) -> dict[str, object]:
    external = {
        "name": "m",
        "provider": "custom",
        "task": "llm/v1/chat",
        "custom_provider_config": {
            "custom_provider_url": f"{base}/v1",
            "bearer_token_auth": {"token_plaintext": "tok-123456"},
        },
    }
    return {"name": name, "config": {"served_entities": [{"name": "primary", "external_model": external}]}}


def test_provider_answers_and_errors_print_no_raw_sequence(cli: Cli, hostile: HostileServer) -> None:
    for mode in ("escapes", "escape400", "escape502"):
        cli.create(custom(mode, hostile.base(mode)))
        for stream in ((), ("--stream",)):
            code, out, err = cli("serving-endpoints", "query", mode, *stream, "--json", CHAT)
            assert_no_raw(out + err)
            if mode == "escapes":
                assert code == 0 and "sb-pwned-title" in out  # the answer is all there, escaped as JSON
            else:
                assert code == 1 and err.startswith("Error: ") and "␛[2J" in err


@pytest.mark.parametrize(
    "args",
    [
        ("serving-endpoints", "get", TYPED),
        ("serving-endpoints", "delete", TYPED),
        ("serving-endpoints", "query", TYPED, "--json", CHAT),
        ("secrets", "create-scope", TYPED),
        ("secrets", "list-secrets", TYPED),
        ("secrets", "put-secret", TYPED, TYPED, "--string-value", "v4lue"),
        ("serving-endpoints", "create", "--json", json.dumps(custom(TYPED, "http://127.0.0.1:9"))),
        ("serving-endpoints", "create", "--json", TYPED),
        ("serving-endpoints", "create", "--json", "@" + TYPED),
    ],
)
def test_typed_input_echoed_in_an_error_is_made_visible(cli: Cli, args: tuple[str, ...]) -> None:
    code, out, err = cli(*args)
    assert code == 1 and err.startswith("Error: ")
    assert_no_raw(out + err)


def test_stderr_bytes_of_a_real_process_hold_no_raw_sequence(tmp_path: Path, hostile: HostileServer) -> None:
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "c"),
        "XDG_DATA_HOME": str(tmp_path / "d"),
    }
    ws = ["--workspace", str(tmp_path / "w.db")]
    base = [sys.executable, "-c", "import sys; from tui.cli.main import main; sys.exit(main())"]
    subprocess.run(
        [*base, "serving-endpoints", "create", *ws, "--json", json.dumps(custom("bad", hostile.base("escape502")))],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    # a provider's error, a name echoed by the workspace, and argparse's own "invalid choice" messages
    for args in (
        ["serving-endpoints", "query", "bad", "--json", CHAT],
        ["serving-endpoints", "get", TYPED],
        [TYPED],
        ["serving-endpoints", TYPED],
    ):
        done = subprocess.run([*base, *args, *ws], env=env, capture_output=True, timeout=60, check=False)
        output = done.stdout + done.stderr
        for sequence in RAW_SEQUENCES:
            assert sequence.encode() not in output
        assert b"Traceback" not in output and done.returncode in (1, 2)
