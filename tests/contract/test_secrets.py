"""Secrets: scopes and keys in, key names and timestamps out, values never."""

from __future__ import annotations

import pytest

from tui.domain.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from tui.workspace.protocol import Workspace


async def test_scopes_are_created_listed_and_deleted(ws: Workspace) -> None:
    await ws.create_scope("team")
    await ws.create_scope("other")
    assert sorted(s.name for s in await ws.list_scopes()) == ["other", "team"]
    await ws.delete_scope("other")
    assert [s.name for s in await ws.list_scopes()] == ["team"]


async def test_secrets_are_put_listed_and_deleted_and_values_never_listed(ws: Workspace) -> None:
    await ws.create_scope("team")
    await ws.put_secret("team", "openai", b"sk-contract-value")
    await ws.put_secret("team", "anthropic", b"sk-other-value")
    await ws.put_secret("team", "openai", b"sk-replaced-value")
    listed = await ws.list_secrets("team")
    assert sorted(s.key for s in listed) == ["anthropic", "openai"]
    assert all(s.last_updated_timestamp for s in listed)
    shown = repr(listed) + str([s.to_json() for s in listed])
    assert "sk-" not in shown
    await ws.delete_secret("team", "anthropic")
    assert [s.key for s in await ws.list_secrets("team")] == ["openai"]


async def test_deleting_a_scope_deletes_its_secrets(ws: Workspace) -> None:
    await ws.create_scope("team")
    await ws.put_secret("team", "k", b"v")
    await ws.delete_scope("team")
    await ws.create_scope("team")
    assert await ws.list_secrets("team") == []


async def test_secret_errors_carry_their_codes(ws: Workspace) -> None:
    await ws.create_scope("team")
    with pytest.raises(ResourceAlreadyExists) as exists:
        await ws.create_scope("team")
    assert exists.value.error_code == "RESOURCE_ALREADY_EXISTS"
    for call in (
        ws.delete_scope("ghost"),
        ws.list_secrets("ghost"),
        ws.put_secret("ghost", "k", b"v"),
        ws.delete_secret("team", "ghost"),
    ):
        with pytest.raises(ResourceDoesNotExist) as missing:
            await call
        assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST" and missing.value.message
    with pytest.raises(InvalidParameterValue) as invalid:
        await ws.create_scope("no spaces allowed")
    assert invalid.value.error_code == "INVALID_PARAMETER_VALUE"
