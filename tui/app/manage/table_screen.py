"""The shape shared by the management screens (endpoints, secrets, rate limits): a table of what the
workspace lists, loaded in a worker, refilled without losing the reader's place, and an empty state
in its stead when there is nothing to list.

A screen says what it lists (:meth:`TableScreen.load`), how an item reads as a row
(:meth:`TableScreen.rows`) and lays itself out in ``compose``; this base does the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import ClassVar, Generic, TypeVar

from textual import work
from textual.app import CSSPathType
from textual.screen import Screen
from textual.widgets import DataTable

from tui.domain.errors import SwitchboardError
from tui.widgets.tables import refill

Item = TypeVar("Item")
T = TypeVar("T")
Row = tuple[str, Sequence[str]]
"""A row key and its cells."""


class TableScreen(Screen[None], Generic[Item]):
    CSS_PATH: ClassVar[CSSPathType | None] = "management.tcss"

    TABLE_ID: ClassVar[str]
    """The table that lists the items."""
    COLUMNS: ClassVar[tuple[str, ...]]
    EMPTY_ID: ClassVar[str]
    """The empty state, shown instead of ``BODY_ID`` when there is nothing to list."""
    BODY_ID: ClassVar[str | None] = None
    """What the empty state replaces; the table itself when None."""

    async def load(self) -> Sequence[Item]:
        """What the screen lists, from the workspace."""
        raise NotImplementedError

    def rows(self, items: Sequence[Item]) -> list[Row]:
        raise NotImplementedError

    def filled(self, current: str | None) -> None:
        """Called after a refill with the key of the row the cursor is on (None when the table is empty)."""

    def on_mount(self) -> None:
        self.query_one(f"#{self.TABLE_ID}", DataTable).add_columns(*self.COLUMNS)
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    @work(exclusive=True, group="table-load")
    async def action_refresh(self) -> None:
        items = await self.attempt(self.load())
        if items is None or not self.display:  # not displayed: being closed, its widgets may be gone already
            return
        current = refill(self.query_one(f"#{self.TABLE_ID}", DataTable), self.rows(items))
        self.query_one(f"#{self.BODY_ID or self.TABLE_ID}").display = bool(items)
        self.query_one(f"#{self.EMPTY_ID}").display = not items
        self.filled(current)

    async def attempt(self, call: Awaitable[T]) -> T | None:
        """The result of ``call``, or None once its error is shown as a notification."""
        try:
            return await call
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return None
