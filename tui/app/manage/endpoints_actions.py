"""What the F3 list and the endpoint detail view both do to one endpoint: edit or duplicate it, test it,
copy it as a snippet, show its JSON, open it in the playground.

The editor, the test dialog and "copy as" live in their own modules and are imported when first used,
so the list opens fast. Until one of them exists, its action says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from tui.app.messages import OpenInPlayground
from tui.domain.endpoints import ServingEndpointDetailed


def _missing(err: ImportError, *modules: str) -> bool:
    """Whether ``err`` says one of ``modules`` (or a name in it) is not there, rather than failing inside it."""
    return err.name in modules


def _not_yet(screen: Screen[Any], what: str) -> None:
    screen.notify(f"{what} is not available yet in this build.", severity="warning")


def open_editor(
    screen: Screen[Any],
    endpoint: ServingEndpointDetailed | None,
    saved: Callable[[str], None],
    *,
    duplicate: bool = False,
) -> None:
    """The endpoint editor: a new endpoint (``endpoint`` None), this one, or a copy of it.

    ``saved`` gets the name it was saved under; nothing happens when the editor is closed without saving.
    """
    try:
        from tui.app.manage.editor import EndpointEditorScreen
    except ImportError as err:
        if not _missing(err, "tui.app.manage.editor"):
            raise
        _not_yet(screen, "The endpoint editor")
        return

    def done(name: str | None) -> None:
        if name:
            saved(name)

    screen.app.push_screen(EndpointEditorScreen(endpoint, duplicate=duplicate), done)


def open_probe(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Test the endpoint with a one-token call and say how it went."""
    try:
        from tui.app.manage.probe_dialog import ProbeDialog
    except ImportError as err:
        if not _missing(err, "tui.app.manage.probe_dialog"):
            raise
        _not_yet(screen, "Testing an endpoint")
        return
    screen.app.push_screen(ProbeDialog(endpoint))


def open_copy_as(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Snippets that call the endpoint (curl, Python, ...) or recreate it, to pick one and copy it."""
    try:
        from tui.manage.copy_as import endpoint_snippets, label_languages
        from tui.widgets.copy_as import CopyAsDialog
    except ImportError as err:
        if not _missing(err, "tui.manage.copy_as", "tui.widgets.copy_as"):
            raise
        _not_yet(screen, "Copy as")
        return
    snippets = endpoint_snippets(endpoint)  # the formats this endpoint can be copied as
    screen.app.push_screen(CopyAsDialog(f"Copy endpoint {endpoint.name} as", snippets, languages=label_languages()))


def show_json(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """The endpoint as the API returns it (secret references only: values are never in it)."""
    from tui.app.manage.json_view import JsonViewScreen

    screen.app.push_screen(JsonViewScreen(f"Endpoint {endpoint.name}", endpoint.to_json()))


def open_in_playground(screen: Screen[Any], endpoint: ServingEndpointDetailed) -> None:
    """Ask the app to show the playground with this endpoint in a pane."""
    screen.post_message(OpenInPlayground([endpoint.name]))
