"""Copy some text in one of several forms: a list of the forms, a read-only preview of the chosen one, copy.

Generic: the caller hands it ``{label: text}`` (and each label's language, for highlighting) and the
dialog knows nothing of what the texts are. Labels and texts are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static, TextArea
from textual.widgets.text_area import LanguageDoesNotExist

from tui import clipboard
from tui.domain.text import printable


class CopyAsDialog(ModalScreen[None]):
    """Up/down picks a form, Enter or c copies it (the dialog stays open for another), Esc closes."""

    DEFAULT_CSS = """
    CopyAsDialog {
        align: center middle;
        & > #copy-as-box {
            width: 90%;
            height: 90%;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
        & #copy-as-title { text-style: bold; }
        & #copy-as-body { height: 1fr; margin: 1 0 0 0; }
        & #copy-as-formats { width: 40; height: 1fr; margin: 0 1 0 0; }
        & #copy-as-preview { width: 1fr; height: 1fr; }
        & #copy-as-hint { color: $text-muted; }
    }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="copy-as-close"),
        Binding("enter,c", "copy", "Copy", id="copy-as-copy"),
    ]

    def __init__(self, title: str, snippets: Mapping[str, str], *, languages: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._title = title
        self._snippets = dict(snippets)
        self._languages = dict(languages or {})
        self._labels = list(self._snippets)

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-as-box"):
            yield Label(printable(self._title), id="copy-as-title", markup=False)
            with Horizontal(id="copy-as-body"):
                yield OptionList(*(Content(printable(label)) for label in self._labels), id="copy-as-formats")
                yield TextArea("", read_only=True, id="copy-as-preview")
            hint = "Enter or c copies the chosen form · Esc closes" if self._labels else "Nothing to copy · Esc closes"
            yield Static(hint, id="copy-as-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        formats = self.query_one("#copy-as-formats", OptionList)
        if self._labels:
            formats.highlighted = 0
            self._preview(0)
        formats.focus()

    @property
    def chosen(self) -> str | None:
        """The label of the form the list points at."""
        index = self.query_one("#copy-as-formats", OptionList).highlighted
        return self._labels[index] if index is not None and index < len(self._labels) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._preview(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy()

    def _preview(self, index: int) -> None:
        label = self._labels[index]
        preview = self.query_one("#copy-as-preview", TextArea)
        try:
            preview.language = self._languages.get(label)
        except LanguageDoesNotExist:  # highlighting is a nicety: plain text without the grammar
            preview.language = None
        preview.load_text(printable(self._snippets[label]))

    def action_copy(self) -> None:
        label = self.chosen
        if label is None:
            self.notify("Nothing to copy", severity="warning", markup=False)
            return
        result = clipboard.copy_text(self._snippets[label], app=self.app, settings=getattr(self.app, "settings", None))
        self.notify(f"{printable(label)}: {result.message}", severity=result.severity, markup=False)
