"""Access tokens: a value handed out once, a user behind it while it lives, never the value again."""

from __future__ import annotations

import pytest

from tui.domain.errors import InvalidParameterValue, ResourceDoesNotExist, SwitchboardError
from tui.workspace.protocol import Workspace
from tui.workspace.tokens import Identity

T0 = 1_800_000_000.0  # a fixed clock: epoch seconds


async def test_a_token_authenticates_its_user_until_it_is_revoked(ws: Workspace) -> None:
    before = await ws.tokens.list()  # the tokens the workspace was opened with (a server's own), if any
    new = await ws.tokens.create("alice", comment="ci job")
    assert new.token_value.startswith("sb-") and len(new.token_value) >= 40
    info = new.token_info
    assert (info.user, info.comment, info.expiry_time) == ("alice", "ci job", -1)
    assert info.creation_time > 0 and info.token_id
    assert await ws.tokens.authenticate(new.token_value) == "alice"

    listed = await ws.tokens.list()
    assert listed == [*before, info]
    shown = repr(listed) + str([t.to_json() for t in listed])
    assert new.token_value not in shown and new.token_value[3:] not in shown
    assert set(info.to_json()) == {"token_id", "user", "comment", "creation_time", "expiry_time", "admin"}
    assert info.admin is False and await ws.tokens.identify(new.token_value) == Identity("alice", admin=False)

    await ws.tokens.revoke(info.token_id)
    assert await ws.tokens.authenticate(new.token_value) is None
    assert await ws.tokens.identify(new.token_value) is None
    assert await ws.tokens.list() == before


async def test_each_token_stands_for_its_own_user_and_a_revoked_one_leaves_the_others(ws: Workspace) -> None:
    before = await ws.tokens.list()
    alice = await ws.tokens.create("alice")
    bob = await ws.tokens.create("bob@example.com")
    second_alice = await ws.tokens.create("alice")
    assert len({alice.token_value, bob.token_value, second_alice.token_value}) == 3
    assert len({t.token_info.token_id for t in (alice, bob, second_alice)}) == 3
    await ws.tokens.revoke(alice.token_info.token_id)
    assert await ws.tokens.authenticate(alice.token_value) is None
    assert await ws.tokens.authenticate(bob.token_value) == "bob@example.com"
    assert await ws.tokens.authenticate(second_alice.token_value) == "alice"
    assert [t.user for t in await ws.tokens.list()][len(before) :] == ["bob@example.com", "alice"]


async def test_wrong_values_authenticate_no_one(ws: Workspace) -> None:
    value = (await ws.tokens.create("alice")).token_value
    last = value[-1]
    altered = value[:-1] + ("A" if last != "A" else "B")
    for wrong in ("", "sb-", altered, value[:-1], value + "x", value.upper(), " " + value, value[3:], "\udc80"):
        assert await ws.tokens.authenticate(wrong) is None, wrong


async def test_a_token_expires_after_its_lifetime(ws: Workspace) -> None:
    new = await ws.tokens.create("alice", lifetime_seconds=60, now=T0)
    assert new.token_info.creation_time == T0 * 1000
    assert new.token_info.expiry_time == (T0 + 60) * 1000
    assert await ws.tokens.authenticate(new.token_value, now=T0) == "alice"
    assert await ws.tokens.authenticate(new.token_value, now=T0 + 59.9) == "alice"
    assert await ws.tokens.authenticate(new.token_value, now=T0 + 60) is None
    assert await ws.tokens.authenticate(new.token_value, now=T0 + 3600) is None
    forever = await ws.tokens.create("bob", now=T0)
    assert await ws.tokens.authenticate(forever.token_value, now=T0 + 50 * 365 * 86400) == "bob"


@pytest.mark.parametrize(
    ("user", "comment", "lifetime", "words"),
    [
        ("", "", None, "user must not be empty"),
        ("   ", "", None, "user must not be empty"),
        ("a\x1b[31mb", "", None, "control character"),
        ("a\nb", "", None, "tab or line break"),
        ("a\tb", "", None, "tab or line break"),
        ("alice\n", "", None, "tab or line break"),
        (" alice", "", None, "start or end with a space"),
        ("x" * 257, "", None, "the limit is 256"),
        ("alice", "bad\x07comment", None, "comment contains the control character"),
        ("alice", "", -5, "lifetime must be a whole number of seconds"),
        ("alice", "", 0, "lifetime must be a whole number of seconds"),
        ("alice", "", 10**12, "lifetime must be a whole number of seconds"),
    ],
)
async def test_bad_requests_are_refused_and_nothing_is_created(
    ws: Workspace, user: str, comment: str, lifetime: int | None, words: str
) -> None:
    before = await ws.tokens.list()
    with pytest.raises(InvalidParameterValue) as refused:
        await ws.tokens.create(user, comment=comment, lifetime_seconds=lifetime)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    assert words in refused.value.message
    assert "\x1b" not in refused.value.message
    assert await ws.tokens.list() == before


async def test_revoking_an_unknown_token_says_so_and_never_repeats_a_value(ws: Workspace) -> None:
    new = await ws.tokens.create("alice")
    with pytest.raises(ResourceDoesNotExist) as missing:
        await ws.tokens.revoke("0123456789abcdef")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "'0123456789abcdef' does not exist" in missing.value.message
    with pytest.raises(SwitchboardError) as by_value:
        await ws.tokens.revoke(new.token_value)
    assert by_value.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "value, not its id" in by_value.value.message
    assert new.token_value not in by_value.value.message and new.token_value[3:] not in by_value.value.message
    await ws.tokens.revoke(new.token_info.token_id)
    with pytest.raises(ResourceDoesNotExist):
        await ws.tokens.revoke(new.token_info.token_id)
    assert await ws.tokens.authenticate(new.token_value) is None
