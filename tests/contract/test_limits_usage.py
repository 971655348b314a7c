"""What the faces show around the calls: who calls, where the workspace lives, limit status and usage."""

from __future__ import annotations

import asyncio
from typing import Any

from tui.domain.base import parse_user_input
from tui.domain.gateway import AiGatewayConfig, RateLimit
from tui.workspace.protocol import Workspace

CHAT: dict[str, Any] = {"messages": [{"role": "user", "content": "Count to three"}], "max_tokens": 20}


async def test_user_and_label_name_the_caller_and_the_place(ws: Workspace) -> None:
    assert ws.user == "tester"
    assert ws.label.strip()


async def test_warm_up_prepares_without_calling(ws: Workspace) -> None:
    await asyncio.to_thread(ws.warm_up)
    assert await ws.list_endpoints() == []


async def test_limit_status_counts_this_minute(sim_ws: Workspace, chat: str) -> None:
    assert await sim_ws.rate_limit_status(chat) == []
    await sim_ws.put_rate_limits(chat, [RateLimit(calls=10, key="user")])
    gateway = {"rate_limits": [{"tokens": 5000, "key": "endpoint", "renewal_period": "minute"}]}
    await sim_ws.put_ai_gateway(chat, parse_user_input(AiGatewayConfig, gateway, "AI gateway"))
    await sim_ws.query(chat, CHAT)
    await sim_ws.query(chat, CHAT)
    per_user, per_endpoint = await sim_ws.rate_limit_status(chat)
    assert (per_user["calls"], per_user["calls_limit"], per_user["tokens_limit"]) == (2, 10, None)
    assert "user" in per_user["label"] and "endpoint" in per_endpoint["label"]
    assert per_endpoint["tokens_limit"] == 5000 and per_endpoint["tokens"] > 0


async def test_usage_rows_count_calls_and_tokens(sim_ws: Workspace, chat: str) -> None:
    assert sim_ws.usage.rows(chat) == []
    answers = [await sim_ws.query(chat, CHAT) for _ in range(2)]
    [row] = sim_ws.usage.rows(chat)
    assert (row.endpoint, row.user, row.calls, row.errors) == (chat, "tester", 2, 0)
    assert row.completion_tokens == sum(a["usage"]["completion_tokens"] for a in answers)
    assert row.prompt_tokens == sum(a["usage"]["prompt_tokens"] for a in answers)
    assert sim_ws.usage.rows(since_minute=row.minute + 1) == []
    assert sim_ws.usage.rows() == [row]
