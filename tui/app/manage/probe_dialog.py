"""Test an endpoint: one tiny request, and whether its key, URL and model work (status, time, the provider's words).

The test runs in a worker as soon as the dialog opens; Esc cancels a running test (and closes the dialog
once none runs), r runs it again. Everything shown from outside is plain text.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, LoadingIndicator, Static
from textual.worker import Worker

from tui.app.workspace_of import workspace_of
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.text import printable
from tui.manage.probe import PROBE_TEXT, ProbeResult, probe_endpoint, probe_subject


class ProbeDialog(ModalScreen[None]):
    """Tests ``endpoint`` on opening; dismisses with None."""

    CSS_PATH = "probe_dialog.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel test", id="probe-cancel"),
        Binding("escape", "close", "Close", id="probe-close"),
        Binding("r", "run", "Test again", id="probe-again"),
    ]

    def __init__(self, endpoint: ServingEndpointDetailed) -> None:
        super().__init__()
        self._endpoint = endpoint
        self._worker: Worker[None] | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="probe-box"):
            yield Label(printable(f"Test {self._endpoint.name}"), id="probe-title", markup=False)
            yield Static(
                f"{probe_subject(self._endpoint)}: sends {PROBE_TEXT!r} and asks for one token",
                id="probe-subject",
                markup=False,
            )
            with Horizontal(id="probe-running"):
                yield LoadingIndicator(id="probe-spinner")
                yield Static("Testing…", id="probe-testing")
            yield Static("", id="probe-status", markup=False)
            yield Static("", id="probe-message", markup=False)
            yield Static("r tests again · Esc cancels a running test, else closes", id="probe-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.action_run()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc is "Cancel test" while one runs and "Close" otherwise; r waits for the running test."""
        if action == "cancel":
            return self.running
        if action in ("close", "run"):
            return not self.running
        return True

    def action_run(self) -> None:
        self._show_running(True)
        self._worker = self._probe()

    def action_cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._show_running(False)
        self._show_status("■ Cancelled: r tests again", "", "-cancelled")

    def action_close(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self) -> None:
        try:
            result = await probe_endpoint(workspace_of(self), self._endpoint)
        except Exception as err:  # a test that cannot run says why, in words; never a traceback
            result = ProbeResult(False, "INTERNAL_ERROR", 0.0, f"The test could not run: {type(err).__name__}: {err}")
        self._show_running(False)
        mark = "✓" if result.ok else "✗"
        self._show_status(f"{mark} {result.summary}", result.message, "-ok" if result.ok else "-error")

    def _show_running(self, running: bool) -> None:
        self.running = running
        self.query_one("#probe-running").display = running
        if running:
            self._show_status("", "", "")
        self.refresh_bindings()

    def _show_status(self, status: str, message: str, state: str) -> None:
        box = self.query_one("#probe-box")
        for name in ("-ok", "-error", "-cancelled"):
            box.set_class(name == state, name)
        self.query_one("#probe-status", Static).update(printable(status))
        self.query_one("#probe-message", Static).update(printable(message))
