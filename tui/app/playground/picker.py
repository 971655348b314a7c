"""Pick the endpoints to compare (1–8, one task), from a list you can filter by typing."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from tui.domain.text import markup_literal
from tui.playground.model import is_chat

MAX_PANES = 8


@dataclass(frozen=True)
class EndpointChoice:
    name: str
    task: str
    provider: str
    model: str
    simulated: bool

    @property
    def label(self) -> str:
        sim = "  [reverse] simulated [/]" if self.simulated else ""
        return f"{markup_literal(self.name)}  [dim]{markup_literal(self.provider)} · {markup_literal(self.model.split('@')[0])} · {self.task.split('/')[-1]}[/dim]{sim}"


class EndpointPicker(ModalScreen[list[str] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="cancel-pick"),
        Binding("ctrl+o", "use", "Use selected", id="use-picked", priority=True),
        Binding("down", "to_list", "To the list", show=False),
    ]

    def __init__(self, choices: list[EndpointChoice], selected: list[str], max_panes: int = MAX_PANES) -> None:
        super().__init__()
        self._choices = choices
        self._max = max_panes
        self._selected = dict.fromkeys(selected)  # in the order picked: panes follow it

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(
                f"Pick up to {self._max} endpoints to compare: type to filter, Enter or Down to the list, Space ticks, ctrl+o uses them",
                classes="section-title",
            )
            yield Input(placeholder="type to filter by name, provider, model or task", id="picker-filter")
            yield SelectionList[str](id="picker-list")
            yield Label("", id="picker-note")
            with Horizontal(id="picker-buttons"):
                yield Button("Use selected", variant="primary", id="picker-use")
                yield Button("Cancel", id="picker-cancel")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-filter").focus()

    def action_to_list(self) -> None:
        """Down in the filter moves to the list (the list's own Down moves within it)."""
        self._focus_list()

    def _fill(self, needle: str) -> None:
        options = self.query_one(SelectionList)
        options.clear_options()
        needle = needle.lower()
        for choice in self._choices:
            haystack = f"{choice.name} {choice.provider} {choice.model} {choice.task}".lower()
            if needle in haystack:
                options.add_option(Selection(choice.label, choice.name, choice.name in self._selected))
        self._update_note()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter jumps to the first match, so typing a name then space ticks it."""
        self._focus_list()

    def _focus_list(self) -> None:
        options = self.query_one(SelectionList)
        options.focus()
        if options.option_count:
            options.highlighted = 0

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        value = str(event.selection.value)
        if value in self._selected:
            del self._selected[value]
        else:
            self._selected[value] = None
        self._update_note()

    def _problem(self) -> str | None:
        known = {c.name: c for c in self._choices}
        chosen = [known[name] for name in self._selected if name in known]
        if not chosen:
            return "Select at least one endpoint."
        if len(chosen) > self._max:
            return f"At most {self._max} panes: {len(chosen)} selected."
        tasks = {c.task for c in chosen}
        if len(tasks) > 1:
            return "Pick endpoints of one task (chat, completions or embeddings) to compare them."
        return None

    def _update_note(self) -> None:
        problem = self._problem()
        count = len(self._selected)
        self.query_one("#picker-note", Label).update(problem or f"{count} selected")
        self.query_one("#picker-use", Button).disabled = problem is not None

    def action_use(self) -> None:
        problem = self._problem()
        if problem:
            self.notify(problem, severity="warning", markup=False)
            return
        known = {c.name for c in self._choices}
        self.dismiss([name for name in self._selected if name in known])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "picker-use":
            self.action_use()
        else:
            self.dismiss(None)


def default_selection(choices: list[EndpointChoice], last_used: list[str]) -> list[str]:
    """What the playground opens with: the last comparison's endpoints while they all still exist,
    otherwise two chat endpoints of different providers (so a first look compares something)."""
    if not choices:
        return []
    names = {c.name for c in choices}
    if last_used and all(name in names for name in last_used):
        return last_used
    pool = [c for c in choices if is_chat(c.task)] or [c for c in choices if c.task == choices[0].task]
    picked: list[EndpointChoice] = []
    for choice in pool:
        if all(choice.provider != p.provider for p in picked):
            picked.append(choice)
    for choice in pool:
        if choice not in picked:
            picked.append(choice)
    return [c.name for c in picked[:2]]
