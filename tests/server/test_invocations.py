"""``POST /serving-endpoints/{name}/invocations`` through TestClient, endpoints answered by the loopback simulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY, endpoint_body, model_name
from tui.workspace.local.workspace import LocalWorkspace

CHAT = {"messages": [{"role": "user", "content": "Count to three"}], "max_tokens": 20}
PROMPTS = {"chat": CHAT, "completions": {"prompt": "Once upon", "max_tokens": 20}, "embeddings": {"input": "hi"}}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(api_key=SIM_KEY).running_in_thread() as simulator:
        yield simulator


def add_endpoint(api: TestClient, sim: Simulator, task: str, name: str | None = None, **knobs: str) -> str:
    """An OpenAI ``task`` endpoint on the simulator; ``knobs`` ride on the model name (``fault="500"``)."""
    body = endpoint_body(sim.base_url, "openai", task, name=name or task)
    if knobs:
        model = body["config"]["served_entities"][0]["external_model"]
        model["name"] += "@" + ",".join(f"{k}={v}" for k, v in knobs.items())
    answer = api.post("/api/2.0/serving-endpoints", json=body)
    assert answer.status_code == 200, answer.text
    return str(body["name"])


@pytest.fixture
def sim_api(api: TestClient, sim: Simulator, ws: LocalWorkspace) -> Iterator[TestClient]:
    """``api`` on a workspace holding the simulator's key where the endpoints read it (``{{secrets/sim/key}}``).

    The provider client lives on the TestClient's event loop, so it is closed there, before that loop ends.
    """
    assert api.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).status_code == 200
    assert api.post("/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": SIM_KEY}).is_success
    yield api
    assert api.portal is not None
    api.portal.call(ws.invoker.transport.aclose)


def invoke(api: TestClient, name: str, body: dict[str, Any]) -> Any:
    return api.post(f"/serving-endpoints/{name}/invocations", json=body)


def sse_events(raw: bytes) -> list[str]:
    """The data of each event, after checking the framing byte for byte: only ``data: ...\\n\\n`` events."""
    assert raw.endswith(b"\n\n")
    events = raw[:-2].split(b"\n\n")
    for ev in events:
        assert ev.startswith(b"data: ") and b"\n" not in ev, ev
    return [ev[len(b"data: ") :].decode() for ev in events]


@pytest.mark.parametrize("task", ["chat", "completions", "embeddings"])
def test_json_answer_per_task(sim_api: TestClient, sim: Simulator, task: str) -> None:
    name = add_endpoint(sim_api, sim, task)
    answer = invoke(sim_api, name, PROMPTS[task])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["object"] == {"chat": "chat.completion", "completions": "text_completion", "embeddings": "list"}[task]
    assert body["usage"]["total_tokens"] > 0
    assert sim.requests[-1].headers["authorization"] == f"Bearer {SIM_KEY}"


@pytest.mark.parametrize("task", ["chat", "completions"])
def test_stream_is_data_lines_then_done(sim_api: TestClient, sim: Simulator, task: str) -> None:
    name = add_endpoint(sim_api, sim, task)
    whole = invoke(sim_api, name, PROMPTS[task]).json()
    answer = invoke(sim_api, name, {**PROMPTS[task], "stream": True})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    *data, done = sse_events(answer.content)
    assert done == "[DONE]" and len(data) > 1
    chunks = [json.loads(d) for d in data]
    for chunk, text in zip(chunks, data, strict=True):  # compact JSON, exactly what was parsed
        assert text == json.dumps(chunk, separators=(",", ":"), ensure_ascii=False)
    if task == "chat":
        assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
        streamed = "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"])
        assert streamed == whole["choices"][0]["message"]["content"]
    else:
        assert {c["object"] for c in chunks} == {"text_completion_chunk"}
        assert "".join(ch.get("text") or "" for c in chunks for ch in c["choices"]) == whole["choices"][0]["text"]


def test_stream_false_or_missing_is_json(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    assert invoke(sim_api, name, {**CHAT, "stream": False}).json()["object"] == "chat.completion"


def test_trailing_slash_is_the_same_route(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    assert sim_api.post(f"/serving-endpoints/{name}/invocations/", json=CHAT).status_code == 200


@pytest.mark.parametrize("stream", [False, True])
def test_unknown_endpoint_is_404(sim_api: TestClient, stream: bool) -> None:
    answer = invoke(sim_api, "nope", {**CHAT, "stream": stream})
    assert answer.status_code == 404
    assert answer.json() == {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Endpoint 'nope' does not exist"}


@pytest.mark.parametrize("stream", [False, True])
def test_wrong_body_for_the_task_is_400(sim_api: TestClient, sim: Simulator, stream: bool) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    answer = invoke(sim_api, name, {"prompt": "no messages", "stream": stream})
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "messages" in answer.json()["message"]


def test_body_not_an_object_is_400(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    answer = sim_api.post(f"/serving-endpoints/{name}/invocations", content=b"[1, 2]")
    assert answer.status_code == 400 and answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    answer = sim_api.post(f"/serving-endpoints/{name}/invocations", content=b"{not json")
    assert answer.status_code == 400 and answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_no_token_is_401(anonymous: TestClient, sim: Simulator) -> None:
    answer = anonymous.post("/serving-endpoints/chat/invocations", json=CHAT)
    assert answer.status_code == 401 and answer.json()["error_code"] == "UNAUTHENTICATED"
    assert sim.requests == []


def test_a_missing_secret_is_refused_before_the_provider(
    sim_api: TestClient, sim: Simulator, ws: LocalWorkspace
) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    assert sim_api.post("/api/2.0/secrets/delete", json={"scope": "sim", "key": "key"}).status_code == 200
    answer = invoke(sim_api, name, CHAT)
    assert answer.status_code in (400, 404) and set(answer.json()) == {"error_code", "message"}
    assert "sim" in answer.json()["message"] and sim.requests == []


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("fault", "status", "code"), [("401", 502, "PERMISSION_DENIED"), ("500", 502, "BAD_GATEWAY")])
def test_provider_errors_keep_the_databricks_shape(
    sim_api: TestClient, sim: Simulator, fault: str, status: int, code: str, stream: bool
) -> None:
    """Before any chunk, a provider's refusal is an ordinary error answer, streamed or not."""
    name = add_endpoint(sim_api, sim, "chat", fault=fault)
    answer = invoke(sim_api, name, {**CHAT, "stream": stream})
    assert (answer.status_code, answer.json()["error_code"]) == (status, code)
    assert set(answer.json()) == {"error_code", "message"} and answer.json()["message"]
    assert SIM_KEY not in answer.text
    assert len(sim.requests) == 1


def test_stream_cut_midway_ends_with_an_error_line(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat", fault="cut", cut_after="3")
    answer = invoke(sim_api, name, {**CHAT, "stream": True})
    assert answer.status_code == 200  # the status went out with the first chunk
    *data, last = sse_events(answer.content)
    assert last != "[DONE]" and "[DONE]" not in data
    error = json.loads(last)
    assert error["error_code"] == "BAD_GATEWAY" and error["message"]
    assert error["error"] == {"code": error["error_code"], "message": error["message"]}  # what the openai SDK reads
    assert all(json.loads(d)["object"] == "chat.completion.chunk" for d in data)


def test_rate_limit_is_429_with_retry_after(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    limits = {"rate_limits": [{"calls": 1, "key": "endpoint", "renewal_period": "minute"}]}
    assert sim_api.put(f"/api/2.0/serving-endpoints/{name}/rate-limits", json=limits).status_code == 200
    assert invoke(sim_api, name, CHAT).status_code == 200
    for stream in (False, True):
        refused = invoke(sim_api, name, {**CHAT, "stream": stream})
        assert refused.status_code == 429
        assert refused.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
        assert refused.headers["retry-after"].isdigit() and 1 <= int(refused.headers["retry-after"]) <= 60
    assert len(sim.requests) == 1


def test_per_user_limits_count_each_token_apart(sim_api: TestClient, sim: Simulator, ws: LocalWorkspace) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    limits = {"rate_limits": [{"calls": 1, "key": "user", "renewal_period": "minute"}]}
    assert sim_api.put(f"/api/2.0/serving-endpoints/{name}/rate-limits", json=limits).status_code == 200
    bob = asyncio.run(ws.tokens.create("bob")).token_value
    assert invoke(sim_api, name, CHAT).status_code == 200  # alice
    assert invoke(sim_api, name, CHAT).status_code == 429  # alice again
    as_bob = sim_api.post(
        f"/serving-endpoints/{name}/invocations", json=CHAT, headers={"Authorization": f"Bearer {bob}"}
    )
    assert as_bob.status_code == 200
    assert sorted((r.user, r.calls) for r in ws.usage.rows(name)) == [("alice", 1), ("bob", 1)]


# -- the OpenAI-compatible routes: the same queries, the endpoint named by "model"
OPENAI_PATHS = {"chat": "chat/completions", "completions": "completions", "embeddings": "embeddings"}


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("task", ["chat", "completions", "embeddings"])
def test_openai_route_queries_the_model_endpoint(sim_api: TestClient, sim: Simulator, task: str, slash: str) -> None:
    name = add_endpoint(sim_api, sim, task, name=f"my-{task}")
    answer = sim_api.post(f"/serving-endpoints/{OPENAI_PATHS[task]}{slash}", json={"model": name, **PROMPTS[task]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["usage"]["total_tokens"] > 0
    assert (sim.requests[-1].body or {})["model"] == model_name("openai", task)  # the endpoint's model, not "model"


def test_openai_route_streams(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    answer = sim_api.post("/serving-endpoints/chat/completions", json={"model": name, **CHAT, "stream": True})
    *data, done = sse_events(answer.content)
    assert done == "[DONE]" and {json.loads(d)["object"] for d in data} == {"chat.completion.chunk"}


@pytest.mark.parametrize("model", [None, "", "  ", 3, ["chat"]])
def test_openai_route_without_a_model_name_is_400(sim_api: TestClient, sim: Simulator, model: Any) -> None:
    add_endpoint(sim_api, sim, "chat")
    body = CHAT if model is None else {**CHAT, "model": model}
    answer = sim_api.post("/serving-endpoints/chat/completions", json=body)
    assert answer.status_code == 400
    assert answer.json() == {
        "error_code": "INVALID_PARAMETER_VALUE",
        "message": "Missing 'model': give the name of the serving endpoint to query",
    }
    assert sim.requests == []


def test_openai_route_with_an_unknown_model_is_404(sim_api: TestClient) -> None:
    answer = sim_api.post("/serving-endpoints/embeddings", json={"model": "nope", "input": "hi"})
    assert answer.status_code == 404 and answer.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_openai_route_of_another_task_says_what_the_endpoint_takes(sim_api: TestClient, sim: Simulator) -> None:
    name = add_endpoint(sim_api, sim, "chat")
    answer = sim_api.post("/serving-endpoints/embeddings", json={"model": name, "input": "hi"})
    assert answer.status_code == 400 and "a chat endpoint takes 'messages'" in answer.json()["message"]
    assert sim.requests == []
