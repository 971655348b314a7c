"""`tui.widgets.inner_outer_cache`: Textual's `StylesCache.get_inner_outer` without the instance in its cache key
(which kept closed widgets' painted lines alive)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

from textual._styles_cache import StylesCache
from textual.color import Color

from tui.widgets import inner_outer_cache

COLOURS = [Color(0, 0, 0), Color(255, 255, 255), Color(10, 20, 30, 0.5), Color(200, 0, 0, 0.0), Color(1, 2, 3, 0.9)]


def test_it_gives_the_styles_textual_gives() -> None:
    for base in COLOURS:
        for background in COLOURS:
            theirs = inner_outer_cache.TEXTUAL_GET_INNER_OUTER(StylesCache(), base, background)
            assert inner_outer_cache.get_inner_outer(StylesCache(), base, background) == theirs


def kept_alive(get_inner_outer: Callable[[StylesCache, Color, Color], object]) -> bool:
    """Whether a styles cache asked once is still alive after it is dropped."""
    cache = StylesCache()
    gone = weakref.ref(cache)
    get_inner_outer(cache, COLOURS[2], COLOURS[4])
    del cache
    gc.collect()
    return gone() is not None


def test_a_dropped_widget_s_styles_cache_is_freed() -> None:
    try:
        assert kept_alive(inner_outer_cache.TEXTUAL_GET_INNER_OUTER), "Textual's keeps it in its cache key"
    finally:
        inner_outer_cache.TEXTUAL_GET_INNER_OUTER.cache_clear()
    assert not kept_alive(inner_outer_cache.get_inner_outer)
