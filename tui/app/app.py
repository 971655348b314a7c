"""The Switchboard app shell.

Until the screens land this shows the workspace it opened and what it holds, and quits cleanly.
"""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from tui.workspace.local.workspace import LocalWorkspace


class SwitchboardApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Switchboard"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, workspace: LocalWorkspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.sub_title = workspace.label

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the workspace...", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.load_summary()

    @work(exclusive=True, group="summary")
    async def load_summary(self) -> None:
        scopes = await self.workspace.list_scopes()
        endpoints = await self.workspace.list_endpoints()
        lines = [
            f"Workspace: {self.workspace.label}",
            f"{len(scopes)} secret scope(s), {len(endpoints)} endpoint(s).",
            "",
            "The playground and the management screens are not built yet.",
            "Manage secrets and endpoints with `switchboard secrets ...` and",
            "`switchboard serving-endpoints ...` (add --help to either).",
        ]
        self.query_one("#summary", Static).update("\n".join(lines))

    async def on_unmount(self) -> None:
        await self.workspace.aclose()
