"""One stream event's JSON, read fast and refused in words a person understands.

A streamed answer is a JSON document per token, so its parsing is on the hottest path of the app: pydantic-core's
parser (already installed with pydantic) reads a chunk in about a third of the standard library's time. What it
refuses and the standard library reads (a lone surrogate escape, nesting deeper than 200) is read by the standard
library, so no answer that parsed before is refused now.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import from_json

from tui.domain.errors import ProviderProtocolError


def event_object(text: str | bytes, provider: str, what: str) -> dict[str, Any]:
    """``text`` (one ``what``, e.g. "stream chunk", from ``provider``) as a JSON object, or a
    `ProviderProtocolError` that quotes its start."""
    try:
        value = from_json(text)
    except ValueError:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise ProviderProtocolError(
                f"{provider} sent a malformed {what}: {text[:80]!r}", provider=provider
            ) from None
    if not isinstance(value, dict):
        raise ProviderProtocolError(f"{provider} sent a {what} that is not an object", provider=provider)
    return value
