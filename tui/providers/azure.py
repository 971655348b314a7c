"""Azure OpenAI: ``{base}/openai/deployments/{deployment}/<task path>?api-version=...``.

``openai_api_type: azure`` sends the key in ``api-key``; ``azuread`` gets an Entra ID token with the
client-credentials grant (cached until five minutes before it expires) and sends it as a bearer.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from tui.domain.errors import ProviderAuthError, ProviderError
from tui.domain.provider_configs import OpenAIConfig
from tui.providers.base import Call, Provider, StreamMapper, credential
from tui.providers.openai_compat import TASK_PATHS, OpenAIStreamMapper, normalize_response, openai_body
from tui.transport.client import HttpRequest

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"


class AzureOpenAIProvider(Provider):
    name: ClassVar[str] = "azure"
    label: ClassVar[str] = "Azure OpenAI"

    async def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        assert isinstance(config, OpenAIConfig)
        if config.api_type == "azuread":
            headers = {"authorization": f"Bearer {await self._entra_token(call, config)}"}
        else:
            headers = {"api-key": credential(config, "openai_api_key")}
        url = (
            f"{(config.openai_api_base or '').rstrip('/')}/openai/deployments/"
            f"{config.openai_deployment_name}{TASK_PATHS[call.task]}"
        )
        return HttpRequest(
            "POST",
            url,
            headers,
            openai_body(self, call, with_model=False),
            params={"api-version": config.openai_api_version or ""},
        )

    async def _entra_token(self, call: Call, config: OpenAIConfig) -> str:
        secret = credential(config, "microsoft_entra_client_secret")
        tenant = config.microsoft_entra_tenant_id or ""
        client_id = config.microsoft_entra_client_id or ""
        key = "entra:" + hashlib.sha256(f"{tenant}\0{client_id}\0{secret}".encode()).hexdigest()
        if token := call.transport.tokens.get(key):
            return token
        authority = (config.microsoft_entra_authority or ENTRA_AUTHORITY).rstrip("/")
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": ENTRA_SCOPE,
        }
        try:
            resp = await call.transport.send(
                HttpRequest("POST", f"{authority}/{tenant}/oauth2/v2.0/token", form=form),
                provider="Microsoft Entra ID",
                redact=call.redact,
            )
        except ProviderError as err:
            raise ProviderAuthError(
                f"Could not get an Entra ID token for Azure OpenAI: {err.message}", provider=self.label
            ) from None
        body = resp.body if isinstance(resp.body, dict) else {}
        token = str(body.get("access_token") or "")
        if not token:
            raise ProviderAuthError("Entra ID answered without an access_token", provider=self.label)
        call.transport.tokens.put(key, token, float(body.get("expires_in") or 3599))
        return token

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        return normalize_response(call, body, self.label)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return OpenAIStreamMapper(call, self.label)
