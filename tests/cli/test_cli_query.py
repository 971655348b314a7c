"""``switchboard serving-endpoints query`` against the simulator: JSON out, chunks as lines, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from tests.cli_runner import Cli
from tui.simulator import Simulator
from tui.simulator.endpoints import endpoint_body

NAME = "openai-completions"


@contextmanager
def simulated_endpoint(cli: Cli, model: str) -> Iterator[None]:
    """Endpoint NAME served by a simulator running while the block runs (in a thread: the CLI runs its
    own event loop)."""
    with Simulator(api_key="sim-key").running_in_thread() as threaded:
        assert cli("secrets", "create-scope", "sim")[0] == 0
        assert cli("secrets", "put-secret", "sim", "key", "--string-value", "sim-key")[0] == 0
        cli.create(endpoint_body(threaded.base_url, "openai", "completions", model=model, name=NAME))
        yield


def test_seed_predict_through_the_cli(cli: Cli) -> None:
    with simulated_endpoint(cli, "gpt-3.5-turbo-instruct"):
        request = {"prompt": "What is Databricks?", "temperature": 0.1, "max_tokens": 10, "n": 2}
        code, out, err = cli("serving-endpoints", "query", NAME, "--json", json.dumps(request))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["object"] == "text_completion" and [c["index"] for c in answer["choices"]] == [0, 1]
    assert answer["usage"]["completion_tokens"] == 20


def test_stream_prints_one_chunk_per_line(cli: Cli) -> None:
    with simulated_endpoint(cli, "gpt-3.5-turbo-instruct@tokens=6"):
        code, out, err = cli("serving-endpoints", "query", NAME, "--stream", "--json", '{"prompt": "hi"}')
    assert code == 0, err
    chunks = [json.loads(line) for line in out.splitlines()]
    assert {c["object"] for c in chunks} == {"text_completion_chunk"}
    assert len("".join(c["choices"][0]["text"] for c in chunks if c["choices"]).split()) == 6


def test_a_cut_stream_prints_what_arrived_then_the_error(cli: Cli) -> None:
    with simulated_endpoint(cli, "gpt-3.5-turbo-instruct@tokens=20,fault=cut,cut_after=8"):
        code, out, err = cli("serving-endpoints", "query", NAME, "--json", '{"prompt": "hi", "stream": true}')
    assert code == 1
    assert len(out.splitlines()) >= 4
    assert err.startswith("Error: The OpenAI stream was cut") and "(BAD_GATEWAY)" in err


def test_query_errors(cli: Cli) -> None:
    with simulated_endpoint(cli, "gpt-3.5-turbo-instruct@fault=429,retry_after=4"):
        code, out, err = cli("serving-endpoints", "query", NAME, "--json", '{"prompt": "hi"}')
        assert code == 1 and out == ""
        assert "OpenAI rate limit hit (429)" in err and "Retry in 4.0 s." in err and "(REQUEST_LIMIT_EXCEEDED)" in err
        code, _, err = cli("serving-endpoints", "query", NAME, "--json", '{"messages": []}')
        assert code == 1 and "takes 'prompt'" in err
