"""The Switchboard app: four places (playground, endpoints, secrets, rate limits), one workspace.

Every action has a binding with an id (remappable in ``config.toml`` under ``keymap``), shows in
the footer and in the command palette; the help screen lists them all.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.app.commands import SwitchboardCommands
from tui.app.messages import FollowRollout, OpenInPlayground
from tui.app.rollouts import Rollouts
from tui.domain.text import markup_literal, printable
from tui.gc_policy import install_gc_policy
from tui.settings import Settings, SettingsError, save_setting
from tui.themes import LoadedThemes, register_themes
from tui.widgets import dirty_renders, inner_outer_cache, single_reflow, strip_caches, strip_cycles
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
        profile: str | None = None,
        local_path: str | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.profile = profile
        """The Databricks profile ``workspace`` was opened from; ``None``: the local workspace."""
        self.local_path = local_path
        """The local workspace to switch back to (``None``: the environment's or the default)."""
        self.settings = settings or Settings()
        self.demo = demo
        self._themes = themes
        self._notes = list(notes)
        self.rollouts = Rollouts(self)
        self.endpoint_changed = self.rollouts.changed
        self._show_workspace()
        self._choose_theme()  # before the first styling, so the stylesheet is not parsed twice

    def _show_workspace(self) -> None:
        """The header's sub-title: which workspace is active (profile and host, or the local path)."""
        host = self.settings.hostname or socket.gethostname().split(".")[0]
        if self.demo:
            where = "demo workspace · simulated endpoints"
        elif self.profile is not None:
            where = f"profile {self.profile} ({self.workspace.label})"
        else:
            where = self.workspace.label
        self.sub_title = printable(f"{where} · {self.workspace.user}@{host}")

    async def switch_workspace(self, profile: str | None) -> None:
        """Reopen the app on the Databricks ``profile`` (``None``: the local workspace) and rebuild the
        screens on it; a workspace that cannot be opened is a notification and the old one is kept."""
        from tui.domain.errors import SwitchboardError
        from tui.workspace.factory import open_workspace

        try:
            new = open_workspace(profile=profile, settings=self.settings) if profile else self._open_local()
        except SwitchboardError as err:
            self.notify(f"Workspace not switched: {err.message}", severity="error", markup=False)
            return
        await asyncio.to_thread(new.warm_up)  # e.g. learns a Databricks token's user, for the header
        self.rollouts.stop()
        old, self.workspace, self.profile = self.workspace, new, profile
        self._show_workspace()
        await self._rebuild_screens()
        await old.aclose()
        self.notify(f"Workspace: {self.sub_title}", markup=False)

    def _open_local(self) -> Workspace:
        """The local workspace: the ``--workspace`` path the app was started with, else
        ``$SWITCHBOARD_WORKSPACE`` or the default file; never a profile."""
        from tui.locations import workspace_path
        from tui.workspace.factory import open_workspace

        return open_workspace(workspace_path(self.local_path), settings=self.settings)

    async def _rebuild_screens(self) -> None:
        """Drop every place's screens (and what is stacked on them) so each is built again on the new
        workspace; the current place is shown again at once. Textual cannot remove the active mode, so
        a blank screen stands in for the moment."""
        current = self.current_mode
        self.add_mode("switching", Screen)
        await self.switch_mode("switching")
        for mode in PLACES:
            await self.remove_mode(mode)
            self.add_mode(mode, self.MODES[mode])
        await self.switch_mode(current)
        await self.remove_mode("switching")

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
        strip_cycles.install()  # before the first paint: no line painted ends as cyclic garbage
        strip_caches.install()  # nor makes seven small cache objects per line
        inner_outer_cache.install()  # and no closed widget's painted lines stay in Textual's cache
        dirty_renders.install()  # and a frame renders only what changed, not all under their bounding box
        single_reflow.install()  # and a layout does not ask for a second one
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

    def on_follow_rollout(self, message: FollowRollout) -> None:
        self.rollouts.follow(self.workspace, message.name)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self.demo:
            yield from self._workspace_commands()
        for mode, title in PLACES.items():
            if mode != self.current_mode:
                yield SystemCommand(f"Go to {title}", f"Show the {title} screen", lambda m=mode: self.switch_mode(m))
        yield SystemCommand("Help", "All keys and what they do", self.action_help)

    def _workspace_commands(self) -> Iterable[SystemCommand]:
        """One "Switch to workspace" command per workspace that is not the active one."""
        from tui.workspace.profiles import describe_profiles

        if self.profile is not None:
            yield SystemCommand("Switch to workspace: local", "The workspace on this machine", self._switch(None))
        for name, host in describe_profiles():
            if name != self.profile:
                yield SystemCommand(  # the palette reads titles as markup
                    markup_literal(f"Switch to workspace: profile {name} ({host})"),
                    "A Databricks workspace from ~/.databrickscfg or the environment",
                    self._switch(name),
                )

    def _switch(self, profile: str | None) -> Any:
        async def switch() -> None:
            await self.switch_workspace(profile)

        return switch

    async def on_unmount(self) -> None:
        await self.workspace.aclose()
