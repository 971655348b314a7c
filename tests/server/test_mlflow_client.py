"""MLflow's deployment client (``mlflow.deployments.get_deploy_client("databricks")``) against ``switchboard serve``
on 127.0.0.1, found only through the environment as a user's script would find a workspace: endpoints created (the
current and the legacy forms), read, listed, updated (config, rate limits, AI gateway, tags) and deleted, queried and
streamed, and the errors it surfaces. The endpoints are answered by the loopback simulator.

MLflow sends every request through databricks-sdk's ApiClient (a new client per call, each after the
``/.well-known/databricks-config`` probe), so these tests read the server as the SDK does, too.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.served import Served
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.workspace.local.workspace import LocalWorkspace

deployments = pytest.importorskip("mlflow.deployments")
requests = pytest.importorskip("requests")
sdk_errors = pytest.importorskip("databricks.sdk.errors")

USER = [{"role": "user", "content": "Count to three"}]
PER_USER = {"calls": 1, "key": "user", "renewal_period": "minute"}
TEAM = {"key": "team", "value": "gen-ai"}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(api_key=SIM_KEY).running_in_thread() as simulator:
        yield simulator


@pytest.fixture
def served(workspace_file: Path, sim: Simulator) -> Iterator[Served]:
    """The server, on a workspace holding the simulator's key."""
    with Served(workspace_file).running() as server:
        hold_sim_key(server.url, server.token)
        yield server


@pytest.fixture
def client(served: Served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    return point_mlflow_at(served.url, served.token, monkeypatch, tmp_path)


@pytest.fixture
def ws(workspace_file: Path) -> Iterator[LocalWorkspace]:
    """The workspace ``server_url`` serves (tests/server/conftest.py), here one whose configurations take a minute to
    roll out, as on Databricks: for the test of an update while one is in progress. The other tests use ``served``."""
    workspace = LocalWorkspace(workspace_file, user="tester", rollout_seconds=60)
    yield workspace
    asyncio.run(workspace.aclose())


def hold_sim_key(url: str, token: str) -> None:
    """Store the simulator's key where the endpoints read it (secrets are not MLflow's business: plain REST)."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as rest:
        assert rest.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).is_success
        secret = {"scope": "sim", "key": "key", "string_value": SIM_KEY}
        assert rest.post("/api/2.0/secrets/put", json=secret).is_success


def point_mlflow_at(url: str, token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """MLflow's client, told where the server is by the environment and by nothing else (no ~/.databrickscfg)."""
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "MLFLOW_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_HOST", url)
    monkeypatch.setenv("DATABRICKS_TOKEN", token)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "absent.databrickscfg"))
    # MLflow retries 429/500/502/503 for up to 600 s (predict) or 500 s (the rest), on top of the SDK's own retries
    # within the same budget: a failing test fails in seconds instead. MAX_RETRIES is MLflow's own retry count; the
    # two time budgets become the SDK's retry_timeout_seconds (predict's must not be below its per-request timeout).
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_DATABRICKS_ENDPOINT_HTTP_RETRY_TIMEOUT", "5")
    monkeypatch.setenv("MLFLOW_DEPLOYMENT_PREDICT_TIMEOUT", "10")
    monkeypatch.setenv("MLFLOW_DEPLOYMENT_PREDICT_TOTAL_TIMEOUT", "10")
    return deployments.get_deploy_client("databricks")


def create(client: Any, sim: Simulator, task: str, **options: Any) -> Any:
    """An endpoint named after its ``task``, created the current way (the whole request body as ``config``)."""
    return client.create_endpoint(config=endpoint_body(sim.base_url, "openai", task, name=task, **options))


def error_of(failed: pytest.ExceptionInfo[Any]) -> tuple[int, str]:
    """The status and the server's error_code of MLflow's HTTPError.

    On MLflow's default path (through the SDK) the status is MLflow's own reading of the error_code (its
    ERROR_CODE_TO_HTTP_STATUS), not the one on the wire: the error_code is what the server decides.
    """
    response = failed.value.response
    return response.status_code, response.json()["error_code"]


def served_models(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(entity name, model name) of each served entity of an endpoint's ``config`` or ``pending_config``."""
    return [(e["name"], e["external_model"]["name"]) for e in config["served_entities"]]


def test_endpoints_are_created_read_listed_and_deleted(
    client: Any, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    assert client.list_endpoints() == []  # "endpoints" is there even when empty: MLflow reads it as an attribute
    with caplog.at_level(logging.WARNING, "databricks.sdk"):
        created = create(client, sim, "chat", tags=[TEAM])
    assert "host metadata" not in caplog.text  # the probe was answered as the SDK expects
    assert created.name == "chat" and created.state == {"ready": "READY", "config_update": "NOT_UPDATING"}
    got = client.get_endpoint("chat")
    assert served_models(got.config) == [("primary", "gpt-4o-mini")]
    assert got.task == "llm/v1/chat" and got.tags == [TEAM]
    assert [e["name"] for e in client.list_endpoints()] == ["chat"]
    assert client.delete_endpoint("chat") == {}
    assert client.list_endpoints() == []


def test_the_legacy_create_forms_warn_and_still_create(client: Any, sim: Simulator) -> None:
    body = endpoint_body(sim.base_url, "openai", "completions", name="legacy")
    # name, core config and route_optimized apart: MLflow moves tags and rate limits up and sends route_optimized
    with pytest.warns(UserWarning, match="as separate parameters is deprecated"):
        legacy = client.create_endpoint(
            name="legacy", config={**body["config"], "tags": [TEAM], "rate_limits": [PER_USER]}
        )
    assert legacy.route_optimized is False and legacy.tags == [TEAM] and legacy.rate_limits == [PER_USER]
    named = endpoint_body(sim.base_url, "openai", "chat", name="unused")
    del named["name"]
    with pytest.warns(UserWarning, match="Passing 'name' as a parameter is deprecated"):
        client.create_endpoint(name="named", config=named)
    assert sorted(e["name"] for e in client.list_endpoints()) == ["legacy", "named"]
    assert served_models(client.get_endpoint("named").config) == [("primary", "gpt-4o-mini")]


def test_updates_of_config_rate_limits_ai_gateway_and_tags(client: Any, sim: Simulator) -> None:
    create(client, sim, "chat")
    limits = {"rate_limits": [PER_USER]}
    # the deprecated catch-all: rate limits alone go to /rate-limits, anything else to /config
    with pytest.warns(FutureWarning), pytest.warns(UserWarning, match="`update_endpoint` method is deprecated"):
        assert client.update_endpoint("chat", limits) == limits
    second = endpoint_body(sim.base_url, "openai", "chat", model="gpt-4o", entity="second")["config"]
    with pytest.warns(FutureWarning), pytest.warns(UserWarning, match="`update_endpoint` method is deprecated"):
        updated = client.update_endpoint("chat", second)
    assert served_models(updated.config) == [("second", "gpt-4o")] and updated.config.config_version == 2

    third = endpoint_body(sim.base_url, "openai", "chat", entity="third")["config"]
    updated = client.update_endpoint_config("chat", third)
    assert served_models(updated.config) == [("third", "gpt-4o-mini")] and updated.config.config_version == 3
    per_endpoint = {"rate_limits": [{"calls": 5, "key": "endpoint", "renewal_period": "minute"}]}
    assert client.update_endpoint_rate_limits("chat", per_endpoint) == per_endpoint
    gateway = {
        "rate_limits": [{"calls": 7, "key": "user", "renewal_period": "minute"}],
        "usage_tracking_config": {"enabled": True},
    }
    assert client.update_endpoint_ai_gateway("chat", gateway) == gateway
    assert client.update_endpoint_tags("chat", {"add_tags": [TEAM, {"key": "tier"}]}).tags == [TEAM, {"key": "tier"}]
    assert client.update_endpoint_tags("chat", {"delete_tags": ["tier"]}).tags == [TEAM]

    got = client.get_endpoint("chat")
    assert got.ai_gateway == gateway and got.rate_limits == per_endpoint["rate_limits"] and got.tags == [TEAM]
    assert served_models(got.config) == [("third", "gpt-4o-mini")]


def test_predict_chat_completions_and_embeddings(client: Any, sim: Simulator) -> None:
    for task in ("chat", "completions", "embeddings"):
        create(client, sim, task)
    chat = client.predict(endpoint="chat", inputs={"messages": USER, "max_tokens": 20})
    assert chat.object == "chat.completion" and chat.choices[0]["message"]["content"] and chat.usage.total_tokens > 0
    completion = client.predict(endpoint="completions", inputs={"prompt": "Once upon", "max_tokens": 20})
    assert completion.object == "text_completion" and completion.choices[0]["text"]
    embedded = client.predict(endpoint="embeddings", inputs={"input": ["one", "two"]})
    assert [d["index"] for d in embedded.data] == [0, 1] and len(embedded.data[0]["embedding"]) > 1


def test_predict_stream_reassembles_the_answer(client: Any, sim: Simulator) -> None:
    """Every line MLflow reads must be ``data: <json>`` (it raises on anything else) up to ``data: [DONE]``."""
    create(client, sim, "chat")
    create(client, sim, "completions")
    chat = {"messages": USER, "max_tokens": 20}
    whole = client.predict(endpoint="chat", inputs=chat).choices[0]["message"]["content"]
    chunks = list(client.predict_stream(endpoint="chat", inputs=chat))
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == whole

    prompt = {"prompt": "Once upon", "max_tokens": 20}
    text = client.predict(endpoint="completions", inputs=prompt).choices[0]["text"]
    chunks = list(client.predict_stream(endpoint="completions", inputs=prompt))
    assert {c["object"] for c in chunks} == {"text_completion_chunk"}
    assert "".join(c["choices"][0]["text"] or "" for c in chunks if c["choices"]) == text


def test_a_missing_endpoint_is_a_404_with_the_servers_message(client: Any) -> None:
    calls = [
        lambda: client.get_endpoint("nope"),
        lambda: client.delete_endpoint("nope"),
        lambda: client.update_endpoint_rate_limits("nope", {"rate_limits": [PER_USER]}),
        lambda: client.predict(endpoint="nope", inputs={"messages": USER}),
        lambda: list(client.predict_stream(endpoint="nope", inputs={"messages": USER})),
    ]
    for call in calls:
        with pytest.raises(requests.HTTPError, match="Endpoint 'nope' does not exist") as failed:
            call()
        assert error_of(failed) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_bad_create_bodies_are_refused_and_nothing_is_created(client: Any, sim: Simulator) -> None:
    create(client, sim, "chat")
    with pytest.raises(requests.HTTPError, match="already exists") as failed:
        create(client, sim, "chat")
    assert error_of(failed) == (400, "RESOURCE_ALREADY_EXISTS")
    bad_name = endpoint_body(sim.base_url, "openai", "chat", name="no spaces allowed")
    with pytest.raises(requests.HTTPError, match="no spaces allowed") as failed:
        client.create_endpoint(config=bad_name)
    assert error_of(failed) == (400, "INVALID_PARAMETER_VALUE")
    assert [e["name"] for e in client.list_endpoints()] == ["chat"]


def test_while_a_configuration_rolls_out_updates_are_a_409_and_queries_not_ready(
    server_url: str, token: str, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hold_sim_key(server_url, token)
    client = point_mlflow_at(server_url, token, monkeypatch, tmp_path)
    created = create(client, sim, "chat")  # MLflow never polls: it hands back what the server said at once
    assert created.state == {"ready": "NOT_READY", "config_update": "IN_PROGRESS"}
    assert created.pending_config.config_version == 1
    again = endpoint_body(sim.base_url, "openai", "chat", entity="again")["config"]
    with pytest.raises(requests.HTTPError, match="Endpoint 'chat' is being updated") as failed:
        client.update_endpoint_config("chat", again)
    assert error_of(failed) == (409, "RESOURCE_CONFLICT")
    with pytest.raises(requests.HTTPError, match="not ready yet") as failed:
        client.predict(endpoint="chat", inputs={"messages": USER})
    assert error_of(failed) == (500, "INVALID_STATE")  # MLflow's table says 500 for INVALID_STATE (the SDK's 400)
    got = client.get_endpoint("chat")  # nothing of the refused update was kept
    assert "config" not in got and served_models(got.pending_config) == [("primary", "gpt-4o-mini")]


def test_a_bad_token_is_a_401_that_never_shows_the_token(
    client: Any, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "sb-wrong-token")
    with pytest.raises(requests.HTTPError, match="Invalid access token") as failed:
        deployments.get_deploy_client("databricks").list_endpoints()
    assert error_of(failed) == (401, "UNAUTHENTICATED")
    assert "sb-wrong-token" not in str(failed.value) and served.token not in str(failed.value)


def test_a_rate_limit_set_through_mlflow_refuses_with_429_at_once(
    client: Any, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the SDK in between (``MLFLOW_ENABLE_DB_SDK=false``), MLflow's plain ``requests`` session retries only
    ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` times (0 here): the 429 surfaces at once, with its Retry-After."""
    create(client, sim, "chat")
    client.update_endpoint_rate_limits("chat", {"rate_limits": [PER_USER]})
    monkeypatch.setenv("MLFLOW_ENABLE_DB_SDK", "false")
    plain = deployments.get_deploy_client("databricks")
    assert plain.predict(endpoint="chat", inputs={"messages": USER, "max_tokens": 5}).choices
    with pytest.raises(requests.HTTPError, match="Rate limit reached on endpoint 'chat'") as failed:
        plain.predict(endpoint="chat", inputs={"messages": USER, "max_tokens": 5})
    assert error_of(failed) == (429, "REQUEST_LIMIT_EXCEEDED")
    assert 1 <= int(failed.value.response.headers["Retry-After"]) <= 60


def test_through_the_sdk_a_rate_limit_ends_the_retries_with_the_servers_error(
    client: Any, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MLflow's default path: the SDK retries a 429 after its Retry-After (a 1 s default when there is none) until
    its retry_timeout_seconds, which for predict is ``MLFLOW_DEPLOYMENT_PREDICT_TOTAL_TIMEOUT`` (600 s by default;
    1 s here), then raises TimeoutError from the server's error. A limit of 0 calls has no Retry-After (waiting never
    helps), so the one sleep is the SDK's default second, not the minute a spent limit would ask for."""
    create(client, sim, "chat")
    client.update_endpoint_ai_gateway(
        "chat", {"rate_limits": [{"calls": 0, "key": "endpoint", "renewal_period": "minute"}]}
    )
    monkeypatch.setenv("MLFLOW_DEPLOYMENT_PREDICT_TIMEOUT", "1")
    monkeypatch.setenv("MLFLOW_DEPLOYMENT_PREDICT_TOTAL_TIMEOUT", "1")
    with pytest.raises(TimeoutError) as failed:
        client.predict(endpoint="chat", inputs={"messages": USER})
    cause = failed.value.__cause__
    assert isinstance(cause, sdk_errors.TooManyRequests)
    assert cause.error_code == "REQUEST_LIMIT_EXCEEDED" and "Rate limit reached on endpoint 'chat'" in str(cause)


def test_a_stream_cut_midway_ends_with_the_servers_error_as_its_last_chunk(client: Any, sim: Simulator) -> None:
    """After the first chunk the status is sent: MLflow hands the error line on as a chunk and stops (no [DONE])."""
    create(client, sim, "chat", model="gpt-4o-mini@fault=cut,cut_after=3")
    *chunks, last = client.predict_stream(endpoint="chat", inputs={"messages": USER})
    assert chunks and all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert last["error_code"] == "BAD_GATEWAY" and "stream was cut" in last["message"]
