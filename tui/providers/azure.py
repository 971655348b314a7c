"""Azure OpenAI: ``{base}/openai/deployments/{deployment}/<task path>?api-version=...``.

``openai_api_type: azure`` sends the key in ``api-key``; ``azuread`` sends an Entra ID token as a
bearer. The token comes from the client-credentials grant this translator describes in
:meth:`AzureOpenAIProvider.token_grants`; the invocation layer fetches and caches it.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from tui.domain.provider_configs import OpenAIConfig, ProviderConfig
from tui.domain.provider_wire import ENTRA_SCOPE, OPENAI_TASK_PATHS, azure_resource
from tui.providers.base import Call, TokenGrant, credential
from tui.providers.openai_compat import OpenAICompatible, openai_body
from tui.transport.messages import HttpRequest

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
ENTRA = "entra"
"""The slot of the Entra ID token in ``Call.tokens``."""


class AzureOpenAIProvider(OpenAICompatible):
    name: ClassVar[str] = "azure"
    label: ClassVar[str] = "Azure OpenAI"

    def token_grants(self, config: ProviderConfig) -> tuple[TokenGrant, ...]:
        if not isinstance(config, OpenAIConfig) or config.api_type != "azuread":
            return ()
        return (entra_grant(config, self.label),)

    def base_url(self, call: Call) -> str:
        return azure_resource(call.config.api_base())

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        assert isinstance(config, OpenAIConfig)
        if config.api_type == "azuread":
            headers = {"authorization": f"Bearer {call.tokens[ENTRA]}"}
        else:
            headers = {"api-key": credential(config, "openai_api_key")}
        url = f"{self.base_url(call)}/openai/deployments/{config.openai_deployment_name}{OPENAI_TASK_PATHS[call.task]}"
        return HttpRequest(
            "POST",
            url,
            headers,
            openai_body(self, call, with_model=False),
            params={"api-version": config.openai_api_version or ""},
        )


def entra_grant(config: OpenAIConfig, label: str) -> TokenGrant:
    """The Entra ID client-credentials token request for ``config`` (its secret already resolved)."""
    secret = credential(config, "microsoft_entra_client_secret")
    tenant = config.microsoft_entra_tenant_id or ""
    client_id = config.microsoft_entra_client_id or ""
    authority = (config.microsoft_entra_authority or ENTRA_AUTHORITY).rstrip("/")
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": ENTRA_SCOPE}
    return TokenGrant(
        slot=ENTRA,
        cache_key="entra:" + hashlib.sha256(f"{tenant}\0{client_id}\0{secret}".encode()).hexdigest(),
        request=HttpRequest("POST", f"{authority}/{tenant}/oauth2/v2.0/token", form=form),
        issuer="Microsoft Entra ID",
        failure=f"Could not get an Entra ID token for {label}",
        missing="Entra ID answered without an access_token",
    )
