"""F2: type one prompt, watch 2–8 endpoints answer side by side, compare.

Panes stream independently (one worker each); the screen only builds each pane's request, ticks the
live numbers a few times a second, and when every pane is done shows the comparison, saves it to
history and refreshes the rate-limit notes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.app.playground.comparison import ComparisonSummary
from tui.app.playground.pane import Pane
from tui.app.playground.params_bar import ParamError, ParamsBar
from tui.app.playground.picker import EndpointChoice, EndpointPicker, default_selection
from tui.app.workspace_of import workspace_of
from tui.domain.errors import SwitchboardError
from tui.domain.simulated import is_simulated
from tui.domain.text import markup_literal
from tui.gc_policy import release_memory
from tui.playground import clock
from tui.playground.compare import summarize
from tui.playground.export import write_exports
from tui.playground.history import ComparisonHistory
from tui.playground.model import Comparison, is_chat, is_embeddings, task_kind
from tui.playground.requests import build_request, user_turn
from tui.settings import Settings
from tui.widgets.prompt import PromptInput
from tui.widgets.splitter import Splitter

RELEASE_DELAY = 0.5
"""Seconds after panes are closed or cleared before their memory is released (`release_memory`): the
screen's layout caches hold removed widgets until the next layout."""

STATUS_RATE = 4
"""Times a second the panes' live figures (tokens, speed, time) are refreshed while answers run. Each
refresh repaints the pane's status line; 4 reads as live and costs half of what 8 did."""

MIN_PANE_CELLS = 12  # dragging a splitter never makes a pane narrower (or shorter) than this

PLACEHOLDERS = {
    "chat": "Message for every pane — Enter sends, ctrl+n new line",
    "completions": "Prompt for every pane — Enter sends, ctrl+n new line",
    "embeddings": "One input per line — Enter embeds them on every pane",
}

NO_ENDPOINTS = """[b]No endpoints in this workspace yet.[/b] Set one up here, in three steps:

  1. [b]F4[/b] Secrets     press [b]n[/b] to create a scope, then [b]a[/b] to store the provider's key in it (hidden)
  2. [b]F3[/b] Endpoints   press [b]n[/b]: pick the provider and the model, and the key you stored ([b]ctrl+o[/b]);
                    [b]ctrl+s[/b] saves. [b]t[/b] then tests it with a one-token request
  3. [b]F2[/b] here        the new endpoint opens in a pane: type a message and press Enter

Rate limits are on [b]F5[/b]. No key at hand? [b]switchboard --demo[/b] has simulated endpoints.
From the shell: [b]switchboard secrets --help[/b], [b]switchboard serving-endpoints --help[/b].

F1 lists every key · ctrl+q quits"""


class PlaygroundScreen(Screen[None]):
    CSS_PATH = "screen.tcss"
    ESCAPE_TO_MINIMIZE = False  # Esc cancels the focused pane; F11 / z restore a maximised one
    BINDINGS = [
        Binding("ctrl+o", "pick", "Pick", id="pick-endpoints", tooltip="Pick endpoints to compare"),
        Binding("ctrl+k", "cancel_all", "Cancel all", id="cancel-all", priority=True),
        Binding("ctrl+l", "toggle_layout", "Layout", id="toggle-layout", show=False),
        Binding("ctrl+r", "history", "History", id="history"),
        Binding("f6", "export", "Export", id="export", priority=True),
        Binding("f8", "new_conversation", "New chat", id="new-chat"),
        Binding("ctrl+g", "focus_prompt", "Go to prompt", id="focus-prompt", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices: dict[str, EndpointChoice] = {}
        self._wanted: list[str] | None = None
        self.pane_task: str | None = None
        self.comparison: Comparison | None = None
        self._summarized: Comparison | None = None  # the comparison the summary shows, saved to history

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="endpoint-bar")
        yield Static("", id="panes-empty", classes="empty-state")
        yield Container(id="panes")
        yield ComparisonSummary("", id="summary")
        defaults = {k: v for k, v in self._defaults().items() if v is not None}
        yield ParamsBar(defaults, id="params")
        yield PromptInput(id="prompt", placeholder="")
        yield Footer()

    @property
    def _settings(self) -> Settings:
        return getattr(self.app, "settings", None) or Settings()

    def _defaults(self) -> dict[str, Any]:
        play = self._settings.playground
        return {"temperature": play.default_temperature, "max_tokens": play.default_max_tokens}

    @property
    def history(self) -> ComparisonHistory:
        return ComparisonHistory(workspace_of(self).history)

    def on_mount(self) -> None:
        if self._settings.playground.layout == "vertical":
            self.query_one("#panes").add_class("vertical")
        self.query_one("#summary").display = False
        self.set_interval(1 / STATUS_RATE, self._tick)

    def on_screen_resume(self) -> None:
        """Shown (first or again, back from another place or a dialog): load the endpoints, which may have
        been added, changed or deleted meanwhile. Pick some on its own only while it has none (at first,
        or when the first ones were just created)."""
        self.load_endpoints(preselect=not self.choices and not self.panes)

    @property
    def panes(self) -> list[Pane]:
        return list(self.query(Pane))

    # -- endpoints ---------------------------------------------------------------------------------
    def open_endpoints(self, names: list[str]) -> None:
        """Load the endpoints afresh and show ``names`` in the panes (F3's "open in playground").

        The names wait in ``_wanted`` until a load has shown them: the load the screen starts when it is
        shown again may come after this one and replace it."""
        self._wanted = names
        self.load_endpoints()

    @work(exclusive=True, group="playground-endpoints")
    async def load_endpoints(self, preselect: bool = True) -> None:
        try:
            endpoints = await workspace_of(self).list_endpoints()
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        self.choices = {}
        for e in endpoints:
            models = [s.external_model for s in (e.config.served_entities if e.config else []) if s.external_model]
            if not models or not e.task:
                continue
            self.choices[e.name] = EndpointChoice(
                e.name, e.task, models[0].provider_shown, models[0].name, is_simulated(e.tags)
            )
        if self._wanted is not None:
            await self.use_endpoints(self._wanted)
            self._wanted = None
        elif preselect and not self.panes:
            last = await asyncio.to_thread(self.history.list, "", 1)
            await self.use_endpoints(
                default_selection(list(self.choices.values()), list(last[0].endpoints) if last else [])
            )
        else:
            self._show_selection()

    def _show_selection(self) -> None:
        """The bar naming the panes, or, with no panes, what to do to get some."""
        bar = self.query_one("#endpoint-bar", Static)
        empty = self.query_one("#panes-empty", Static)
        panes = self.panes
        empty.display = not panes
        self.query_one("#panes").display = bool(panes)
        if panes:
            names = markup_literal(" · ".join(p.endpoint for p in panes))
            bar.update(
                f"[b]{task_kind(self.pane_task or '')}[/b]  {names}   [dim]ctrl+o change · ctrl+l layout · F1 keys[/dim]"
            )
        elif not self.choices:
            bar.update("[b]Playground[/b]  [dim]the panel below says how to add endpoints · F1 keys[/dim]")
            empty.update(NO_ENDPOINTS)
        else:
            bar.update("No endpoints picked")
            empty.update("Pick the endpoints to compare (up to 8): press [b]ctrl+o[/b].")

    async def use_endpoints(self, names: list[str]) -> None:
        chosen = [self.choices[n] for n in names if n in self.choices][: self._settings.playground.max_panes]
        self.minimize()  # a maximised pane is about to go
        container = self.query_one("#panes")
        await container.remove_children()
        self.set_timer(RELEASE_DELAY, release_memory, name="release-memory")  # the closed panes
        self.pane_task = chosen[0].task if chosen else None
        widgets: list[Pane | Splitter] = []
        for c in chosen:
            if widgets:
                widgets.append(Splitter())
            widgets.append(Pane(c.name, task=c.task, provider=c.provider, model=c.model, simulated=c.simulated))
        await container.mount_all(widgets)
        self.comparison = None
        self.query_one("#summary").display = False
        self.query_one("#params").display = not is_embeddings(self.pane_task or "")
        prompt = self.query_one(PromptInput)
        prompt.placeholder = PLACEHOLDERS.get(
            task_kind(self.pane_task or ""),
            "Pick endpoints first: ctrl+o" if self.choices else "No endpoints yet: see above",
        )
        self._show_selection()
        self.refresh_limits()
        prompt.focus()

    def action_pick(self) -> None:
        async def chosen(names: list[str] | None) -> None:
            if names:
                await self.use_endpoints(names)

        picker = EndpointPicker(
            list(self.choices.values()), [p.endpoint for p in self.panes], self._settings.playground.max_panes
        )
        self.app.push_screen(picker, chosen)

    @work(exclusive=True, group="playground-limits")
    async def refresh_limits(self) -> None:
        for pane in self.panes:
            try:
                status = await workspace_of(self).rate_limit_status(pane.endpoint)
            except SwitchboardError:
                continue
            if not pane.is_attached:  # the panes were replaced while we asked
                return
            notes = []
            for s in status:
                if s["calls_limit"] is not None:
                    notes.append(f"{max(0, s['calls_limit'] - s['calls'])}/{s['calls_limit']} calls left")
                if s["tokens_limit"] is not None:
                    notes.append(f"{max(0, s['tokens_limit'] - s['tokens'])} tok left")
            pane.limit_note = "[dim]limit:[/dim] " + ", ".join(notes) if notes else ""
            pane.refresh_title()

    # -- sending -------------------------------------------------------------------------------------
    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        self.send(event.text)

    def send(self, text: str) -> None:
        panes = self.panes
        if not panes:
            self.notify("Pick endpoints first (ctrl+o)", severity="warning", markup=False)
            return
        if any(p.busy for p in panes):
            self.notify(
                "Answers are still arriving: wait, or cancel them with ctrl+k", severity="warning", markup=False
            )
            return
        try:
            shared = self.query_one(ParamsBar).values() if not is_embeddings(self.pane_task or "") else {}
        except ParamError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        self.query_one("#summary").display = False
        for pane in panes:
            if is_chat(pane.pane_task):
                pane.conversation.append(user_turn(text))
            request = build_request(pane.pane_task, text, {**shared, **pane.overrides}, pane.conversation)
            pane.start(request, user_turn=text)
        self.comparison = Comparison.new(
            task=self.pane_task or "",
            system=shared.get("system"),
            # the user turns every pane got (each pane's own answers are in its run's request)
            turns=[t for t in panes[0].conversation if t["role"] == "user"] if is_chat(self.pane_task or "") else [],
            prompt=text,
            params={k: v for k, v in shared.items() if k != "system"},
            overrides={p.endpoint: dict(p.overrides) for p in panes if p.overrides},
        )
        self.query_one(PromptInput).clear()

    def _tick(self) -> None:
        now = clock.now()
        for pane in self.panes:
            if pane.busy:
                pane.tick(now)

    def on_pane_run_ended(self, event: Pane.RunEnded) -> None:
        """When the last pane is done: the comparison, shown and saved once (panes ending together post
        their RunEnded messages after all of them are done)."""
        panes = self.panes
        comparison = self.comparison
        if any(p.busy for p in panes) or comparison is None or comparison is self._summarized:
            return
        self._summarized = comparison
        comparison.panes = [p.run for p in panes if p.run is not None]
        summary = self.query_one("#summary", ComparisonSummary)
        summary.show(summarize(comparison))
        summary.display = True
        for pane in panes:
            pane.fit_status()  # in the frame that lays out the comparison anyway
        self.save_history(comparison)
        self.refresh_limits()

    @work(group="history-save")
    async def save_history(self, comparison: Comparison) -> None:
        def save() -> None:
            self.history.save(comparison)
            self.history.prune(keep=self._settings.playground.history_size)

        try:
            await asyncio.to_thread(save)
        except Exception as err:  # history is a convenience: never lose the answer over it
            self.notify(f"Could not save to history: {err}", severity="warning", markup=False)

    def on_pane_params_requested(self, event: Pane.ParamsRequested) -> None:
        from tui.app.playground.pane_params import PaneParamsScreen

        pane = event.pane

        def apply(overrides: dict[str, Any] | None) -> None:
            if overrides is not None:
                pane.overrides = overrides
                pane.refresh_title()

        self.app.push_screen(PaneParamsScreen(pane.endpoint, pane.overrides), apply)

    def on_pane_code_blocks_offered(self, event: Pane.CodeBlocksOffered) -> None:
        from tui.app.playground.code_blocks import CodeBlockPicker

        def copy(choice: int | None) -> None:
            if choice is not None:
                event.pane.copy_code_block(event.blocks, choice)

        self.app.push_screen(CodeBlockPicker(event.blocks), copy)

    @work(group="copy-as")
    async def on_pane_copy_as_requested(self, event: Pane.CopyAsRequested) -> None:
        from tui.manage.copy_as import label_languages, request_snippets
        from tui.widgets.copy_as import CopyAsDialog

        try:
            endpoint = await workspace_of(self).get_endpoint(event.pane.endpoint)
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        snippets = request_snippets(endpoint, event.request)
        title = f"Copy the last request to {endpoint.name} as"
        self.app.push_screen(CopyAsDialog(title, snippets, languages=label_languages()))

    # -- other actions -------------------------------------------------------------------------------
    def action_cancel_all(self) -> None:
        cancelled = [p.endpoint for p in self.panes if p.cancel_run()]
        self.notify(f"Cancelled {', '.join(cancelled)}" if cancelled else "Nothing is running", markup=False)

    def action_toggle_layout(self) -> None:
        container = self.query_one("#panes")
        container.toggle_class("vertical")
        for pane in self.panes:
            pane.styles.width = None
            pane.styles.height = None
            pane.size_fr = 1.0

    def on_splitter_dragged(self, event: Splitter.Dragged) -> None:
        """Move the border between the two panes around the splitter by the cells dragged."""
        container = self.query_one("#panes")
        children = list(container.children)
        index = children.index(event.splitter)
        before, after = children[index - 1], children[index + 1]
        if not isinstance(before, Pane) or not isinstance(after, Pane):
            return
        vertical = container.has_class("vertical")
        size_before = before.outer_size.height if vertical else before.outer_size.width
        size_after = after.outer_size.height if vertical else after.outer_size.width
        total = size_before + size_after
        if total <= 0:
            return
        cells = max(MIN_PANE_CELLS, min(total - MIN_PANE_CELLS, size_before + event.cells))
        shares = before.size_fr + after.size_fr
        before.set_share(shares * cells / total)
        after.set_share(shares - before.size_fr)

    def action_focus_prompt(self) -> None:
        self.query_one(PromptInput).focus()

    async def action_new_conversation(self) -> None:
        self.minimize()
        self.comparison = self._summarized = None  # so answers cancelled here are not summarised or saved
        for pane in self.panes:
            await pane.reset()
        self.query_one("#summary").display = False
        self.set_timer(RELEASE_DELAY, release_memory, name="release-memory")  # the answers just cleared
        self.notify("New conversation: every pane starts fresh", markup=False)

    def action_history(self) -> None:
        from tui.app.playground.history import HistoryScreen

        async def reopen(entry_id: str | None) -> None:
            if entry_id:
                await self.reopen(entry_id)

        self.app.push_screen(HistoryScreen(self.history), reopen)

    async def reopen(self, entry_id: str) -> None:
        try:
            comparison = await asyncio.to_thread(self.history.get, entry_id)
            existing = {e.name for e in await workspace_of(self).list_endpoints()}
        except SwitchboardError as err:
            self.notify(err.message, severity="error", markup=False)
            return
        missing = [r.endpoint for r in comparison.panes if r.endpoint not in existing]
        known = {c: self.choices[c] for c in self.choices}
        for run in comparison.panes:  # reopen even if an endpoint is gone: it is history
            known.setdefault(
                run.endpoint, EndpointChoice(run.endpoint, comparison.task, run.provider, run.model or "", False)
            )
        self.choices = known
        await self.use_endpoints([r.endpoint for r in comparison.panes])
        runs = {run.endpoint: run for run in comparison.panes}
        for pane in self.panes:
            if pane.endpoint in runs:
                pane.show_run(runs[pane.endpoint])
        self.comparison = comparison
        summary = self.query_one("#summary", ComparisonSummary)
        summary.show(summarize(comparison))
        summary.display = True
        note = f" ({', '.join(missing)} no longer exist)" if missing else ""
        self.notify(f"Reopened '{comparison.title}'{note}", markup=False)

    def action_export(self) -> None:
        comparison = self.comparison
        if comparison is None or not comparison.panes:
            self.notify(
                "Nothing to export yet: send a prompt and let the answers finish", severity="warning", markup=False
            )
            return
        configured = self._settings.playground.export_dir
        try:
            folder = Path(configured).expanduser() if configured else Path.cwd()
            md, js = write_exports(comparison, folder)
        except OSError as err:
            where = f" ({err.filename})" if err.filename else ""
            self.notify(f"Export failed: {err.strerror or err}{where}", severity="error", markup=False)
            return
        self.notify(f"Exported {md.name} and {js.name} to {folder}", markup=False)
