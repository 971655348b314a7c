"""``switchboard import mlflow-gateway|endpoints`` and ``switchboard export``, through the module's own parser.

The commands are not yet registered in ``tui.cli.main``, so each test builds a parser with
``tui.cli.transfer.register`` and runs the parsed command on the test's workspace.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.cli.transfer import Cancelled, register
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import InvalidParameterValue, ResourceAlreadyExists
from tui.workspace.local.workspace import LocalWorkspace

GATEWAY = """
endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model: {provider: openai, name: gpt-4o-mini, config: {openai_api_key: $TEST_OPENAI_KEY}}
    limit: {renewal_period: minute, calls: 3}
  - name: claude
    endpoint_type: llm/v1/chat
    model: {provider: anthropic, name: claude-3-5-haiku, config: {anthropic_api_key: $TEST_ANTHROPIC_KEY}}
"""
VALUES = {"TEST_OPENAI_KEY": "sk-openai-value", "TEST_ANTHROPIC_KEY": "sk-ant-value"}


async def run(ws: LocalWorkspace, *argv: str) -> Any:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    register(commands, argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(argv)
    return await args.run(args, ws)


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in VALUES.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "config.yaml"
    path.write_text(GATEWAY)
    return path


def answer(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


async def test_gateway_dry_run_names_variables_never_values_and_changes_nothing(
    workspace: LocalWorkspace, gateway: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await run(workspace, "import", "mlflow-gateway", str(gateway), "--dry-run", "--scope", "gw")
    assert result == {
        "would_create": ["chat", "claude"],
        "would_read_env": [
            "$TEST_OPENAI_KEY -> {{secrets/gw/openai_api_key}}",
            "$TEST_ANTHROPIC_KEY -> {{secrets/gw/anthropic_api_key}}",
        ],
    }
    out, err = capsys.readouterr()
    assert all(v not in json.dumps(result) + out + err for v in VALUES.values())
    assert await workspace.list_scopes() == [] and await workspace.list_endpoints() == []


async def test_gateway_import_with_yes_stores_secrets_and_creates_endpoints(
    workspace: LocalWorkspace, gateway: Path
) -> None:
    result = await run(workspace, "import", "mlflow-gateway", str(gateway), "--yes")
    assert result == {
        "created": ["chat", "claude"],
        "secrets": ["mlflow_gateway/openai_api_key", "mlflow_gateway/anthropic_api_key"],
    }
    assert {m.key for m in await workspace.list_secrets("mlflow_gateway")} == {"openai_api_key", "anthropic_api_key"}
    chat = await workspace.get_endpoint("chat")
    model = chat.to_json()["config"]["served_entities"][0]["external_model"]
    assert model["openai_config"] == {"openai_api_key": "{{secrets/mlflow_gateway/openai_api_key}}"}
    assert [r.to_json() for r in chat.rate_limits or []] == [
        {"key": "endpoint", "renewal_period": "minute", "calls": 3}
    ]


async def test_gateway_import_asks_first_and_no_stores_nothing(
    workspace: LocalWorkspace, gateway: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await workspace.create_scope("mlflow_gateway")
    await workspace.put_secret("mlflow_gateway", "openai_api_key", b"old")
    answer(monkeypatch, "n\n")
    with pytest.raises(Cancelled, match="Cancelled"):
        await run(workspace, "import", "mlflow-gateway", str(gateway))
    err = capsys.readouterr().err
    assert "$TEST_OPENAI_KEY" in err and "replacing mlflow_gateway/openai_api_key" in err
    assert all(v not in err for v in VALUES.values())
    assert [m.key for m in await workspace.list_secrets("mlflow_gateway")] == ["openai_api_key"]
    assert await workspace.list_endpoints() == []

    answer(monkeypatch, "y\n")
    assert (await run(workspace, "import", "mlflow-gateway", str(gateway)))["created"] == ["chat", "claude"]


async def test_gateway_missing_variable_or_taken_name_stores_nothing(
    workspace: LocalWorkspace, gateway: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_ANTHROPIC_KEY")
    with pytest.raises(InvalidParameterValue, match="Environment variables not set: TEST_ANTHROPIC_KEY"):
        await run(workspace, "import", "mlflow-gateway", str(gateway), "--yes")
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", "x")
    await workspace.create_scope("s")
    await workspace.put_secret("s", "k", b"v")
    await workspace.create_endpoint(CreateServingEndpoint.model_validate(_endpoint("claude")))
    with pytest.raises(ResourceAlreadyExists, match="claude"):
        await run(workspace, "import", "mlflow-gateway", str(gateway), "--yes")
    assert [s.name for s in await workspace.list_scopes()] == ["s"]


async def test_gateway_literal_key_and_unreadable_file_are_refused(workspace: LocalWorkspace, tmp_path: Path) -> None:
    path = tmp_path / "literal.yaml"
    path.write_text(GATEWAY.replace("$TEST_OPENAI_KEY", "sk-literal"))
    with pytest.raises(
        InvalidParameterValue, match=re.escape("endpoint 'chat': model.config.openai_api_key holds a literal key")
    ):
        await run(workspace, "import", "mlflow-gateway", str(path), "--yes")
    with pytest.raises(InvalidParameterValue, match="Cannot read"):
        await run(workspace, "import", "mlflow-gateway", str(tmp_path / "nope.yaml"))
    assert await workspace.list_endpoints() == []


def _endpoint(name: str, **config: str) -> dict[str, Any]:
    key = config or {"openai_api_key": "{{secrets/s/k}}"}
    return {
        "name": name,
        "config": {
            "served_entities": [
                {
                    "external_model": {
                        "name": "gpt-4o",
                        "provider": "openai",
                        "task": "llm/v1/chat",
                        "openai_config": key,
                    }
                }
            ]
        },
        "tags": [{"key": "team", "value": "ml"}],
    }


async def test_export_then_import_endpoints_into_a_fresh_workspace(
    workspace: LocalWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await workspace.create_scope("s")
    await workspace.put_secret("s", "k", b"v")
    await workspace.create_endpoint(CreateServingEndpoint.model_validate(_endpoint("a")))
    await workspace.create_endpoint(
        CreateServingEndpoint.model_validate(_endpoint("p", openai_api_key_plaintext="sk-plain"))
    )
    bodies = await run(workspace, "export")
    assert [b["name"] for b in bodies] == ["a", "p"] and "sk-plain" not in json.dumps(bodies)
    out_file = tmp_path / "endpoints.json"
    assert await run(workspace, "export", "--output", str(out_file)) is None
    assert json.loads(out_file.read_text()) == bodies
    err = capsys.readouterr().err
    assert "Warning: endpoint 'p' is exported without its key" in err and "sk-plain" not in err

    fresh = LocalWorkspace(tmp_path / "fresh.db", user="tester")
    try:
        await fresh.create_scope("s")
        await fresh.put_secret("s", "k", b"v")
        with pytest.raises(InvalidParameterValue, match="endpoint 'p'"):  # the key-less one refuses the whole file
            await run(fresh, "import", "endpoints", str(out_file))
        assert await fresh.list_endpoints() == []
        out_file.write_text(json.dumps(bodies[:1]))
        assert await run(fresh, "import", "endpoints", str(out_file), "--dry-run") == {
            "would": [{"action": "create", "name": "a"}]
        }
        assert await fresh.list_endpoints() == []
        assert await run(fresh, "import", "endpoints", str(out_file)) == {"done": [{"action": "create", "name": "a"}]}
        assert await run(fresh, "export") == bodies[:1]
        with pytest.raises(ResourceAlreadyExists, match="--replace"):
            await run(fresh, "import", "endpoints", str(out_file))
        bodies[0]["config"]["served_entities"][0]["external_model"]["name"] = "gpt-4.1"
        out_file.write_text(json.dumps(bodies[:1]))
        assert await run(fresh, "import", "endpoints", str(out_file), "--replace") == {
            "done": [{"action": "update", "name": "a"}]
        }
        entity = (await fresh.get_endpoint("a")).to_json()["config"]["served_entities"][0]
        assert entity["external_model"]["name"] == "gpt-4.1"
    finally:
        await fresh.aclose()


@pytest.mark.parametrize(("content", "message"), [("{not json", "FILE"), ('{"name": "a"}', "JSON list")])
async def test_import_endpoints_bad_file(workspace: LocalWorkspace, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InvalidParameterValue, match=message):
        await run(workspace, "import", "endpoints", str(path))
