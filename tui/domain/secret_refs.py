"""Secret references: ``{{secrets/<scope>/<key>}}`` in credential fields of an endpoint config."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_REF_RE = re.compile(r"\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}")


@dataclass(frozen=True, order=True)
class SecretRef:
    scope: str
    key: str

    def __str__(self) -> str:
        return f"{{{{secrets/{self.scope}/{self.key}}}}}"


def parse_secret_ref(text: str) -> SecretRef | None:
    """The reference ``text`` spells, or None when it is not exactly one reference."""
    match = _REF_RE.fullmatch(text.strip())
    return SecretRef(match.group(1), match.group(2)) if match else None


def looks_like_secret_ref(text: str) -> bool:
    return "{{" in text and "secrets" in text


def secret_ref_problem(text: str, field: str) -> str | None:
    """Why ``text`` is not a valid reference for ``field``, or None when it is."""
    if parse_secret_ref(text) is not None:
        return None
    if looks_like_secret_ref(text):
        return f"'{text}' is not a valid secret reference; write it as {{{{secrets/<scope>/<key>}}}}"
    plaintext = f"{field}_plaintext"
    return (
        f"must be a secret reference like {{{{secrets/my_scope/{field}}}}}; "
        f"to give the key itself use '{plaintext}' (discouraged)"
    )


def _leaves(data: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """``(field name, value)`` for every value of ``data`` that is not an object or a list."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, str(k))
    elif isinstance(data, list):
        for v in data:
            yield from _leaves(v, key)
    else:
        yield key, data


def secret_refs_in(data: Any) -> list[SecretRef]:
    """Every reference found in string values of ``data`` (plaintext fields are skipped), sorted."""
    refs = (
        parse_secret_ref(value)
        for key, value in _leaves(data)
        if isinstance(value, str) and not key.endswith("_plaintext")
    )
    return sorted({ref for ref in refs if ref is not None})


def plaintext_credentials(data: Any) -> list[str]:
    """Every value of a ``*_plaintext`` field, at any depth (``custom_provider_config.bearer_token_auth``
    nests them): the credentials a redactor must know besides the resolved secret references."""
    return [str(value) for key, value in _leaves(data) if key.endswith("_plaintext") and value not in (None, "")]


def resolve_secret_refs(data: Any, lookup: Any, _key: str = "") -> Any:
    """A copy of ``data`` with every reference replaced by ``lookup(ref)``; plaintext fields stay literal."""
    if isinstance(data, dict):
        return {k: resolve_secret_refs(v, lookup, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve_secret_refs(v, lookup, _key) for v in data]
    if isinstance(data, str) and not _key.endswith("_plaintext"):
        ref = parse_secret_ref(data)
        return lookup(ref) if ref is not None else data
    return data
