"""Refilling a DataTable from fresh data without losing the reader's place or trusting the data."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from tui.domain.text import printable


def refill(table: DataTable[Text], rows: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """Replace the rows with ``rows`` (key, cells); return the key the cursor is on afterwards.

    Cells are plain, printable text (a ``[`` in a model name or tag is shown, never read as markup; a
    control character is made visible). The cursor
    stays on the row it was on (by key), or at the same position when that row is gone, and the
    scroll position is kept.
    """
    previous_key: str | None = None
    if table.row_count:
        previous_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    previous_row = table.cursor_row
    scroll_y = table.scroll_y
    table.clear()
    keys = []
    for key, cells in rows:
        table.add_row(*(Text(printable(cell)) for cell in cells), key=key)
        keys.append(key)
    if not keys:
        return None
    row = keys.index(previous_key) if previous_key in keys else min(previous_row, len(keys) - 1)
    table.move_cursor(row=row, animate=False, scroll=False)
    table.scroll_to(y=scroll_y, animate=False)
    return keys[row]
