"""Turns on the event loop for a stream read faster than it arrives in pieces: one reader must not keep the
screen (and the other readers) waiting.

Why
    An answer arriving faster than the app reads it (8 panes in a burst) has whole socket buffers waiting:
    each read hands a reader ~600 events at once, and consuming them took ~5 ms without giving the event loop
    back. Eight readers in one loop turn kept frames, key presses and the render ticker waiting 40 ms and more.
    A reader that passes its turn after `TURN` seconds of items that were ready lets them in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from time import perf_counter

TURN = 0.001
"""Seconds of ready items a reader handles before it lets the other tasks run.

With 8 readers in a burst, a loop turn holds them all: 2 ms turns made it 16 ms of reading before a frame, the
render ticker or a key press had its go. 1 ms halved that: in the burst benchmark, alternated over 4 runs each,
lag p99 58 ms against 68 and key p50 68 ms against 99 (medians), with no more CPU per token (1.5, 1.25 and 0.75 ms
measured within a few ms of 1 ms, all lower than 2)."""

GAP = 0.001
"""A pause longer than this between two items means the reader waited for the source (the network): its turn
started again then."""


class Turns:
    """Tells a reader when to pass its turn: ``if turns.due(): await turns.pass_turn()`` before each item.

    Costs two clock readings per item; an item that had to be waited for never leads to a pass.
    """

    def __init__(self, turn: float = TURN, gap: float = GAP, clock: Callable[[], float] = perf_counter) -> None:
        self._turn = turn
        self._gap = gap
        self._clock = clock
        self._start = self._last = clock()

    def due(self) -> bool:
        """True when this reader has held the event loop for `turn` seconds of items that were ready."""
        now = self._clock()
        if now - self._last > self._gap:
            self._start = now  # it waited for this item: the loop had its turn meanwhile
        self._last = now
        return now - self._start > self._turn

    async def pass_turn(self) -> None:
        """Let every other ready task run once, then start a new turn."""
        await asyncio.sleep(0)
        self._start = self._last = self._clock()
