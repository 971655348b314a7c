"""The Switchboard app: four places (playground, endpoints, secrets, rate limits), one workspace.

Every action has a binding with an id (remappable in ``config.toml`` under ``keymap``), shows in
the footer and in the command palette; the help screen lists them all.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.app.commands import SwitchboardCommands
from tui.app.messages import OpenInPlayground
from tui.domain.text import printable
from tui.gc_policy import install_gc_policy
from tui.settings import Settings, SettingsError, save_setting
from tui.themes import LoadedThemes, register_themes
from tui.workspace.protocol import Workspace

PLACES = {
    "playground": "Playground",
    "endpoints": "Endpoints",
    "secrets": "Secrets",
    "limits": "Rate limits",
}


def _screen(name: str) -> type[Screen[None]]:
    """Screens are imported when first shown, so the app paints its first screen sooner."""
    if name == "playground":
        from tui.app.playground.screen import PlaygroundScreen

        return PlaygroundScreen
    if name == "endpoints":
        from tui.app.manage.endpoints import EndpointsScreen

        return EndpointsScreen
    if name == "secrets":
        from tui.app.manage.secrets import SecretsScreen

        return SecretsScreen
    from tui.app.manage.rate_limits import RateLimitsScreen

    return RateLimitsScreen


class SwitchboardApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Switchboard"
    MODES = {name: (lambda n=name: _screen(n)()) for name in PLACES}  # type: ignore[misc]
    DEFAULT_MODE = "playground"
    COMMANDS = App.COMMANDS | {SwitchboardCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("f2", "switch_mode('playground')", "Playground", id="go-playground", priority=True),
        Binding("f3", "switch_mode('endpoints')", "Endpoints", id="go-endpoints", priority=True),
        Binding("f4", "switch_mode('secrets')", "Secrets", id="go-secrets", priority=True),
        Binding("f5", "switch_mode('limits')", "Limits", id="go-limits", priority=True),
        Binding("ctrl+t", "change_theme", "Theme", id="theme", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        settings: Settings | None = None,
        *,
        demo: bool = False,
        themes: LoadedThemes | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings or Settings()
        self.demo = demo
        self._themes = themes
        self._notes = list(notes)
        host = self.settings.hostname or socket.gethostname().split(".")[0]
        where = "demo workspace · simulated endpoints" if demo else workspace.label
        self.sub_title = printable(f"{where} · {workspace.user}@{host}")
        self._choose_theme()  # before the first styling, so the stylesheet is not parsed twice

    def _choose_theme(self) -> None:
        if self._themes is not None:
            register_themes(self, self._themes)
            for path, reason in self._themes.failed:
                self._notes.append(f"Theme file {path} was not loaded: {reason}")
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
            return
        default = Settings.model_fields["theme"].default
        if default in self.available_themes:
            self.theme = default
        self._notes.append(f"Theme '{self.settings.theme}' is not installed; using {self.theme}.")

    def notify(self, message: str, *, title: str = "", **kwargs: Any) -> None:
        """Every notification, from every screen: its text is made printable first (it often quotes a
        provider's message, a name or a path)."""
        super().notify(printable(message), title=printable(title), **kwargs)

    def on_mount(self) -> None:
        self._apply_keymap()
        for note in self._notes:
            self.notify(note, severity="warning", timeout=8, markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        install_gc_policy()  # it collects once: ~25 ms better spent after the first screen is up
        self._warm_up()

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        """Load the provider path and the markdown renderer off the event loop once the first screen
        is up, so the first answer neither freezes the screen nor waits for imports."""
        from tui.widgets.stream_view import preload_renderer

        self.workspace.warm_up()
        preload_renderer()

    def _apply_keymap(self) -> None:
        keymap = dict(self.settings.keymap)
        if not keymap:
            return
        from tui.app.keys import known_binding_ids

        unknown = sorted(set(keymap) - known_binding_ids())
        for binding_id in unknown:
            self._notes.append(f"keymap: no binding has the id '{binding_id}' (F1 lists them)")
            keymap.pop(binding_id)
        self.set_keymap(keymap)

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if not name or self.demo or name == self.settings.theme:
            return
        try:
            save_setting("theme", name)
            self.settings = self.settings.model_copy(update={"theme": name})
        except SettingsError as err:
            self.notify(f"Theme not remembered: {err}", severity="warning", markup=False)

    def action_help(self) -> None:
        from tui.app.help import HelpScreen

        if isinstance(self.screen, HelpScreen):  # F1 again closes it
            self.screen.dismiss()
        else:
            from tui.app.keys import key_rows

            self.push_screen(HelpScreen(key_rows(dict(self.settings.keymap))))

    async def on_open_in_playground(self, message: OpenInPlayground) -> None:
        from tui.app.playground.screen import PlaygroundScreen

        await self.switch_mode("playground")
        if isinstance(self.screen, PlaygroundScreen):
            self.screen.open_endpoints(message.endpoints)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, title in PLACES.items():
            if mode != self.current_mode:
                yield SystemCommand(f"Go to {title}", f"Show the {title} screen", lambda m=mode: self.switch_mode(m))
        yield SystemCommand("Help", "All keys and what they do", self.action_help)

    async def on_unmount(self) -> None:
        await self.workspace.aclose()
