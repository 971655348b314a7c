"""Textual's full layout, done once: the sizes it hands out do not ask for a second one.

Textual 8.2 lays the screen out again right after every full layout in which a widget's virtual size changed:
the layout stores each widget's new virtual size through the `virtual_size` reactive, which is declared with
``layout=True``, so storing it asks for another layout of the whole screen. That second pass arranges the same
widgets in the same places and repaints much of the screen again: with eight playground panes, ~60-130 ms
here, when the comparison appears at the end of every run, when a run's first answer fills a pane, and on
every terminal resize. (Textual's partial layout already stores the virtual size without asking.)

`install()` makes `Widget._size_updated` store the virtual size as the partial layout does (``layout=False``:
`set_reactive`), and repaint the widget whose virtual size changed, as the reactive did, without a layout.
Nothing in Textual watches `virtual_size`; a scrollbar that must appear or go still asks for its layout through
`show_vertical_scrollbar` / `show_horizontal_scrollbar`, as before.
ScrollView overrides `_size_updated` and never stored the virtual size there, so it is unaffected.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

from tui.widgets.textual_fixes import put_in_place

CHECKED = "8.2."
"""The Textual versions whose `Widget._size_updated` this one wraps (the project pins textual to 8.2.x)."""

TEXTUAL_SIZE_UPDATED = Widget._size_updated


def size_updated(self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
    """`Widget._size_updated`, storing the virtual size without asking for another layout (a widget whose virtual
    size changed is still repainted, as the reactive would have had it)."""
    repaint = self.virtual_size != virtual_size
    changed = TEXTUAL_SIZE_UPDATED(self, size, virtual_size, container_size, layout=False)
    if repaint:
        self.refresh()
    return changed


def install() -> bool:
    """Put `size_updated` in place of Textual's (idempotent), on the Textual versions it was checked against.
    Returns whether it is in place."""
    return put_in_place(Widget, {"_size_updated": size_updated}, CHECKED)
