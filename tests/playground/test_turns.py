"""Turns: a reader of items that are ready passes its turn on the event loop; one that waits for them does not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from tui.playground.turns import Turns


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ready_items_make_a_pass_due_after_the_turn() -> None:
    clock = FakeClock()
    turns = Turns(turn=0.002, gap=0.001, clock=clock)
    due = []
    for _ in range(6):  # items ready back to back, 0.5 ms of work each
        clock.now += 0.0005
        due.append(turns.due())
    assert due == [False, False, False, False, True, True]


def test_an_item_waited_for_starts_a_new_turn() -> None:
    clock = FakeClock()
    turns = Turns(turn=0.002, gap=0.001, clock=clock)
    for _ in range(4):
        clock.now += 0.0005
        turns.due()
    clock.now += 0.010  # the reader waited on the network: other tasks ran meanwhile
    assert not turns.due()
    clock.now += 0.0005
    assert not turns.due()


def test_a_slow_stream_never_passes() -> None:
    clock = FakeClock()
    turns = Turns(turn=0.002, gap=0.001, clock=clock)
    for _ in range(100):  # 100 tokens/s: every item is waited for
        clock.now += 0.010
        assert not turns.due()


async def test_passing_lets_other_tasks_run_between_ready_items() -> None:
    async def ready(count: int) -> AsyncIterator[int]:
        for item in range(count):
            yield item  # never waits: as a socket buffer full of events

    ran_during: list[int] = []
    read = 0
    stop = False

    async def other() -> None:
        while not stop:
            ran_during.append(read)
            await asyncio.sleep(0)

    async def reader(turns: Turns | None) -> None:
        nonlocal read
        async for _ in ready(50):
            if turns is not None and turns.due():
                await turns.pass_turn()
            read += 1

    task = asyncio.create_task(other())
    await asyncio.sleep(0)
    ran_during.clear()
    await reader(None)
    assert ran_during == []  # without turns the other task waits for the whole stream
    read = 0
    await reader(Turns(turn=0.0, gap=1.0))
    stop = True
    await task
    assert len([n for n in ran_during if 0 < n < 50]) >= 40  # with them it runs between the items
