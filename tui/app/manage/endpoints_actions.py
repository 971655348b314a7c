"""What the F3 list and the endpoint detail view both do to one endpoint: edit or duplicate it, test it,
copy it as a snippet, show its JSON, open it in the playground.

The editor, the test dialog and "copy as" are imported when first used, so the list opens fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from tui.app.messages import FollowRollout, OpenInPlayground
from tui.domain.endpoints import ServingEndpointDetailed
from tui.manage.rollout_watch import updating


def open_editor(
    screen: Screen[Any],
    endpoint: ServingEndpointDetailed | None,
    saved: Callable[[str], None],
    *,
    duplicate: bool = False,
) -> None:
    """The endpoint editor: a new endpoint (``endpoint`` None), this one, or a copy of it.

    ``saved`` gets the name it was saved under; nothing happens when the editor is closed without saving.
    An endpoint whose configuration is being updated is not opened for editing (the workspace would
    refuse the change); a copy of it may be.
    """
    from tui.app.manage.editor import EndpointEditorScreen

    if endpoint is not None and not duplicate and updating(endpoint):
        pending = endpoint.pending_config.config_version if endpoint.pending_config else None
        screen.notify(
            f"Endpoint {endpoint.name} is being updated (config version {pending or '?'} is rolling out): "
            "edit it once the update has finished. D duplicates it meanwhile.",
            severity="warning",
            markup=False,
        )
        screen.post_message(FollowRollout(endpoint.name))
        return

    def done(name: str | None) -> None:
        if name:
            saved(name)

    screen.app.push_screen(EndpointEditorScreen(endpoint, duplicate=duplicate), done)


def open_probe(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Test the endpoint with a one-token call and say how it went."""
    from tui.app.manage.probe_dialog import ProbeDialog

    screen.app.push_screen(ProbeDialog(endpoint))


def open_copy_as(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Snippets that call the endpoint (curl, Python, ...) or recreate it, to pick one and copy it."""
    from tui.manage.copy_as import endpoint_snippets, label_languages
    from tui.widgets.copy_as import CopyAsDialog

    snippets = endpoint_snippets(endpoint)  # the formats this endpoint can be copied as
    screen.app.push_screen(CopyAsDialog(f"Copy endpoint {endpoint.name} as", snippets, languages=label_languages()))


def show_json(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """The endpoint as the API returns it (secret references only: values are never in it)."""
    from tui.app.manage.json_view import JsonViewScreen

    screen.app.push_screen(JsonViewScreen(f"Endpoint {endpoint.name}", endpoint.to_json()))


def open_in_playground(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Ask the app to show the playground with this endpoint in a pane."""
    screen.post_message(OpenInPlayground([endpoint.name]))
