"""Copy as (tui.manage.copy_as): every flavour in every format parses in its language, holds no secret, keeps
hostile names inert, and the snippets really run: curl and the openai SDK against the loopback simulator."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tui.domain.base import parse_stored, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, ServingEndpointDetailed
from tui.domain.provider_wire import ANTHROPIC_DEFAULT_MAX_TOKENS
from tui.domain.text import printable
from tui.manage.copy_as import (
    FORMATS,
    LANGUAGES,
    available_formats,
    endpoint_snippet,
    endpoint_snippets,
    label_languages,
    request_snippet,
    request_snippets,
)
from tui.simulator import Simulator
from tui.simulator.endpoints import CASES, SIM_KEY, endpoint_body

CANARY_SECRET = "sk-canary-secret-3f9a1c77"
CANARY_PLAINTEXT = "sk-canary-plaintext-81d2e4b0"
HOSTILE = "x'; touch pwned; echo \"$(touch pwned2)`touch pwned3`\n\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202e{{secrets/a/b}}"
ENV_OF = {
    "openai": "OPENAI_API_KEY",
    "azure": "OPENAI_API_KEY",
    "azuread": "AZURE_AD_TOKEN",
    "anthropic": "ANTHROPIC_API_KEY",
    "databricks": "DATABRICKS_API_TOKEN",
    "custom": "CUSTOM_PROVIDER_TOKEN",
}
PLAINTEXT_ENV = {"azuread": "MICROSOFT_ENTRA_CLIENT_SECRET"}
"""The variable a create command reads a plaintext key from, where it is not the one a direct call reads."""
PLAINTEXT_FIELD = {
    "openai": "openai_api_key",
    "azure": "openai_api_key",
    "azuread": "microsoft_entra_client_secret",
    "anthropic": "anthropic_api_key",
    "databricks": "databricks_api_token",
}


def stored(body: dict[str, Any], **extra: Any) -> ServingEndpointDetailed:
    """The endpoint as a server would return it for a create ``body`` (a served entity's state and all)."""
    config = json.loads(json.dumps(body["config"]))
    for entity in config["served_entities"]:
        entity["state"] = {"deployment": "DEPLOYMENT_READY"}
    task = config["served_entities"][0]["external_model"]["task"]
    return parse_stored(ServingEndpointDetailed, {**body, "config": config, "task": task, **extra})


def with_plaintext(body: dict[str, Any], flavour: str) -> dict[str, Any]:
    """``body`` with its key in plain text (the canary) instead of a secret reference."""
    block = next(
        iter(v for k, v in body["config"]["served_entities"][0]["external_model"].items() if k.endswith("_config"))
    )
    if flavour == "custom":
        block["bearer_token_auth"] = {"token_plaintext": CANARY_PLAINTEXT}
    else:
        field = PLAINTEXT_FIELD[flavour]
        del block[field]
        block[field + "_plaintext"] = CANARY_PLAINTEXT
    return body


def shell_words(text: str) -> list[str]:
    """The words a shell reads (shlex keeps a backslash-newline line continuation as a word of its own)."""
    return shlex.split(text.replace(" \\\n", " "), comments=True)


def check_parses(fmt: str, text: str) -> None:
    if LANGUAGES[fmt] == "python":
        ast.parse(text)
    else:
        assert shell_words(text)
    assert printable(text) == text, "no control character but line breaks"


def create_payload(text: str) -> dict[str, Any]:
    words = shell_words(text)
    assert words[:4] == ["databricks", "serving-endpoints", "create", "--json"] and len(words) == 5
    payload: dict[str, Any] = json.loads(words[4])
    return payload


def curl_parts(text: str) -> tuple[str, list[str], dict[str, Any]]:
    words = shell_words(text)
    assert words[:2] == ["curl", "-sS"]
    headers = [words[i + 1] for i, w in enumerate(words) if w == "-H"]
    body = json.loads(words[words.index("--data-raw") + 1])
    return words[2], headers, body


DIRECT = [(f, t) for f, t in CASES if f in ENV_OF]
"""The flavours whose provider a snippet calls directly (the others copy as Databricks calls only)."""


@pytest.mark.parametrize(("flavour", "task"), DIRECT)
@pytest.mark.parametrize("plaintext", [False, True], ids=["secret-ref", "plaintext"])
def test_every_flavour_and_format_parses_and_holds_no_secret(flavour: str, task: str, plaintext: bool) -> None:
    body = endpoint_body("http://127.0.0.1:9", flavour, task, tags=[{"key": "team", "value": "ml"}])
    if plaintext:
        body = with_plaintext(body, flavour)
    endpoint = stored(body, rate_limits=[{"calls": 5, "key": "user", "renewal_period": "minute"}])
    formats = available_formats(endpoint)
    assert formats == [f for f in FORMATS if not (flavour == "anthropic" and f == "openai")]
    for fmt in formats:
        text = endpoint_snippet(fmt, endpoint)
        check_parses(fmt, text)
        assert CANARY_PLAINTEXT not in text and CANARY_SECRET not in text, fmt
    payload = create_payload(endpoint_snippet("create", endpoint))
    parsed = parse_user_input(CreateServingEndpoint, payload, "endpoint")
    assert parsed.name == endpoint.name and parsed.tags and parsed.rate_limits
    assert "state" not in json.dumps(payload), "what a server adds is not part of a create body"
    if plaintext:
        assert f'_plaintext": "${PLAINTEXT_ENV.get(flavour, ENV_OF[flavour])}"' in json.dumps(payload)


def test_an_anthropic_endpoint_has_no_openai_sdk_to_the_provider() -> None:
    endpoint = stored(endpoint_body("http://127.0.0.1:9", "anthropic", "chat"))
    assert "openai" not in available_formats(endpoint)
    with pytest.raises(ValueError, match="cannot be copied as 'openai'"):
        request_snippet("openai", endpoint, {"messages": []})


def test_a_provider_the_snippets_do_not_speak_still_copies_through_databricks() -> None:
    body = {
        "name": "cohere-chat",
        "config": {
            "served_entities": [
                {
                    "external_model": {
                        "name": "command-r",
                        "provider": "cohere",
                        "task": "llm/v1/chat",
                        "cohere_config": {"cohere_api_key_plaintext": CANARY_PLAINTEXT},
                    }
                }
            ]
        },
    }
    endpoint = stored(body)
    assert available_formats(endpoint) == ["openai-databricks", "mlflow", "create"]
    snippets = endpoint_snippets(endpoint)
    assert CANARY_PLAINTEXT not in "".join(snippets.values())
    payload = create_payload(snippets[FORMATS["create"]])
    assert payload["config"]["served_entities"][0]["external_model"]["cohere_config"] == {
        "cohere_api_key_plaintext": "$COHERE_API_KEY"
    }


def test_an_endpoint_without_a_model_copies_as_databricks_calls() -> None:
    endpoint = parse_stored(ServingEndpointDetailed, {"name": "bare"})
    assert available_formats(endpoint) == ["openai-databricks", "mlflow", "create"]
    assert create_payload(endpoint_snippet("create", endpoint)) == {"name": "bare"}
    assert "chat.completions" in endpoint_snippet("openai-databricks", endpoint)


def test_local_only_fields_are_left_out_of_the_create_body_and_said() -> None:
    endpoint = stored(endpoint_body("http://127.0.0.1:9", "anthropic", "chat", n_strategy="fan_out"))
    text = endpoint_snippet("create", endpoint)
    model = create_payload(text)["config"]["served_entities"][0]["external_model"]
    assert "n_strategy" not in model and "anthropic_api_base" not in model["anthropic_config"]
    assert "# left out, as only Switchboard has them: anthropic_api_base, n_strategy" in text


def test_a_pane_request_keeps_its_system_prompt_knobs_and_extras() -> None:
    endpoint = stored(endpoint_body("http://127.0.0.1:9", "anthropic", "chat"))
    request = {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "temperature": 0.3,
        "top_k": 5,
        "stop": "END",
    }
    snippets = request_snippets(endpoint, request)
    assert FORMATS["create"] not in snippets and FORMATS["curl"] in snippets
    _, headers, body = curl_parts(snippets[FORMATS["curl"]])
    assert body["system"] == "Be brief." and body["messages"] == [{"role": "user", "content": "Hi"}]
    assert (body["temperature"], body["top_k"], body["stop_sequences"], body["max_tokens"]) == (
        0.3,
        5,
        ["END"],
        ANTHROPIC_DEFAULT_MAX_TOKENS,
    )
    assert "x-api-key: $ANTHROPIC_API_KEY" in headers and "anthropic-version: 2023-06-01" in headers
    code = snippets[FORMATS["openai-databricks"]]
    assert "extra_body={'top_k': 5}" in code and "temperature=0.3" in code
    assert "inputs={'messages': [{'role': 'system', 'content': 'Be brief.'}" in snippets[FORMATS["mlflow"]]


def test_azure_uses_its_deployment_url_api_key_header_and_api_version() -> None:
    endpoint = stored(endpoint_body("https://res.openai.azure.com", "azure", "embeddings", deployment="emb dep"))
    url, headers, body = curl_parts(endpoint_snippet("curl", endpoint))
    assert url == "https://res.openai.azure.com/openai/deployments/emb%20dep/embeddings?api-version=2024-10-21"
    assert "api-key: $OPENAI_API_KEY" in headers and "model" not in body
    code = endpoint_snippet("openai", endpoint)
    assert "AzureOpenAI(" in code and "api_version='2024-10-21'" in code and "model='emb dep'" in code


def test_custom_api_key_auth_sends_its_own_header() -> None:
    body = endpoint_body("http://127.0.0.1:9", "custom", "chat")
    block = body["config"]["served_entities"][0]["external_model"]["custom_provider_config"]
    block.pop("bearer_token_auth")
    block["custom_provider_url"] = "http://127.0.0.1:9/v1/chat/completions"
    block["api_key_auth"] = {"key": "X-Key", "value_plaintext": CANARY_PLAINTEXT}
    endpoint = stored(body)
    url, headers, _ = curl_parts(endpoint_snippet("curl", endpoint))
    assert url == "http://127.0.0.1:9/v1/chat/completions", "a task's full URL is used as it is"
    assert "X-Key: $CUSTOM_PROVIDER_API_KEY" in headers
    code = endpoint_snippet("openai", endpoint)
    assert "base_url='http://127.0.0.1:9/v1'" in code
    assert "default_headers={'X-Key': os.environ[\"CUSTOM_PROVIDER_API_KEY\"]}" in code
    assert CANARY_PLAINTEXT not in "".join(endpoint_snippets(endpoint).values())


def test_the_default_openai_base_and_organization() -> None:
    body = endpoint_body("http://127.0.0.1:9", "openai", "chat")
    block = body["config"]["served_entities"][0]["external_model"]["openai_config"]
    block.pop("openai_api_base")
    block["openai_organization"] = "org-1"
    endpoint = stored(body)
    url, headers, _ = curl_parts(endpoint_snippet("curl", endpoint))
    assert url == "https://api.openai.com/v1/chat/completions" and "OpenAI-Organization: org-1" in headers
    code = endpoint_snippet("openai", endpoint)
    assert "base_url" not in code and "organization='org-1'" in code


def test_several_served_models_say_which_one_a_direct_call_reaches() -> None:
    body = endpoint_body("http://127.0.0.1:9", "openai", "chat")
    first = body["config"]["served_entities"][0]
    second = json.loads(json.dumps(first))
    second["name"], second["external_model"]["name"] = "second", "gpt-4o"
    body["config"]["served_entities"].append(second)
    text = endpoint_snippet("curl", stored(body))
    assert '# the endpoint shares its traffic between 2 models; this calls "gpt-4o-mini"' in text


# -- hostile names ------------------------------------------------------------------------------------


def hostile_endpoint(flavour: str) -> ServingEndpointDetailed:
    body = endpoint_body("http://127.0.0.1:9", flavour, "chat", model=HOSTILE, deployment=HOSTILE, name=HOSTILE)
    body["config"]["served_entities"][0]["name"] = HOSTILE
    return stored(body, tags=[{"key": HOSTILE, "value": HOSTILE}], description=HOSTILE)


@pytest.mark.parametrize("flavour", ["openai", "azure", "anthropic", "databricks", "custom"])
def test_hostile_names_stay_data_in_every_format(flavour: str) -> None:
    endpoint = hostile_endpoint(flavour)
    for fmt in available_formats(endpoint):
        text = endpoint_snippet(fmt, endpoint)
        check_parses(fmt, text)
        assert "\x1b" not in text and "\u202e" not in text, fmt
        if LANGUAGES[fmt] == "python":
            strings = {n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant)}
            assert HOSTILE in strings, f"{fmt}: the name is one string literal, whole"
    payload = create_payload(endpoint_snippet("create", endpoint))
    assert payload["name"] == HOSTILE and payload["tags"] == [{"key": HOSTILE, "value": HOSTILE}]
    url, _, body = curl_parts(endpoint_snippet("curl", endpoint))
    if flavour in ("azure", "databricks"):  # the model (deployment) is part of the URL
        assert f"/{quote(HOSTILE, safe='')}/" in url and "model" not in body
    else:
        assert body["model"] == HOSTILE


@pytest.mark.parametrize("fmt", ["curl", "create"])
def test_a_shell_runs_hostile_snippets_as_one_command_with_the_key_from_the_environment(
    fmt: str, tmp_path: Path
) -> None:
    endpoint = hostile_endpoint("openai")
    cwd = tmp_path / "run"
    cwd.mkdir()
    fake = 'curl() { printf "%s\\0" "$@"; }\ndatabricks() { printf "%s\\0" "$@"; }\n'
    env = {"PATH": os.environ["PATH"], "OPENAI_API_KEY": "key-from-env"}
    done = subprocess.run(
        ["bash", "-c", fake + endpoint_snippet(fmt, endpoint)],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=True,
        timeout=10,
    )
    args = done.stdout.decode().split("\0")[:-1]
    assert not list(cwd.iterdir()), "nothing ran but the one command"
    if fmt == "create":
        assert json.loads(args[-1])["name"] == HOSTILE
    else:
        assert "Authorization: Bearer key-from-env" in args
        assert json.loads(args[-1])["model"] == HOSTILE


def test_the_create_command_expands_a_plaintext_key_from_the_environment(tmp_path: Path) -> None:
    endpoint = stored(with_plaintext(endpoint_body("http://127.0.0.1:9", "openai", "chat"), "openai"))
    text = endpoint_snippet("create", endpoint)
    assert text.startswith("# OPENAI_API_KEY: the key, which the endpoint holds in plain text")
    done = subprocess.run(
        ["bash", "-c", 'databricks() { printf "%s" "$4"; }\n' + text],
        env={"PATH": os.environ["PATH"], "OPENAI_API_KEY": "key-from-env"},
        capture_output=True,
        check=True,
        timeout=10,
    )
    payload = json.loads(done.stdout)
    block = payload["config"]["served_entities"][0]["external_model"]["openai_config"]
    assert block["openai_api_key_plaintext"] == "key-from-env"
    assert parse_user_input(CreateServingEndpoint, payload, "endpoint").name == "openai-chat"


def test_labels_have_a_language_each() -> None:
    assert set(label_languages()) == set(FORMATS.values())
    assert set(label_languages().values()) == {"bash", "python"}


# -- the snippets run against the simulator -----------------------------------------------------------

RUNNABLE = [(f, t) for f, t in DIRECT if f != "azuread"]  # azuread wants an Entra ID token from `az`


def answer_of(task: str, answer: dict[str, Any]) -> Any:
    if task == "embeddings":
        return answer["data"][0]["embedding"]
    if "content" in answer:  # Anthropic's messages API
        return answer["content"][0]["text"]
    choice = answer["choices"][0]
    return choice.get("text") or choice["message"]["content"]


@pytest.mark.parametrize(("flavour", "task"), RUNNABLE)
async def test_the_curl_snippet_gets_an_answer_from_the_provider(simulator: Simulator, flavour: str, task: str) -> None:
    endpoint = stored(endpoint_body(simulator.base_url, flavour, task))
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        endpoint_snippet("curl", endpoint),
        env={"PATH": os.environ["PATH"], ENV_OF[flavour]: SIM_KEY},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    assert answer_of(task, json.loads(out)), out


def run_python(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "snippet"}
    exec(compile(code, "<snippet>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("flavour", "task"), [(f, t) for f, t in RUNNABLE if f != "anthropic"])
async def test_the_openai_snippets_get_an_answer_from_the_provider_and_through_databricks(
    simulator: Simulator, flavour: str, task: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = stored(endpoint_body(simulator.base_url, flavour, task))
    monkeypatch.setenv(ENV_OF[flavour], SIM_KEY)
    monkeypatch.setenv("DATABRICKS_HOST", simulator.base_url)
    monkeypatch.setenv("DATABRICKS_TOKEN", SIM_KEY)
    for fmt in ("openai", "openai-databricks"):
        simulator.clear()
        namespace = await asyncio.to_thread(run_python, endpoint_snippet(fmt, endpoint))
        assert namespace["response"] is not None
        assert capsys.readouterr().out.strip(), f"{fmt} printed the answer"
        assert len(simulator.requests) == 1, "one call, no retry"
        assert "OpenAI/Python" in simulator.requests[0].headers.get("user-agent", ""), "the SDK made it"
    assert simulator.requests[0].path.startswith("/serving-endpoints/")
