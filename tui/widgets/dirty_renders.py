"""Textual's compositor, for a partial update, renders only the widgets and rows that the changed regions touch.

Textual 8.2's `Compositor.render_partial_update` takes the bounding box of the regions that changed and renders
every widget under it in full (`_get_renders(crop)`), then keeps the rows the regions cover. With panes side by
side, a line changed in the first pane and one in the last make that box most of the screen: every pane,
scrollbar, status bar and container is rendered again over its whole height and its lines walked, so a frame
costs nearly the same whether one line changed or every pane scrolled. In the paced playground case (8 panes x
100 tok/s) the compositor was half of the app's CPU time.

`install()` makes `_get_renders`, while a partial update is rendered, skip the widgets that no changed region
touches and render each other one only over the rows, between the first and the last, that changed regions
touch within it. A changed region wholly inside a widget in front (an answer view that scrolled, a status bar)
is not rendered again for the pane, containers and screen behind it, whose cells there never show (~2.5 % of
the app's CPU in the burst playground benchmark, a quarter of each frame). The update sent to the terminal
paints only the changed regions (`ChopsUpdate` skips every cell outside them), so it is unchanged:
`tests/widgets/test_dirty_renders.py` feeds every update of a streaming playground to a terminal emulator and
compares its screen with a full render after each one.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor, CompositorUpdate
from textual.geometry import Region
from textual.strip import Strip

from tui.widgets.textual_fixes import put_in_place

CHECKED = "8.2."
"""The Textual versions whose `render_partial_update` and `_get_renders` these wrap (textual is pinned to 8.2.x)."""

TEXTUAL_RENDER_PARTIAL_UPDATE = Compositor.render_partial_update
TEXTUAL_GET_RENDERS = Compositor._get_renders

_CHANGED = "_switchboard_changed_regions"
"""The compositor's attribute holding the changed regions while a partial update is rendered."""


def render_partial_update(self: Compositor) -> CompositorUpdate | None:
    """Textual's, with the changed regions kept for `get_renders` (Textual's clears them before rendering)."""
    setattr(self, _CHANGED, list(self._dirty_regions))
    try:
        return TEXTUAL_RENDER_PARTIAL_UPDATE(self)
    finally:
        setattr(self, _CHANGED, None)


def get_renders(self: Compositor, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
    """Textual's `_get_renders`; during a partial update, only the widgets and rows the changed regions touch.

    A widget is yielded with its clip narrowed to those rows, which is what Textual does for a widget partly
    clipped: `_render_chops` pairs the strips with the rows of the region within the clip. Widgets come front to
    back, and `_render_chops` keeps the first strip for each cell, so a changed region that one widget's visible
    area covers whole is painted by it alone: the widgets behind it (its pane, container and screen, whose
    strips would all be thrown away there) skip that region.
    """
    changed: list[Region] | None = getattr(self, _CHANGED, None)
    if crop is None or not changed:
        yield from TEXTUAL_GET_RENDERS(self, crop)
        return
    crop_overlaps = crop.overlaps
    uncovered = list(changed)
    for widget, (region, clip) in self.visible_widgets.items():
        if not uncovered:
            return  # every changed cell has its front-most widget: nothing behind shows
        if not crop_overlaps(clip):
            continue
        shown_x, shown_y, shown_width, shown_height = region.intersection(clip)  # the cells it paints
        shown_right, shown_bottom = shown_x + shown_width, shown_y + shown_height
        top = bottom = -1
        covered = []
        for changed_region in uncovered:
            x, y, width, height = changed_region
            if x < shown_right and x + width > shown_x and y < shown_bottom and y + height > shown_y:
                first, end = max(y, shown_y), min(y + height, shown_bottom)
                if top < 0:
                    top, bottom = first, end
                else:
                    top, bottom = min(top, first), max(bottom, end)
                if shown_x <= x and x + width <= shown_right and shown_y <= y and y + height <= shown_bottom:
                    covered.append(changed_region)
        if top < 0:
            continue  # nothing changed over it (or only where a widget in front paints): none of its cells shows
        if covered:
            uncovered = [changed_region for changed_region in uncovered if changed_region not in covered]
        rows = Region(shown_x, top, shown_width, bottom - top)
        yield region, rows, widget.render_lines(Region(shown_x - region.x, top - region.y, shown_width, bottom - top))


def install() -> bool:
    """Put `render_partial_update` and `get_renders` in place of Textual's (idempotent), on the Textual versions
    they were checked against. Returns whether they are in place."""
    return put_in_place(
        Compositor, {"render_partial_update": render_partial_update, "_get_renders": get_renders}, CHECKED
    )
