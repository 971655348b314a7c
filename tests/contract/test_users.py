"""``Workspace.as_user``: one workspace, calls made as another user (what ``switchboard serve`` does per token)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.sim import create_request
from tui.domain.errors import InvalidParameterValue, RequestLimitExceeded
from tui.domain.gateway import RateLimit
from tui.simulator import Simulator
from tui.workspace.protocol import Workspace

CHAT: dict[str, Any] = {"messages": [{"role": "user", "content": "Count to three"}], "max_tokens": 20}


def acting_as(ws: Workspace, user: str) -> Workspace:
    """``ws`` as ``user``; a backend that acts only as its token's user (Databricks) refuses, and the test skips."""
    try:
        return ws.as_user(user)
    except InvalidParameterValue as err:
        pytest.skip(f"this backend cannot act as another user: {err.message}")


async def test_a_view_as_the_own_user_works_everywhere(sim_ws: Workspace, chat: str) -> None:
    same = sim_ws.as_user(sim_ws.user)
    assert same.user == sim_ws.user and same.label == sim_ws.label
    assert (await same.query(chat, CHAT))["object"] == "chat.completion"


async def test_a_view_names_its_user_and_shares_the_data(sim_ws: Workspace, chat: str) -> None:
    alice = acting_as(sim_ws, "alice")
    assert (alice.user, sim_ws.user) == ("alice", "tester")
    assert alice.label == sim_ws.label
    assert [e.name for e in await alice.list_endpoints()] == [chat]
    assert alice.as_user("bob").user == "bob"


async def test_endpoints_created_through_a_view_name_its_user(sim_ws: Workspace, simulator: Simulator) -> None:
    created = await acting_as(sim_ws, "alice").create_endpoint(create_request("by-alice", simulator.base_url))
    assert created.creator == "alice"
    assert (await sim_ws.get_endpoint("by-alice")).creator == "alice"


async def test_two_users_have_separate_per_user_limits(sim_ws: Workspace, chat: str) -> None:
    await sim_ws.put_rate_limits(chat, [RateLimit(calls=1, key="user")])
    alice, bob = acting_as(sim_ws, "alice"), acting_as(sim_ws, "bob")
    await alice.query(chat, CHAT)
    with pytest.raises(RequestLimitExceeded) as refused:
        await alice.query(chat, CHAT)
    assert refused.value.retry_after and refused.value.retry_after > 0
    await bob.query(chat, CHAT)  # bob's own bucket
    [chunk async for chunk in sim_ws.stream(chat, {**CHAT, "stream": True})]  # and the owner's
    [alice_limit] = await alice.rate_limit_status(chat)
    assert (alice_limit["calls"], alice_limit["calls_limit"]) == (1, 1)
    assert sorted((r.user, r.calls) for r in sim_ws.usage.rows(chat)) == [("alice", 1), ("bob", 1), ("tester", 1)]


async def test_closing_a_view_leaves_the_workspace_open(sim_ws: Workspace, chat: str) -> None:
    view = sim_ws.as_user(sim_ws.user)
    await view.query(chat, CHAT)
    await view.aclose()
    assert (await sim_ws.query(chat, CHAT))["object"] == "chat.completion"
