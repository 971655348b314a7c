"""The process's garbage-collector policy while answers stream: collect far less often, never walk what lives
for good.

Neutral on purpose: the app installs it at start-up and the render ticker (a widget) tells it when the last
stream has finished; neither has to import the other for it.

Why
    Every repaint leaves *cyclic* garbage: Textual's `Strip` caches results in per-strip caches, and some
    of those entries are the strip itself (e.g. `Strip.divide` with no cut), so only the cycle collector
    frees them (~80,000 objects/s with 8 panes streaming; `tui.widgets.strip_cycles` has since removed the
    main source, a third of the young collections are left). With Python's default thresholds (700, 10, 10)
    that meant dozens of full collections per 20 s run, each walking the whole heap (lag p99 49-71 ms).
    Measured on this machine (8 panes, 20 s paced run), the young collections' pauses grow with the
    thresholds: a gen-0 threshold of 50,000 gave 15-25 ms gen-0 and 60-150 ms gen-1 pauses (a gen-1
    collection walks the survivors of `threshold1` gen-0 collections, mostly the garbage of frames that
    were on screen at the time), 2,000-5,000 gave short pauses but promoted much more garbage to the old
    generation. (20,000, 5, 10) kept gen-0 under ~15 ms and gen-1 around 10-30 ms, lag p99 21-23 ms.

What
    `install_gc_policy()` (call it once at app start) sets these thresholds and freezes the start-up heap
    (modules, classes: `gc.freeze()`), so full collections walk only what was created since.
    When the last streaming view has finished (the render ticker waits half a second, in case another
    stream starts), `streams_idle()` runs one full collection of the unfrozen objects (so no garbage gets
    frozen) and then freezes what survived: the finished answers are never walked again. Objects frozen
    while alive that later become cyclic garbage stay for the session (answers hold no cycles worth
    that: a few kilobytes each). Nothing here changes the collector unless `install_gc_policy()` was
    called.

Giving memory back
    Widgets hold reference cycles, so panes closed after a freeze would stay frozen garbage for good, and
    the memory an answer freed stays with the process (glibc keeps freed heap pages). `release_memory()`,
    for moments a person chose (a new chat, closed panes), unfreezes, collects everything once (tens of
    milliseconds), freezes the survivors again and asks glibc to return its free pages (`malloc_trim`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import cache
from typing import Any

GC_THRESHOLDS = (20_000, 5, 10)
"""Thresholds set by `install_gc_policy` (Python's defaults are (700, 10, 10)). See the module docstring."""

_policy_installed = False


def install_gc_policy(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> None:
    """Call once at app start: collect far less often while answers stream."""
    global _policy_installed
    gc.collect()
    gc.freeze()  # what exists at start-up (modules, classes, ...) lives for good: never walk it again
    gc.set_threshold(*thresholds)
    _policy_installed = True


def uninstall_gc_policy() -> None:
    """Restore Python's default thresholds and stop freezing (for tests and tools)."""
    global _policy_installed
    gc.set_threshold(700, 10, 10)
    _policy_installed = False


def gc_policy_installed() -> bool:
    """True between `install_gc_policy()` and `uninstall_gc_policy()`."""
    return _policy_installed


def streams_idle() -> None:
    """The last streaming view finished: collect what is unfrozen, then freeze what survived, so the
    collections of the next streams never walk these answers again."""
    if _policy_installed:
        gc.collect()
        gc.freeze()
        _trim()


def release_memory() -> None:
    """Free what closed panes and cleared answers left, and give it back to the system (see the module
    docstring). Safe to call with or without the policy installed."""
    if _policy_installed:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    else:
        gc.collect()
    _trim()


def _trim() -> None:
    """Ask glibc to return its free heap pages to the system (a no-op elsewhere)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None elsewhere (macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
