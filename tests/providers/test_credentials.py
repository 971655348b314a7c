"""Access tokens a translator declares (Entra ID) are obtained by the invocation layer through the
transport, cached until shortly before they expire, redacted, and handed to the translator in the call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tui.domain.base import parse_stored
from tui.domain.errors import ProviderAuthError
from tui.domain.provider_configs import OpenAIConfig
from tui.providers import get_provider, provider_key
from tui.providers.base import Call
from tui.transport.client import Transport
from tui.transport.redact import REDACTED, Redactor
from tui.workspace.local.credentials import Credentials

SECRET = "entra-client-secret-1"
AZUREAD = {
    "openai_api_type": "azuread",
    "microsoft_entra_client_id": "client-1",
    "microsoft_entra_tenant_id": "tenant-1",
    "microsoft_entra_client_secret": SECRET,
    "microsoft_entra_authority": "https://login.example",
    "openai_api_base": "https://res.example",
    "openai_deployment_name": "gpt4o",
    "openai_api_version": "2024-10-21",
}
CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def rig(answer: Callable[[httpx.Request], httpx.Response]) -> tuple[Credentials, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    transport = Transport(client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    return Credentials(transport), seen


def azure_call(config: dict[str, Any] = AZUREAD) -> tuple[Any, Call]:
    parsed = parse_stored(OpenAIConfig, config)
    provider = get_provider(provider_key("openai", parsed))
    return provider, Call("llm/v1/chat", CHAT, False, "gpt-4o", parsed, Redactor([SECRET]))


async def test_the_token_is_fetched_once_and_reaches_the_request_and_the_redactor() -> None:
    credentials, seen = rig(lambda _: httpx.Response(200, json={"access_token": "tok-123456", "expires_in": 3600}))
    provider, call = azure_call()
    for _ in range(3):
        ready = await credentials.attach(provider, call)
    assert len(seen) == 1 and str(seen[0].url) == "https://login.example/tenant-1/oauth2/v2.0/token"
    assert provider.build(ready).headers == {"authorization": "Bearer tok-123456"}
    assert ready.redact("said tok-123456 and " + SECRET) == f"said {REDACTED} and {REDACTED}"


async def test_a_token_about_to_expire_is_fetched_again() -> None:
    credentials, seen = rig(lambda _: httpx.Response(200, json={"access_token": "tok-short", "expires_in": 200}))
    provider, call = azure_call()
    await credentials.attach(provider, call)
    await credentials.attach(provider, call)
    assert len(seen) == 2  # 200 s left is inside the five-minute refresh margin


async def test_a_config_with_a_key_needs_no_token() -> None:
    credentials, seen = rig(lambda _: httpx.Response(500))
    provider, call = azure_call({**AZUREAD, "openai_api_type": "azure", "openai_api_key": "az-key"})
    assert await credentials.attach(provider, call) is call and not seen


async def test_a_refused_exchange_is_an_auth_error_without_the_secret() -> None:
    refusal = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}
    credentials, _ = rig(lambda _: httpx.Response(401, json=refusal))
    provider, call = azure_call()
    with pytest.raises(ProviderAuthError, match=r"^Could not get an Entra ID token for Azure OpenAI: ") as caught:
        await credentials.attach(provider, call)
    assert SECRET not in caught.value.message and caught.value.provider == "Azure OpenAI"


async def test_an_answer_without_a_token_is_an_auth_error() -> None:
    credentials, _ = rig(lambda _: httpx.Response(200, json={"token_type": "Bearer"}))
    provider, call = azure_call()
    with pytest.raises(ProviderAuthError, match=r"^Entra ID answered without an access_token$"):
        await credentials.attach(provider, call)
