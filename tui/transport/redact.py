"""Keeps credentials out of every message, log line, answer and export.

A :class:`Redactor` knows the credential values of one call: the resolved secrets and plaintext keys
of the endpoint's config (whatever field they sit in) and, added by the transport, every value the
request carries under a credential-like name (``authorization``, ``api-key``, ``client_secret``,
``key``, a signed JWT ``assertion`` ...), so a token obtained at run time (Entra ID, OAuth) or a header a provider added later
is covered too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|password|signature|credential|assertion", re.IGNORECASE)
_AUTH_SCHEMES = {"bearer", "basic", "token", "key"}


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first, so a secret that contains another is replaced whole
        self._secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def extended(self, secrets: Iterable[str]) -> Redactor:
        """This redactor plus ``secrets``."""
        return Redactor([*self._secrets, *secrets])


def credentials_in(*fields: Mapping[str, str] | None) -> Iterator[str]:
    """The values of headers, query parameters or form fields whose name says they are a credential.

    ``Bearer <token>`` also yields the bare token, which a server may echo without its scheme.
    """
    for pairs in fields:
        for name, value in (pairs or {}).items():
            if not _CREDENTIAL_NAME.search(name):
                continue
            value = str(value)
            yield value
            scheme, _, rest = value.partition(" ")
            if rest and scheme.lower() in _AUTH_SCHEMES:
                yield rest.strip()
