"""Closed panes give their memory back, even after the GC policy froze them with their answers, and
nothing the transport keeps (pooled connections, cancelled timers) holds on to a finished pane."""

from __future__ import annotations

import gc
import weakref

from tests.helpers.app import finished, panes, send, wait_until
from tests.helpers.demo_app import AppFactory


async def test_closed_panes_are_freed_after_their_answers_were_frozen(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await wait_until(pilot, lambda: len(panes(app)) == 2)
        await send(app, pilot, "Explain rate limits")
        await wait_until(pilot, lambda: finished(app), seconds=20)
        await pilot.pause(1.0)  # the GC policy freezes what is alive half a second after the last stream
        assert gc.get_freeze_count() > 0
        closed = [weakref.ref(p) for p in panes(app)]
        await app.screen.use_endpoints(["instruct"])
        await wait_until(pilot, lambda: all(ref() is None for ref in closed), seconds=5)
