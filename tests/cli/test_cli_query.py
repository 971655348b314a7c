"""``switchboard serving-endpoints query`` against the simulator: JSON out, chunks as lines, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.endpoints import endpoint_body
from tui.cli.main import main
from tui.simulator import Simulator


def run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    return code, out, err


def setup(workspace: Path, capsys: pytest.CaptureFixture[str], base: str, model: str) -> None:
    assert run(workspace, capsys, "secrets", "create-scope", "sim")[0] == 0
    assert run(workspace, capsys, "secrets", "put-secret", "sim", "key", "--string-value", "sim-key")[0] == 0
    body = endpoint_body(base, "openai", "completions", model=model, name="openai-completions")
    assert run(workspace, capsys, "serving-endpoints", "create", "--json", json.dumps(body))[0] == 0


def test_seed_predict_through_the_cli(workspace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the CLI runs its own event loop, so the simulator must run in a thread here
    with Simulator(api_key="sim-key").running_in_thread() as threaded:
        setup(workspace_file, capsys, threaded.base_url, "gpt-3.5-turbo-instruct")
        request = {"prompt": "What is Databricks?", "temperature": 0.1, "max_tokens": 10, "n": 2}
        code, out, err = run(
            workspace_file, capsys, "serving-endpoints", "query", "openai-completions", "--json", json.dumps(request)
        )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["object"] == "text_completion" and [c["index"] for c in answer["choices"]] == [0, 1]
    assert answer["usage"]["completion_tokens"] == 20


def test_stream_prints_one_chunk_per_line(workspace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Simulator(api_key="sim-key").running_in_thread() as threaded:
        setup(workspace_file, capsys, threaded.base_url, "gpt-3.5-turbo-instruct@tokens=6")
        code, out, err = run(
            workspace_file,
            capsys,
            "serving-endpoints",
            "query",
            "openai-completions",
            "--stream",
            "--json",
            '{"prompt": "hi"}',
        )
    assert code == 0, err
    chunks = [json.loads(line) for line in out.splitlines()]
    assert {c["object"] for c in chunks} == {"text_completion_chunk"}
    assert len("".join(c["choices"][0]["text"] for c in chunks if c["choices"]).split()) == 6


def test_a_cut_stream_prints_what_arrived_then_the_error(
    workspace_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Simulator(api_key="sim-key").running_in_thread() as threaded:
        setup(workspace_file, capsys, threaded.base_url, "gpt-3.5-turbo-instruct@tokens=20,fault=cut,cut_after=8")
        code, out, err = run(
            workspace_file,
            capsys,
            "serving-endpoints",
            "query",
            "openai-completions",
            "--json",
            '{"prompt": "hi", "stream": true}',
        )
    assert code == 1
    assert len(out.splitlines()) >= 4
    assert err.startswith("Error: The OpenAI stream was cut") and "(BAD_GATEWAY)" in err


def test_query_errors(workspace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Simulator(api_key="sim-key").running_in_thread() as threaded:
        setup(workspace_file, capsys, threaded.base_url, "gpt-3.5-turbo-instruct@fault=429,retry_after=4")
        code, out, err = run(
            workspace_file, capsys, "serving-endpoints", "query", "openai-completions", "--json", '{"prompt": "hi"}'
        )
        assert code == 1 and out == ""
        assert "OpenAI rate limit hit (429)" in err and "Retry in 4.0 s." in err and "(REQUEST_LIMIT_EXCEEDED)" in err
        code, _, err = run(
            workspace_file, capsys, "serving-endpoints", "query", "openai-completions", "--json", '{"messages": []}'
        )
        assert code == 1 and "takes 'prompt'" in err
