"""Messages a feature posts for the app shell to act on, so features never import one another."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message


class OpenInPlayground(Message):
    """Show the playground with these endpoints in its panes (e.g. "open in playground" on F3)."""

    def __init__(self, endpoints: Sequence[str]) -> None:
        super().__init__()
        self.endpoints = list(endpoints)


class FollowRollout(Message):
    """An endpoint's configuration is being updated: watch it until the update ends, and tell everyone.

    Screens showing endpoints post it when they see ``IN_PROGRESS``; the app watches each endpoint once,
    publishes every state it sees on ``endpoint_changed`` and says how the update ended.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
