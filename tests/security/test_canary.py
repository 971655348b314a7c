"""Canary scan: known values as secrets and as plaintext keys of every provider config shape, every CLI
command and query (failing ones, a provider that echoes credentials, every simulator fault); then the
canaries may appear only where secret values are stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Cli
from tests.security.canaries import (
    CANARIES,
    PLAIN_CANARY,
    SECRET_CANARY,
    SECRET_REF,
    files_with_canaries,
    stored_canary_places,
)
from tests.security.hostile import ENTRA_TOKEN, HostileServer
from tui.simulator import Simulator
from tui.simulator.endpoints import FLAVOURS, SIM_REF
from tui.simulator.knobs import FAULTS

ECHO_MODES = ("echo401", "echo500", "echostream", "echoanswer")
# where a canary may be: the secret store, and the endpoint documents that keep plaintext keys write-only
ALLOWED_PLACES = {"secrets.value", "endpoints.doc"}

# provider shapes beyond tests/providers' flavours: a custom server with a header of the user's choosing
SHAPES: dict[str, tuple[str, str, Any]] = {
    name: (spec.provider, spec.config_key, lambda base, build=spec.build: build(base, SIM_REF))
    for name, spec in FLAVOURS.items()
}
SHAPES["custom-header"] = (
    "custom",
    "custom_provider_config",
    lambda base: {"custom_provider_url": f"{base}/v1", "api_key_auth": {"key": "x-team-header", "value": SIM_REF}},
)
# providers that cannot be queried from the local workspace yet: stored and shown, never printed
UNQUERIED: dict[str, tuple[str, dict[str, Any]]] = {
    "cohere": ("cohere_config", {"cohere_api_key_plaintext": PLAIN_CANARY}),
    "amazon-bedrock": (
        "amazon_bedrock_config",
        {
            "aws_region": "us-east-1",
            "bedrock_provider": "anthropic",
            "aws_access_key_id_plaintext": PLAIN_CANARY,
            "aws_secret_access_key_plaintext": PLAIN_CANARY + "-2",
        },
    ),
    "google-cloud-vertex-ai": (
        "google_cloud_vertex_ai_config",
        {"project_id": "p", "region": "us-central1", "private_key_plaintext": PLAIN_CANARY},
    ),
    "ai21labs": ("ai21labs_config", {"ai21labs_api_key_plaintext": PLAIN_CANARY}),
    "palm": ("palm_config", {"palm_api_key_plaintext": PLAIN_CANARY}),
    "gemini": ("gemini_config", {"gemini_api_key_plaintext": PLAIN_CANARY}),
    "mistral": ("mistral_config", {"mistral_api_key_plaintext": PLAIN_CANARY}),
}


def with_credentials(config: dict[str, Any], plaintext: bool) -> dict[str, Any]:
    """``config`` with every key field holding the canary: as a secret reference, or in plaintext."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out[key] = with_credentials(value, plaintext)
        elif value == SIM_REF and plaintext:
            out[f"{key}_plaintext"] = PLAIN_CANARY
        elif value == SIM_REF:
            out[key] = SECRET_REF
        else:
            out[key] = value
    return out


def endpoint(name: str, shape: str, base: str, *, plaintext: bool, model: str = "gpt-4o-mini") -> dict[str, Any]:
    provider, key, build = SHAPES[shape]
    config = with_credentials(build(base), plaintext)
    if "openai_deployment_name" in config:
        config["openai_deployment_name"] = model
    if provider == "anthropic" and "@" not in model:
        model = "claude-3-5-haiku-20241022"
    external = {"name": model, "provider": provider, "task": "llm/v1/chat", key: config}
    return {"name": name, "config": {"served_entities": [{"name": "primary", "external_model": external}]}}


def query_both_ways(cli: Cli, name: str) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "Repeat my key"}], "max_tokens": 5})
    cli("serving-endpoints", "query", name, "--json", body)
    cli("serving-endpoints", "query", name, "--stream", "--json", body)


def assert_no_canary_leaked(cli: Cli, root: Path) -> None:
    printed = "".join(cli.transcript)
    for canary in (*CANARIES, ENTRA_TOKEN):
        assert canary not in printed, f"{canary} was printed"
    assert "[REDACTED]" in printed  # the echoing provider was heard, with the keys blanked out
    assert stored_canary_places(cli.workspace) <= ALLOWED_PLACES
    assert files_with_canaries(root, skip=cli.workspace) == []


@pytest.fixture
def canary_cli(cli: Cli) -> Cli:
    assert cli("secrets", "create-scope", "canary")[0] == 0
    assert cli("secrets", "put-secret", "canary", "key", "--string-value", SECRET_CANARY)[0] == 0
    return cli


def test_a_provider_that_echoes_credentials_never_shows_them(
    canary_cli: Cli, hostile: HostileServer, tmp_path: Path
) -> None:
    names = []
    for shape in SHAPES:
        for plaintext in (False, True):
            for mode in ECHO_MODES:
                name = f"{shape}-{'plain' if plaintext else 'ref'}-{mode}"
                canary_cli.create(endpoint(name, shape, hostile.base(mode), plaintext=plaintext))
                names.append(name)
    for name in names:
        query_both_ways(canary_cli, name)
    for command in (("serving-endpoints", "list"), ("secrets", "list-scopes"), ("secrets", "list-secrets", "canary")):
        canary_cli(*command)
    for name in names:
        canary_cli("serving-endpoints", "get", name)
    assert_no_canary_leaked(canary_cli, tmp_path)


def test_every_simulator_fault_keeps_the_key_out(canary_cli: Cli, tmp_path: Path) -> None:
    with Simulator(api_key=SECRET_CANARY).running_in_thread() as sim:
        for shape in ("openai", "azure", "anthropic", "custom"):
            for fault in FAULTS:
                name = f"{shape}-{fault.replace('_', '-')}"
                model = f"gpt-4o-mini@fault={fault},stall_s=0.2,retry_after=1"
                canary_cli.create(endpoint(name, shape, sim.base_url, plaintext=False, model=model))
                query_both_ways(canary_cli, name)
        # and a key the provider refuses, given in plaintext
        canary_cli.create(endpoint("wrong-key", "openai", sim.base_url, plaintext=True))
        query_both_ways(canary_cli, "wrong-key")
    printed = "".join(canary_cli.transcript)
    assert "REQUEST_LIMIT_EXCEEDED" in printed and "PERMISSION_DENIED" in printed  # the faults really ran
    for canary in CANARIES:
        assert canary not in printed
    assert stored_canary_places(canary_cli.workspace) <= ALLOWED_PLACES
    assert files_with_canaries(tmp_path, skip=canary_cli.workspace) == []


def test_unqueried_providers_store_plaintext_keys_write_only(canary_cli: Cli, tmp_path: Path) -> None:
    for provider, (key, config) in UNQUERIED.items():
        task = "llm/v1/chat"
        external = {"name": "some-model", "provider": provider, "task": task, key: config}
        canary_cli.create({"name": f"{provider}-ep", "config": {"served_entities": [{"external_model": external}]}})
        canary_cli("serving-endpoints", "get", f"{provider}-ep")
        canary_cli(
            "serving-endpoints", "query", f"{provider}-ep", "--json", '{"messages": [{"role": "user", "content": "x"}]}'
        )
    canary_cli("serving-endpoints", "list")
    printed = "".join(canary_cli.transcript)
    assert not any(c in printed for c in CANARIES)
    assert stored_canary_places(canary_cli.workspace) == ALLOWED_PLACES
    assert files_with_canaries(tmp_path, skip=canary_cli.workspace) == []


def _openai(config: dict[str, Any], **external: Any) -> dict[str, Any]:
    model = {"name": "gpt-4o-mini", "provider": "openai", "task": "llm/v1/chat", "openai_config": config, **external}
    return {"name": "refused", "config": {"served_entities": [{"external_model": model}]}}


REFUSED_BODIES = [
    _openai({"openai_api_key": PLAIN_CANARY}),  # the key itself where a reference belongs
    _openai({"openai_api_key": SECRET_REF, "openai_api_key_plaintext": PLAIN_CANARY}),
    _openai({"openai_api_key_plaintext": PLAIN_CANARY, "openai_api_bsae": "http://127.0.0.1:9"}),
    _openai({"openai_api_key_plaintext": PLAIN_CANARY, "openai_api_base": "ftp://127.0.0.1"}),
    _openai({"openai_api_key_plaintext": PLAIN_CANARY}, provider="anthropic"),
    _openai({"openai_api_key_plaintext": PLAIN_CANARY * 400}),
    _openai({"openai_api_key_plaintext": PLAIN_CANARY}, task="llm/v1/nothing"),
    {
        "name": "refused",
        "config": {
            "served_entities": [
                {
                    "external_model": {
                        "name": "m",
                        "provider": "custom",
                        "task": "llm/v1/chat",
                        "custom_provider_config": {"bearer_token_auth": {"token": PLAIN_CANARY}},
                    }
                }
            ]
        },
    },
]


@pytest.mark.parametrize("body", REFUSED_BODIES)
def test_a_refused_body_never_quotes_its_key(canary_cli: Cli, body: dict[str, Any], tmp_path: Path) -> None:
    for args in (
        ("serving-endpoints", "create", "--json", json.dumps(body)),
        ("serving-endpoints", "update-config", "no-such-endpoint", "--json", json.dumps(body["config"])),
        ("serving-endpoints", "create", "--json", json.dumps(body)[:-3]),  # cut short: not JSON
    ):
        code, out, err = canary_cli(*args)
        assert code == 1 and err.startswith("Error: ") and out == ""
        assert not any(c in err for c in CANARIES), err
    assert files_with_canaries(tmp_path, skip=canary_cli.workspace) == []
    assert stored_canary_places(canary_cli.workspace) == {"secrets.value"}  # nothing of the refused body kept


def test_every_command_on_an_endpoint_with_keys_prints_none(
    canary_cli: Cli, hostile: HostileServer, tmp_path: Path
) -> None:
    name = "keyed"
    canary_cli.create(endpoint(name, "custom", hostile.base("echo401"), plaintext=True))
    config = endpoint(name, "openai", hostile.base("echo500"), plaintext=True)["config"]
    gateway = {
        "rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}],
        "usage_tracking_config": {"enabled": True},
    }
    for args in (
        ("serving-endpoints", "update-config", name, "--json", json.dumps(config)),
        (
            "serving-endpoints",
            "put",
            name,
            "--json",
            json.dumps({"rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}]}),
        ),
        ("serving-endpoints", "put-ai-gateway", name, "--json", json.dumps(gateway)),
        ("serving-endpoints", "patch", name, "--json", json.dumps({"add_tags": [{"key": "team", "value": "x"}]})),
        ("serving-endpoints", "get", name),
        ("serving-endpoints", "list"),
        ("serving-endpoints", "query", name, "--json", json.dumps({"messages": [{"role": "user", "content": "hi"}]})),
        ("secrets", "list-secrets", "canary"),
        ("secrets", "delete-secret", "canary", "key"),
        ("secrets", "delete-scope", "canary"),
        ("serving-endpoints", "delete", name),
    ):
        code, _out, err = canary_cli(*args)
        assert code == (1 if "query" in args else 0), (args, err)
    printed = "".join(canary_cli.transcript)
    assert "[REDACTED]" in printed and not any(c in printed for c in CANARIES)
    assert stored_canary_places(canary_cli.workspace) == set()  # deleted: no copy of a key is left anywhere
    assert files_with_canaries(tmp_path, skip=canary_cli.workspace) == []


def test_a_deleted_key_leaves_no_bytes_in_the_workspace_file(canary_cli: Cli) -> None:
    canary_cli.create(endpoint("keyed", "openai", "http://127.0.0.1:9", plaintext=True))
    assert canary_cli("serving-endpoints", "delete", "keyed")[0] == 0
    assert canary_cli("secrets", "delete-scope", "canary")[0] == 0
    with sqlite3.connect(canary_cli.workspace) as conn:  # as the next checkpoint would
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = b"".join(p.read_bytes() for p in canary_cli.workspace.parent.glob(canary_cli.workspace.name + "*"))
    assert not any(c.encode() in data for c in CANARIES)
