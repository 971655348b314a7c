"""Access tokens for the translators: the invocation layer's half of :class:`~tui.providers.base.TokenGrant`.

Before a provider builds its request, :meth:`Credentials.attach` obtains every token the provider
declares for the call's config (today Entra ID; Vertex and Bedrock later) through the shared
transport, keeps it in the transport's :class:`~tui.transport.messages.TokenCache` until five
minutes before it expires, and hands it to the translator in ``Call.tokens``. The call's redactor
learns each token, so no message, log line or export can quote it.
"""

from __future__ import annotations

import dataclasses

from tui.domain.errors import ProviderAuthError, ProviderError
from tui.providers.base import Call, Provider, TokenGrant
from tui.transport.client import Transport


class Credentials:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def attach(self, provider: Provider, call: Call) -> Call:
        """``call`` with the tokens ``provider`` needs for its config; the very same call when it needs none."""
        grants = provider.token_grants(call.config)
        if not grants:
            return call
        tokens = {grant.slot: await self._token(grant, call, provider.label) for grant in grants}
        return dataclasses.replace(call, tokens=tokens, redact=call.redact.extended(tokens.values()))

    async def _token(self, grant: TokenGrant, call: Call, label: str) -> str:
        cache = self._transport.tokens
        if token := cache.get(grant.cache_key):
            return token
        try:
            resp = await self._transport.send(grant.request, provider=grant.issuer, redact=call.redact)
        except ProviderError as err:
            raise ProviderAuthError(f"{grant.failure}: {err.message}", provider=label) from None
        body = resp.body if isinstance(resp.body, dict) else {}
        token = str(body.get("access_token") or "")
        if not token:
            raise ProviderAuthError(grant.missing, provider=label)
        cache.put(grant.cache_key, token, float(body.get("expires_in") or grant.default_expiry))
        return token
