"""One playground pane: an endpoint's answer streaming in, its live metrics, its own conversation.

The pane runs its own worker per answer (so panes stream independently and one error stays in its
pane), feeds text to a :class:`StreamView` and numbers to :class:`StreamMetrics`, and posts
:class:`Pane.RunEnded` when an answer is over, however it ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from tui.app.playground.pane_text import STATE_ICONS, describe_embeddings, fit_parts, status_parts
from tui.app.playground.status_bar import StatusBar, line_count, typical_lines
from tui.app.workspace_of import workspace_of
from tui.domain.errors import StreamInterrupted, SwitchboardError
from tui.domain.text import markup_literal, printable
from tui.playground import clock
from tui.playground.metrics import StreamMetrics
from tui.playground.model import PaneRun, is_chat, is_embeddings
from tui.playground.turns import Turns
from tui.widgets.stream_view import StreamView

MIN_SHARE, MAX_SHARE = 0.2, 10.0  # fr: a pane never shrinks to nothing nor takes everything


STATE_CLASSES = frozenset(f"-{name}" for name in STATE_ICONS)
"""The classes a pane's state sets (one at a time)."""


class Pane(Vertical):
    """A focusable column (or row) of the playground showing one endpoint."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel pane", id="cancel-pane"),
        # plain letters work here (a pane is not a text field) and reach the app in every terminal;
        # ctrl+b is tmux's prefix and F11 is often the terminal's full screen, so they are only extras
        Binding("y,ctrl+y", "copy_answer", "Copy answer", id="copy-answer"),
        Binding("c,ctrl+b", "copy_code", "Copy code block", id="copy-code"),
        Binding("x", "copy_as", "Copy as…", id="copy-as"),
        Binding("z,f11", "toggle_maximize", "Maximise", id="maximize-pane"),
        Binding("f7", "edit_params", "Pane params", id="pane-params"),
        Binding("plus,equals_sign", "grow", "Wider", id="grow-pane", show=False),
        Binding("minus", "shrink", "Narrower", id="shrink-pane", show=False),
    ]

    ALLOW_MAXIMIZE = True  # containers default to False; a pane is the unit people maximise

    DEFAULT_CSS = """
    Pane {
        width: 1fr;
        height: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        &:focus-within { border: round $accent; }
        &.-streaming, &.-waiting { border: round $primary; }
        &.-error { border: round $error; }
        &.-done { border: round $success 60%; }
        &.-done:focus-within { border: round $accent; }
        & > .pane-title { height: 1; padding: 0 1; background: $boost; }
        /* the answer lines up with the title and the status; the scrollbar keeps the right edge */
        & > .pane-body { height: 1fr; padding: 0 0 0 1; }
        & > .pane-error { display: none; color: $error; padding: 0 1; height: auto; max-height: 5; }
        /* wraps at the end of a run, so nothing of it is lost in a narrow pane */
        & > .pane-status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }  /* STATUS_MAX_LINES */
    }
    """
    state: var[str] = var("idle")

    class RunEnded(Message):
        def __init__(self, pane: Pane) -> None:
            super().__init__()
            self.pane = pane

    class ParamsRequested(Message):
        def __init__(self, pane: Pane) -> None:
            super().__init__()
            self.pane = pane

    class CodeBlocksOffered(Message):
        """The answer has several code blocks: which one to copy is for the screen to ask."""

        def __init__(self, pane: Pane, blocks: list[str]) -> None:
            super().__init__()
            self.pane = pane
            self.blocks = blocks

    class CopyAsRequested(Message):
        """Copy the pane's last request as code (curl, Python): the screen fetches the endpoint and asks how."""

        def __init__(self, pane: Pane, request: dict[str, Any]) -> None:
            super().__init__()
            self.pane = pane
            self.request = request

    def __init__(self, endpoint: str, *, task: str, provider: str, model: str, simulated: bool) -> None:
        super().__init__(classes="pane")
        self.endpoint = endpoint
        self.pane_task = task
        self.provider = provider
        self.model = model
        self.simulated = simulated
        self.overrides: dict[str, Any] = {}
        self.conversation: list[dict[str, Any]] = []
        self.metrics = StreamMetrics()
        self.run: PaneRun | None = None
        self.limit_note = ""
        self.size_fr = 1.0
        self._worker: Worker[None] | None = None
        # Held rather than queried: a worker may update a pane that is being removed.
        self._title_bar = Static(self._title(), classes="pane-title")
        self._view = StreamView(classes="pane-body")
        self._error_box = Static("", classes="pane-error")
        self._shown_parts = self._status_parts(None)
        self._status_bar = StatusBar(fit_parts(self._shown_parts, 0), classes="pane-status")
        self._status_lines = 1  # the lines the status bar was last given (see _show_status)

    def compose(self) -> ComposeResult:
        yield self._title_bar
        yield self._view
        yield self._error_box
        yield self._status_bar

    @property
    def view(self) -> StreamView:
        return self._view

    def _title(self) -> str:
        marks = []
        if self.simulated:
            marks.append("[reverse] simulated [/]")
        if self.overrides:
            marks.append(markup_literal("⚙ " + " ".join(f"{k}={v}" for k, v in self.overrides.items())))
        if self.limit_note:
            marks.append(self.limit_note)
        model = self.model.split("@")[0]
        return (
            f"[b]{markup_literal(self.endpoint)}[/b]  [dim]{markup_literal(self.provider)} · {markup_literal(model)}[/dim]  "
            + "  ".join(marks)
        )

    def refresh_title(self) -> None:
        self._title_bar.update(self._title(), layout=False)

    def _status_parts(self, now: float | None) -> list[str]:
        run = self.metrics.snapshot(now if now is not None else clock.now(), text=False) if self.busy else self.run
        return status_parts(run, self.state)

    def tick(self, now: float) -> None:
        """Refresh the live numbers (called a few times a second by the screen while answers run)."""
        parts = self._status_parts(now)
        if parts != self._shown_parts:
            self._shown_parts = parts
            self._show_status()

    def _show_status(self, *, fit: bool = False) -> None:
        """The shown figures, broken between figures (never inside one) to fit the pane.

        A re-layout reflows and repaints every pane (Textual lays out twice: ~100 ms with eight panes here), so the
        bar never changes height when a run starts or while answers arrive: it is always at least as tall as a
        typical live status at its width (`StatusBar`), and while answers arrive it only grows (blank lines pad
        a shorter status). ``fit`` drops the lines a longer status added (on a resize, and from
        :meth:`fit_status`, which the screen calls when every pane is done, in the frame that lays out the
        comparison anyway)."""
        bar = self._status_bar
        mounted = self.is_mounted
        width = bar.content_region.width if mounted else 0
        text = fit_parts(self._shown_parts, width)
        lines = line_count(text)
        shown = self._status_lines  # not the bar's height: that lags behind until the next layout
        wanted = lines if fit else max(lines, shown)
        self._status_lines = wanted
        typical = typical_lines(width)
        height = max(wanted, typical)
        if fit and mounted:  # a resize laid the bar out with the old text, wrapped again: its height may be off
            height_changes = bar.size.height != height
        else:
            height_changes = height != max(shown, typical)
        bar.update(text + "\n" * (wanted - lines), layout=height_changes or not mounted)

    def fit_status(self) -> None:
        """Drop the blank lines a longer status added while answers arrived (see :meth:`_show_status`)."""
        self._show_status(fit=True)

    def on_resize(self) -> None:
        self._show_status(fit=True)  # the same figures, refitted: a resize reads no clock

    def watch_state(self, state: str) -> None:
        # The state classes style the pane's own border only (tests/app/test_pane_state_styles.py keeps it so):
        # restyle the pane, not its ~14 descendants as a class change would (~6 ms a pane; eight answers start
        # and end together).
        self.update_classes({name: name == f"-{state}" for name in STATE_CLASSES}, update=False)
        if self.is_attached:
            self.app.stylesheet.update_nodes([self], animate=True)

    # -- running an answer ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.state in ("waiting", "streaming")

    def start(self, request: dict[str, Any], *, user_turn: str | None) -> None:
        """Send ``request`` (already holding this pane's conversation) and stream the answer."""
        self.cancel_run()
        self._hide_error()
        view = self.view
        if is_chat(self.pane_task) and user_turn is not None:
            if view.text:
                view.append("\n\n---\n\n")
            view.append("\n".join("> " + line for line in user_turn.splitlines()) + "\n\n")
        elif not is_chat(self.pane_task):
            view.clear()
        self.metrics = StreamMetrics(
            endpoint=self.endpoint, provider=self.provider, task=self.pane_task, request=request
        )
        self.state = "waiting"
        self._shown_parts = self._status_parts(clock.now())
        self._show_status()
        self._worker = self._run(request)

    @work(exit_on_error=False)
    async def _run(self, request: dict[str, Any]) -> None:
        workspace = workspace_of(self)
        view = self.view
        self.metrics.start(clock.now())  # here, so every reading of one answer's clock is in its worker
        try:
            if is_embeddings(self.pane_task):
                answer = await workspace.query(self.endpoint, request)
                self.metrics.on_response(answer, clock.now())
                view.set_text(describe_embeddings(answer))
            else:
                turns = Turns()  # a burst must not hold the screen: see tui.playground.turns
                on_chunk = self.metrics.on_chunk  # this loop runs per token: no attribute look-ups it can spare
                first = True
                async for chunk in workspace.stream(self.endpoint, {**request, "stream": True}):
                    if turns.due():
                        await turns.pass_turn()
                    if first:
                        first = False
                        if self.state == "waiting":
                            self.state = "streaming"
                    piece = on_chunk(chunk, clock.now())
                    if piece:
                        view.append(piece)
                self.metrics.finish(clock.now())
                if (request.get("n") or 1) > 1:
                    self._append_other_choices()
                view.finish()
        except asyncio.CancelledError:
            self.metrics.cancel(clock.now())
            view.finish()
            self._end("cancelled")
            raise
        except SwitchboardError as err:
            partial = bool(self.metrics.snapshot(clock.now()).text)
            incomplete = isinstance(err, StreamInterrupted) or partial
            self.metrics.fail(err.message, err.error_code, err.retry_after, clock.now(), incomplete=incomplete)
            view.finish()
            self._show_error_text(err.error_code, err.message, err.retry_after, partial)
            self._end("error")
            return
        except Exception as err:  # an answer we could not read must not leave the pane busy forever
            message = f"Could not read the answer: {type(err).__name__}: {err}"
            self.metrics.fail(message, "INTERNAL_ERROR", None, clock.now(), incomplete=True)
            view.finish()
            self._show_error_text("INTERNAL_ERROR", message, None, bool(view.text))
            self._end("error")
            return
        self._end("done")

    def _append_other_choices(self) -> None:
        """With ``n`` > 1 the pane streams choice 1 live; the others follow it once the answer is in."""
        for number, text in enumerate(self.metrics.snapshot(clock.now()).choices[1:], start=2):
            self.view.append(f"\n\n---\n\n**Choice {number}**\n\n{text}")

    def _show_error_text(self, code: str | None, message: str, retry_after: float | None, partial: bool) -> None:
        retry = f"  Retry in {math.ceil(retry_after)} s." if retry_after else ""
        kept = "  The text received before it is kept above." if partial else ""
        self._error_box.update(
            Content.assemble((printable(code or "ERROR"), "bold"), f": {printable(message)}{retry}{kept}")
        )
        self._error_box.display = True

    def _hide_error(self) -> None:
        """Hide the error box; untouched when already hidden, since showing or hiding it lays out the screen."""
        if self._error_box.display:
            self._error_box.display = False
            self._error_box.update("")

    async def reset(self) -> None:
        """Stop any answer and forget the conversation: the pane is as new."""
        if self._worker is not None and self.busy:
            self._worker.cancel()
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await self._worker.wait()
        self.conversation.clear()
        self.view.clear()
        self.metrics = StreamMetrics()  # the last answer's text goes with it
        self.run = None
        self.state = "idle"
        self._hide_error()
        self.tick(clock.now())

    def show_run(self, run: PaneRun) -> None:
        """Show a finished run from history, as it was: text, numbers, error, and (chat) this pane's
        own conversation, from the messages its request sent."""
        self.run = run
        self.state = run.state
        if is_embeddings(self.pane_task) and run.embeddings:
            data = [{"index": i, "embedding": vector} for i, vector in enumerate(run.embeddings)]
            self.view.set_text(describe_embeddings({"data": data, "usage": run.usage}))
        else:
            self.view.set_text(run.text)
        if is_chat(self.pane_task):
            messages = run.request.get("messages") or []
            self.conversation = [dict(m) for m in messages if isinstance(m, dict) and m.get("role") != "system"]
            self._close_turn()
        if run.error_message:
            self._show_error_text(run.error_code, run.error_message, None, bool(run.text))
        else:
            self._hide_error()
        self.tick(clock.now())

    def _end(self, state: str) -> None:
        self.run = self.metrics.snapshot(clock.now())
        self.state = state
        if is_chat(self.pane_task):
            self._close_turn()
        self.tick(clock.now())
        self.post_message(self.RunEnded(self))

    def _close_turn(self) -> None:
        """Keep the conversation alternating after every answer, however it ended: the answer (or the
        part of it that arrived) becomes the assistant turn; a turn that got no text at all is
        withdrawn, so the next prompt does not send two user turns in a row (Anthropic refuses that)."""
        answer = self.run.text if self.run else ""
        if not self.conversation or self.conversation[-1].get("role") != "user":
            return
        if answer:
            self.conversation.append({"role": "assistant", "content": answer})
        else:
            self.conversation.pop()

    def cancel_run(self) -> bool:
        if not self.busy:
            return False
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
        else:  # its worker is gone without saying how it ended
            self.metrics.cancel(clock.now())
            self._end("cancelled")
        return True

    # -- actions ---------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if not self.cancel_run():
            self.notify(f"{self.endpoint}: nothing to cancel", markup=False)

    def action_copy_answer(self) -> None:
        text = self.run.choices[0] if self.run and self.run.choices else self.view.text
        self._copy(text, "answer")

    def action_copy_code(self) -> None:
        blocks = self.view.code_blocks()
        if not blocks:
            self.notify(f"{self.endpoint}: no code block in this answer", severity="warning", markup=False)
            return
        if len(blocks) == 1:
            self._copy(blocks[0], "code block")
            return
        self.post_message(self.CodeBlocksOffered(self, blocks))  # the screen asks which one

    def action_copy_as(self) -> None:
        request = self.run.request if self.run is not None and not self.busy else self.metrics.request
        if not request:
            self.notify(
                f"{self.endpoint}: send a prompt first, then copy its request", severity="warning", markup=False
            )
            return
        self.post_message(self.CopyAsRequested(self, dict(request)))

    def copy_code_block(self, blocks: list[str], choice: int) -> None:
        self._copy(blocks[choice], f"code block {choice + 1}")

    def _copy(self, text: str, what: str) -> None:
        if not text:
            self.notify("Nothing to copy yet", severity="warning", markup=False)
            return
        from tui.clipboard import copy_text

        result = copy_text(text, app=self.app, settings=getattr(self.app, "settings", None))
        self.notify(f"{self.endpoint} {what}: {result.message}", severity=result.severity, markup=False)

    def action_toggle_maximize(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        else:
            self.screen.maximize(self, container=False)
            self.notify(f"{self.endpoint} fills the screen: z restores the panes", timeout=3, markup=False)

    def action_edit_params(self) -> None:
        self.post_message(self.ParamsRequested(self))

    def set_share(self, share: float) -> None:
        """This pane's share of the row (side by side) or column (stacked), in fr units."""
        self.size_fr = max(MIN_SHARE, min(MAX_SHARE, share))
        horizontal = self.parent is not None and not self.parent.has_class("vertical")
        if horizontal:
            self.styles.width = f"{self.size_fr:g}fr"
        else:
            self.styles.height = f"{self.size_fr:g}fr"

    def _resize(self, step: int) -> None:
        self.set_share(self.size_fr + step)

    def action_grow(self) -> None:
        self._resize(1)

    def action_shrink(self) -> None:
        self._resize(-1)
