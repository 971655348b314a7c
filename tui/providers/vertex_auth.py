"""Vertex AI's access token: a service-account JSON key -> a signed JWT -> an OAuth 2.0 token
(the JWT bearer grant of RFC 7523, as google-auth does it; providers.md §5).

The JWT is signed here with PyJWT and ``cryptography`` (imported on first use, so only a Vertex call
pays for them); the exchange itself is a :class:`~tui.providers.base.TokenGrant` the invocation layer
sends and caches. Errors about the key name the field at fault, never its value.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.domain.errors import ProviderAuthError
from tui.providers.base import TokenGrant
from tui.transport.messages import HttpRequest

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600
"""Seconds a signed assertion is valid (Google's maximum)."""
GOOGLE_OAUTH = "google-oauth"
"""The slot of the access token in ``Call.tokens``."""


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str


def _bad(label: str, problem: str) -> ProviderAuthError:
    return ProviderAuthError(
        f"The {label} private_key is not a usable service-account JSON key: {problem}. "
        "Store the whole JSON key file of the service account (IAM > Service accounts > Keys) in the secret.",
        provider=label,
    )


def service_account(text: str, label: str) -> ServiceAccount:
    """The fields of a service-account JSON key; a clear error naming the field that is missing or wrong."""
    if text.lstrip().startswith("-----BEGIN"):
        raise _bad(label, "it holds a PEM key alone, without the JSON that names its client_email")
    try:
        data = json.loads(text)
    except ValueError:
        raise _bad(label, "it is not JSON") from None
    if not isinstance(data, dict):
        raise _bad(label, "it is JSON but not an object")
    if data.get("type", "service_account") != "service_account":
        raise _bad(label, f"its 'type' is {str(data.get('type'))[:40]!r}, not 'service_account'")
    for name in ("client_email", "private_key"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise _bad(label, f"the field '{name}' is missing or empty")
    if "-----BEGIN" not in data["private_key"]:
        raise _bad(label, "the field 'private_key' is not a PEM private key")
    return ServiceAccount(
        client_email=data["client_email"],
        private_key=data["private_key"],
        private_key_id=str(data.get("private_key_id") or ""),
        token_uri=str(data.get("token_uri") or GOOGLE_TOKEN_URI),
    )


def signed_assertion(account: ServiceAccount, audience: str, label: str, now: float | None = None) -> str:
    """The RS256 JWT that asks ``audience`` for a cloud-platform token on behalf of ``account``."""
    import jwt
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(account.private_key.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _bad(label, "the field 'private_key' does not load as an unencrypted PEM private key") from None
    if not isinstance(key, RSAPrivateKey):
        raise _bad(label, "the field 'private_key' is not an RSA key")
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": account.client_email,
        "scope": CLOUD_PLATFORM_SCOPE,
        "aud": audience,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME,
    }
    headers: dict[str, Any] = {"kid": account.private_key_id} if account.private_key_id else {}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def vertex_grant(key_json: str, token_uri: str | None, label: str, now: float | None = None) -> TokenGrant:
    """The token request for the service account in ``key_json``; ``token_uri`` (the config's) wins over
    the key's own, so tests and private endpoints can point it elsewhere."""
    account = service_account(key_json, label)
    uri = token_uri or account.token_uri
    form = {"grant_type": JWT_BEARER, "assertion": signed_assertion(account, uri, label, now)}
    return TokenGrant(
        slot=GOOGLE_OAUTH,
        cache_key=_digest(key_json, token_uri),
        request=HttpRequest("POST", uri, form=form),
        issuer="Google OAuth",
        failure=f"Could not get a Google access token for {label} (service account {account.client_email})",
        missing="Google OAuth answered without an access_token",
    )


def _digest(key_json: str, token_uri: str | None) -> str:
    return "vertex:" + hashlib.sha256(f"{token_uri or ''}\0{key_json}".encode()).hexdigest()


class VertexGrants:
    """Signed grants kept while their assertion has more than ``REUSE_MARGIN`` seconds left.

    The invocation layer asks for the grant on every call (and sends it only when its token cache is
    empty); loading an RSA key and signing costs tens of milliseconds, so a call must not pay it each time.
    """

    REUSE_MARGIN = 600.0
    MAX_KEYS = 64

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._grants: dict[str, tuple[TokenGrant, float]] = {}

    def get(self, key_json: str, token_uri: str | None, label: str) -> TokenGrant:
        now = self._clock()
        key = _digest(key_json, token_uri)
        kept = self._grants.get(key)
        if kept is not None and kept[1] - self.REUSE_MARGIN > now:
            return kept[0]
        grant = vertex_grant(key_json, token_uri, label, now)
        if len(self._grants) >= self.MAX_KEYS:
            self._grants.clear()  # rotated keys: forget them all rather than track use
        self._grants[key] = (grant, int(now) + ASSERTION_LIFETIME)
        return grant
