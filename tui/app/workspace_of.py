"""The app's workspace, typed as the protocol, for any screen or widget.

Textual types ``node.app`` as a plain ``App``; this is the one place that says it is an app with a
:class:`~tui.workspace.protocol.Workspace`, so call sites need no cast of their own.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual.message_pump import MessagePump

from tui.workspace.protocol import Workspace


class _AppWithWorkspace(Protocol):
    workspace: Workspace


def workspace_of(node: MessagePump) -> Workspace:
    """The workspace of the app ``node`` runs in."""
    return cast(_AppWithWorkspace, node.app).workspace
