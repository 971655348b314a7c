"""AWS Signature Version 4 for Bedrock requests (providers.md §6), as botocore's ``SigV4Auth`` signs them.

Hand-written because botocore is a large import (and brings its own HTTP stack) for 40 lines of HMAC; the
tests check it against the spec's fixed vector and against botocore for generated requests.
Signed headers: ``content-type``, ``host``, ``x-amz-date`` and, with temporary credentials,
``x-amz-security-token``. The canonical path is the (already percent-encoded) URL path encoded once more,
so a model id's ``%3A`` is signed as ``%253A``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "bedrock"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class AwsCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def amz_date(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def host_header(url: str) -> str:
    """The ``Host`` an HTTP client sends for ``url``: the port only when it is not the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


def canonical_request(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[str, str]:
    """(canonical request, signed header list) for the headers given (names any case)."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe="/~")
    query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True))
    )
    lowered = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
    names = sorted(lowered)
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in names)
    signed = ";".join(names)
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, query, canonical_headers, signed, digest]), signed


def signature(secret: str, date_time: str, region: str, canonical: str) -> str:
    scope = f"{date_time[:8]}/{region}/{SERVICE}/aws4_request"
    to_sign = "\n".join([ALGORITHM, date_time, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = _hmac(("AWS4" + secret).encode("utf-8"), date_time[:8])
    for part in (region, SERVICE, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(
    method: str,
    url: str,
    body: bytes,
    credentials: AwsCredentials,
    region: str,
    *,
    content_type: str = "application/json",
    date_time: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers to send (lower-case names, every one signed): content-type, ``extra``, x-amz-date,
    x-amz-security-token (if any) and authorization."""
    date_time = date_time or amz_date()
    headers = {"content-type": content_type, **(extra or {}), "x-amz-date": date_time}
    if credentials.session_token:
        headers["x-amz-security-token"] = credentials.session_token
    canonical, signed = canonical_request(method, url, {**headers, "host": host_header(url)}, body)
    scope = f"{date_time[:8]}/{region}/{SERVICE}/aws4_request"
    value = signature(credentials.secret_access_key, date_time, region, canonical)
    headers["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={signed}, Signature={value}"
    )
    return headers
