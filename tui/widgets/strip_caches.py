"""Textual's `Strip` constructor, with the strip's seven small caches as bounded dicts.

Textual 8.2 gives every `Strip` seven `FIFOCache`s (divide, crop, style, filter, line length, crop-extend,
offsets): seven Python-level constructor calls and fourteen objects, all tracked by the cycle collector, for
every strip. While answers stream, strips are made by the thousand each second (every line rendered, padded,
cropped, divided or styled is a new one): in the burst playground case, `Strip.__init__` was 1.6 % of the
app's samples, and most strips die with their caches unused.

`install()` replaces `Strip.__init__` with the same constructor, except that each cache is a `BoundedDict`:
a dict whose ``get`` is dict's own and whose item assignment drops the oldest key when full, as `FIFOCache`
does. Strip's methods (and `tui.widgets.strip_cycles.divide`) use nothing else of these caches. A strip is
made about 2.5x as fast, and an empty dict is not tracked by the cycle collector.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.strip import Strip

from tui.widgets.textual_fixes import put_in_place

CHECKED = "8.2."
"""The Textual versions whose `Strip.__init__` this one reproduces (the project pins textual to 8.2.x)."""

TEXTUAL_INIT = Strip.__init__


class BoundedDict(dict[Any, Any]):
    """A dict of at most `maxsize` keys: setting a new key when full first drops the oldest (FIFOCache's rule)."""

    __slots__ = ()
    maxsize = 4

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.maxsize and key not in self:
            del self[next(iter(self))]
        dict.__setitem__(self, key, value)


class BoundedDict16(BoundedDict):
    """A `BoundedDict` of 16 keys (the size Textual gives the crop and style caches)."""

    __slots__ = ()
    maxsize = 16


def strip_init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    """`Strip.__init__` as Textual 8.2 has it, with `BoundedDict` caches of the same sizes."""
    self._segments = list(segments)
    self._cell_length = cell_length
    self._divide_cache = BoundedDict()  # type: ignore[assignment]
    self._crop_cache = BoundedDict16()  # type: ignore[assignment]
    self._style_cache = BoundedDict16()  # type: ignore[assignment]
    self._filter_cache = BoundedDict()  # type: ignore[assignment]
    self._line_length_cache = BoundedDict()  # type: ignore[assignment]
    self._crop_extend_cache = BoundedDict()  # type: ignore[assignment]
    self._offsets_cache = BoundedDict()  # type: ignore[assignment]
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def install() -> bool:
    """Put `strip_init` in place of Textual's (idempotent), on the Textual versions it was checked against.
    Returns whether it is in place."""
    return put_in_place(Strip, {"__init__": strip_init}, CHECKED)
