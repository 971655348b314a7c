"""Every base-URL form a provider's own SDK or docs use reaches the provider's path, end to end.

Each form is set on an endpoint pointing at the simulator; the query must arrive at the one right path
(no doubled or dropped segment), and "copy as" must call the very same URL.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.rig import Rig
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, ExternalModel
from tui.manage.copy_as_provider import direct_target, http_call
from tui.simulator.endpoints import FLAVOURS, endpoint_body

CHAT = {"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 5}

BASE_FIELDS = {
    "openai": "openai_api_base",
    "custom": "custom_provider_url",
    "anthropic": "anthropic_api_base",
    "azure": "openai_api_base",
    "databricks": "databricks_workspace_url",
}
FORMS: dict[str, tuple[str, ...]] = {
    # openai SDK: base_url = https://api.openai.com/v1; a bare host gets /v1
    "openai": ("", "/", "/v1", "/v1/"),
    # vLLM, llama.cpp, Ollama, LM Studio: http://host:port/v1, the bare host, or one task's full URL
    "custom": ("", "/", "/v1", "/v1/", "/v1/chat/completions"),
    # Anthropic SDK: base_url = https://api.anthropic.com (it adds /v1); MLflow and Databricks: .../v1
    "anthropic": ("", "/", "/v1", "/v1/"),
    # AzureOpenAI(azure_endpoint=...) is the resource root; its base_url forms go on past it
    "azure": ("", "/", "/openai", "/openai/", "/openai/v1/", "/openai/deployments/gpt-4o-mini"),
    # the workspace URL, as the address bar shows it, or the openai SDK's base_url for Databricks
    "databricks": ("", "/", "/?o=1234567890", "/serving-endpoints", "/serving-endpoints/"),
}
PATHS = {
    "openai": "/v1/chat/completions",
    "custom": "/v1/chat/completions",
    "anthropic": "/v1/messages",
    "azure": "/openai/deployments/gpt-4o-mini/chat/completions",
    "databricks": "/serving-endpoints/gpt-4o-mini/invocations",
}
CASES = [(flavour, form) for flavour, forms in FORMS.items() for form in forms]


async def _endpoint(rig: Rig, flavour: str, form: str) -> tuple[str, dict[str, Any]]:
    body = endpoint_body(rig.base, flavour, "chat", name="base-url")
    external = body["config"]["served_entities"][0]["external_model"]
    external[FLAVOURS[flavour].config_key][BASE_FIELDS[flavour]] = rig.base + form
    await rig.ws.create_endpoint(parse_user_input(CreateServingEndpoint, body, "endpoint"))
    return str(body["name"]), external


@pytest.mark.parametrize(("flavour", "form"), CASES)
async def test_each_base_url_form_reaches_the_provider_path(rig: Rig, flavour: str, form: str) -> None:
    name, external = await _endpoint(rig, flavour, form)
    answer = await rig.ws.query(name, CHAT)
    assert answer["choices"][0]["message"]["content"]
    assert [(r.method, r.path) for r in rig.sim.requests] == [("POST", PATHS[flavour])]

    target = direct_target(parse_user_input(ExternalModel, external, "external_model"))
    assert target is not None
    url, _, _ = http_call(target, "chat", CHAT, lambda env: f"${env}")
    assert url.split("?")[0] == rig.base + PATHS[flavour]


@pytest.mark.parametrize("flavour", list(FORMS))
async def test_a_stream_reaches_the_same_path_from_the_sdk_form(rig: Rig, flavour: str) -> None:
    sdk_form = {"openai": "/v1", "custom": "/v1", "anthropic": "", "azure": "/", "databricks": "/serving-endpoints"}
    name, _ = await _endpoint(rig, flavour, sdk_form[flavour])
    chunks = [c async for c in rig.ws.stream(name, CHAT)]
    assert any(c["choices"] and c["choices"][0].get("finish_reason") for c in chunks)
    assert [(r.method, r.path) for r in rig.sim.requests] == [("POST", PATHS[flavour])]
