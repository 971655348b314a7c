"""The wall clock the playground times answers with.

One function, looked up at call time (``clock.now()``), so snapshot tests can put a stepping clock
in its place and get the same TTFT, tokens/s and elapsed figures on every run.
"""

from __future__ import annotations

import time


def now() -> float:
    """Seconds since the epoch."""
    return time.time()
