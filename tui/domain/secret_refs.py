"""Secret references: ``{{secrets/<scope>/<key>}}`` in credential fields of an endpoint config."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_REF_RE = re.compile(r"\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}")


@dataclass(frozen=True, order=True)
class SecretRef:
    scope: str
    key: str

    def __str__(self) -> str:
        return "{{secrets/%s/%s}}" % (self.scope, self.key)


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


def secret_refs_in(data: Any) -> list[SecretRef]:
    """Every reference found in string values of ``data`` (plaintext fields are skipped), sorted."""
    found: set[SecretRef] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and not key.endswith("_plaintext"):
            ref = parse_secret_ref(node)
            if ref is not None:
                found.add(ref)

    walk(data)
    return sorted(found)


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
