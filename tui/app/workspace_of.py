"""What the app shares with every screen and widget: its workspace, typed as the protocol, and the
signal on which endpoint changes seen by a rollout watch are published.

Textual types ``node.app`` as a plain ``App``; this is the one place that says it is an app with a
:class:`~tui.workspace.protocol.Workspace`, so call sites need no cast of their own.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual.message_pump import MessagePump
from textual.signal import Signal

from tui.domain.endpoints import ServingEndpointDetailed
from tui.workspace.protocol import Workspace


class _AppWithWorkspace(Protocol):
    workspace: Workspace
    endpoint_changed: Signal[ServingEndpointDetailed]


def workspace_of(node: MessagePump) -> Workspace:
    """The workspace of the app ``node`` runs in."""
    return cast(_AppWithWorkspace, node.app).workspace


def endpoint_changes_of(node: MessagePump) -> Signal[ServingEndpointDetailed]:
    """The signal that carries each new state of an endpoint whose update the app is watching."""
    return cast(_AppWithWorkspace, node.app).endpoint_changed
