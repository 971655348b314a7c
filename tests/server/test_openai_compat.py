"""Real clients against ``switchboard serve`` under Uvicorn on 127.0.0.1: the ``openai`` SDK on the
OpenAI-compatible routes (chat, completions, embeddings, streaming, a client leaving mid-stream) and
``databricks-sdk``'s ``serving_endpoints.query``; endpoints answered by the loopback simulator.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from tui.server.app import create_app
from tui.simulator import Simulator
from tui.simulator.endpoints import SIM_KEY, endpoint_body
from tui.workspace.local.workspace import LocalWorkspace

openai = pytest.importorskip("openai")
sdk = pytest.importorskip("databricks.sdk")

USER = [{"role": "user", "content": "Count to three"}]


class Served:
    """The app under Uvicorn on its own event loop in a thread; the provider client is closed on that loop."""

    def __init__(self, ws: LocalWorkspace) -> None:
        self.ws = ws
        self.loop = asyncio.new_event_loop()
        config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=0, log_config=None, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True)

    async def _run(self) -> None:
        try:
            await self.server.serve()
        finally:
            await self.ws.invoker.transport.aclose()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def tasks(self) -> int:
        """How many tasks run on the server's loop now (this count's own task left out)."""

        async def count() -> int:
            return len(asyncio.all_tasks()) - 1

        return asyncio.run_coroutine_threadsafe(count(), self.loop).result(timeout=5)


@pytest.fixture
def served(ws: LocalWorkspace) -> Iterator[Served]:
    serve = Served(ws)
    serve.thread.start()
    deadline = time.monotonic() + 10
    while not serve.server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert serve.server.started, "uvicorn did not start within 10 s"
    try:
        yield serve
    finally:
        serve.server.should_exit = True
        serve.thread.join(timeout=10)
        serve.loop.close()


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(api_key=SIM_KEY).running_in_thread() as simulator:
        yield simulator


@pytest.fixture
def rest(served: Served, token: str, sim: Simulator) -> Iterator[httpx.Client]:
    """Plain HTTP to the server as alice, on a workspace holding the simulator's key and its three endpoints."""
    with httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        assert client.post("/api/2.0/secrets/scopes/create", json={"scope": "sim"}).is_success
        assert client.post(
            "/api/2.0/secrets/put", json={"scope": "sim", "key": "key", "string_value": SIM_KEY}
        ).is_success
        for task in ("chat", "completions", "embeddings"):
            add_endpoint(client, sim, task)
        yield client


def add_endpoint(
    client: httpx.Client, sim: Simulator, task: str, name: str | None = None, model: str | None = None
) -> None:
    answer = client.post(
        "/api/2.0/serving-endpoints", json=endpoint_body(sim.base_url, "openai", task, name=name or task, model=model)
    )
    assert answer.is_success, answer.text


@pytest.fixture
def oai(served: Served, token: str, rest: httpx.Client) -> Iterator[Any]:
    with openai.OpenAI(base_url=f"{served.url}/serving-endpoints", api_key=token, max_retries=0, timeout=10) as client:
        yield client


def test_chat_completions_and_embeddings(oai: Any) -> None:
    chat = oai.chat.completions.create(model="chat", messages=USER, max_tokens=20)
    assert chat.choices[0].message.content and chat.usage.total_tokens > 0
    completion = oai.completions.create(model="completions", prompt="Once upon", max_tokens=20)
    assert completion.choices[0].text
    embedding = oai.embeddings.create(model="embeddings", input=["one", "two"])
    assert [d.index for d in embedding.data] == [0, 1] and len(embedding.data[0].embedding) > 1


def test_streaming_chat_and_completions(oai: Any) -> None:
    whole = oai.chat.completions.create(model="chat", messages=USER, max_tokens=20).choices[0].message.content
    chunks = list(oai.chat.completions.create(model="chat", messages=USER, max_tokens=20, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == whole
    text = "".join(
        c.choices[0].text or ""
        for c in oai.completions.create(model="completions", prompt="Hi", stream=True)
        if c.choices
    )
    assert text


def test_sdk_errors_for_unknown_model_and_bad_token(oai: Any, served: Served) -> None:
    with pytest.raises(openai.NotFoundError, match="Endpoint 'nope' does not exist"):
        oai.chat.completions.create(model="nope", messages=USER)
    bad = openai.OpenAI(base_url=f"{served.url}/serving-endpoints", api_key="sb-wrong", max_retries=0)
    with bad, pytest.raises(openai.AuthenticationError, match="Invalid access token"):
        bad.chat.completions.create(model="chat", messages=USER)


def test_a_stream_cut_midway_raises_in_the_sdk(oai: Any, rest: httpx.Client, sim: Simulator) -> None:
    add_endpoint(rest, sim, "chat", name="cut", model="gpt-4o-mini@fault=cut,cut_after=3")
    got: list[Any] = []
    with pytest.raises(openai.APIError) as failed:
        got.extend(oai.chat.completions.create(model="cut", messages=USER, stream=True))
    assert got and failed.value.message and SIM_KEY not in failed.value.message


def test_rate_limit_reaches_the_sdk_as_429(oai: Any, rest: httpx.Client) -> None:
    limits = {"rate_limits": [{"calls": 1, "key": "user", "renewal_period": "minute"}]}
    assert rest.put("/api/2.0/serving-endpoints/chat/rate-limits", json=limits).is_success
    oai.chat.completions.create(model="chat", messages=USER, max_tokens=5)
    with pytest.raises(openai.RateLimitError) as refused:
        oai.chat.completions.create(model="chat", messages=USER, max_tokens=5)
    assert int(refused.value.response.headers["retry-after"]) >= 1


def test_chunks_arrive_as_the_provider_sends_them(rest: httpx.Client, sim: Simulator) -> None:
    """Not buffered: the events arrive spread over the provider's 0.8 s (8 tokens at 10 a second), not at once."""
    add_endpoint(rest, sim, "chat", name="slow", model="gpt-4o-mini@tps=10,tokens=8")
    arrivals: list[tuple[float, str]] = []
    with rest.stream("POST", "/serving-endpoints/slow/invocations", json={"messages": USER, "stream": True}) as answer:
        arrivals = [(time.monotonic(), line) for line in answer.iter_lines() if line]
    assert arrivals[0][1].startswith("data: {") and arrivals[-1][1] == "data: [DONE]"
    assert arrivals[-1][0] - arrivals[0][0] > 0.5


def test_a_client_leaving_mid_stream_cancels_the_provider_call(
    oai: Any, rest: httpx.Client, sim: Simulator, served: Served
) -> None:
    add_endpoint(rest, sim, "chat", name="slow", model="gpt-4o-mini@tps=5,tokens=100")  # 20 s if read to the end
    idle = served.tasks()
    stream = oai.chat.completions.create(model="slow", messages=USER, stream=True)
    next(iter(stream))
    assert served.tasks() > idle  # the request and its provider call are under way
    stream.close()
    deadline = time.monotonic() + 3
    while served.tasks() > idle and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.tasks() == idle


def test_databricks_sdk_query(served: Served, token: str, rest: httpx.Client) -> None:
    from databricks.sdk.service.serving import ChatMessage, ChatMessageRole

    config = sdk.config.Config(host=served.url, token=token, auth_type="pat", retry_timeout_seconds=5)
    w = sdk.WorkspaceClient(config=config)
    answer = w.serving_endpoints.query(
        name="chat", messages=[ChatMessage(role=ChatMessageRole.USER, content="Hi")], max_tokens=20
    )
    assert answer.choices and answer.choices[0].message.content
    assert answer.usage is not None and answer.usage.total_tokens > 0
    embedded = w.serving_endpoints.query(name="embeddings", input="hello")
    assert embedded.data and embedded.data[0].embedding
