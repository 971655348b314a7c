"""Messages a feature posts for the app shell to act on, so features never import one another."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message


class OpenInPlayground(Message):
    """Show the playground with these endpoints in its panes (e.g. "open in playground" on F3)."""

    def __init__(self, endpoints: Sequence[str]) -> None:
        super().__init__()
        self.endpoints = list(endpoints)
