"""Every binding of the app, for the help screen and for checking keymap ids from config.toml."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding
from textual.keys import format_key


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(place, bindings with ids) for every screen and widget that has its own keys."""
    from tui.app.app import SwitchboardApp
    from tui.app.help import HelpScreen
    from tui.app.manage.editor import EndpointEditorScreen
    from tui.app.manage.editor_entity import EntitySection
    from tui.app.manage.editor_secret import SecretPicker, SecretRow
    from tui.app.manage.endpoint_detail import EndpointDetailScreen
    from tui.app.manage.endpoints import EndpointsScreen
    from tui.app.manage.json_editor import JsonEditor
    from tui.app.manage.json_view import JsonViewScreen
    from tui.app.manage.limit_dialogs import FormDialog
    from tui.app.manage.probe_dialog import ProbeDialog
    from tui.app.manage.rate_limits import RateLimitsScreen
    from tui.app.manage.secret_dialogs import PutSecretDialog, SecretDialog
    from tui.app.manage.secrets import SecretsScreen
    from tui.app.playground.code_blocks import CodeBlockPicker
    from tui.app.playground.history import HistoryScreen
    from tui.app.playground.pane import Pane
    from tui.app.playground.pane_params import PaneParamsScreen
    from tui.app.playground.picker import EndpointPicker
    from tui.app.playground.screen import PlaygroundScreen
    from tui.widgets.confirm import ConfirmDialog
    from tui.widgets.copy_as import CopyAsDialog
    from tui.widgets.prompt import PromptInput

    sources: list[tuple[str, object]] = [
        ("Everywhere", SwitchboardApp),
        ("Playground", PlaygroundScreen),
        ("Prompt", PromptInput),
        ("Focused pane", Pane),
        ("Endpoints", EndpointsScreen),
        ("Endpoint detail", EndpointDetailScreen),
        ("Endpoint editor", EndpointEditorScreen),
        ("Editor: served entity", EntitySection),
        ("Editor: key field", SecretRow),
        ("Editor: JSON view", JsonEditor),
        ("Secret picker", SecretPicker),
        ("Secrets", SecretsScreen),
        ("Secret dialogs", SecretDialog),
        ("Store a secret", PutSecretDialog),
        ("Rate limits", RateLimitsScreen),
        ("Limit and gateway dialogs", FormDialog),
        ("Test endpoint", ProbeDialog),
        ("Copy as", CopyAsDialog),
        ("Confirm", ConfirmDialog),
        ("Endpoint picker (ctrl+o)", EndpointPicker),
        ("History (ctrl+r)", HistoryScreen),
        ("Pane parameters (F7)", PaneParamsScreen),
        ("Code blocks (c)", CodeBlockPicker),
        ("JSON view", JsonViewScreen),
        ("This help", HelpScreen),
    ]
    groups = []
    for title, source in sources:
        bindings = [b for b in getattr(source, "BINDINGS", []) if isinstance(b, Binding) and b.id]
        groups.append((title, bindings))
    return groups


def key_rows(remapped: Mapping[str, str]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(place, [(keys as typed, action, binding id)]) for every place with keys, remapped keys as remapped."""
    groups = []
    for title, bindings in binding_groups():
        rows = []
        for binding in bindings:
            keys = remapped.get(binding.id or "", binding.key)
            shown = ", ".join(format_key(k.strip()) for k in keys.split(","))  # "+", not "plus"
            rows.append((shown, binding.tooltip or binding.description, binding.id or ""))
        if rows:
            groups.append((title, rows))
    return groups


def known_binding_ids() -> set[str]:
    return {b.id for _, bindings in binding_groups() for b in bindings if b.id}
