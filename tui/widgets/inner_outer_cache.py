"""Textual's `StylesCache.get_inner_outer`, cached by its colours alone.

Textual 8.2 caches ``get_inner_outer`` with ``functools.lru_cache(1024)`` on the method, so the cache key holds
the instance: up to 1,024 widgets' styles caches, each with the lines that widget last painted, stay alive after
their widgets are gone. In the playground that kept a closed pane's painted lines (about 3,500 strips and 24,000
small caches for 8 panes, measured by `tests/bench/playground_memory.py`'s readings with the GC's view of what
is alive) until 1,024 other widgets had painted.

`install()` replaces the method with one that asks a cache keyed by the two colours only: the same two styles,
and more hits (every widget on the same background shares them).
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style

from tui.widgets.textual_fixes import put_in_place

CHECKED = "8.2."
"""The Textual versions whose `StylesCache.get_inner_outer` this one reproduces (the project pins textual to 8.2.x)."""

TEXTUAL_GET_INNER_OUTER = StylesCache.get_inner_outer


@lru_cache(1024)
def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """The inner and outer background styles of a widget with ``background`` over ``base_background``."""
    return Style(background=base_background + background), Style(background=base_background)


def get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
    """`StylesCache.get_inner_outer` without ``self`` in the cache key."""
    return inner_outer(base_background, background)


def install() -> bool:
    """Put `get_inner_outer` in place of Textual's (idempotent), on the Textual versions it was checked against.
    Returns whether it is in place."""
    if not put_in_place(StylesCache, {"get_inner_outer": get_inner_outer}, CHECKED):
        return False
    TEXTUAL_GET_INNER_OUTER.cache_clear()  # what it held until now
    return True
