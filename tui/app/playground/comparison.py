"""The end-of-run comparison as a table: one row per measure, one column per endpoint, the best starred."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.domain.text import printable
from tui.playground.compare import Summary, headline, notes

BEST = "★"


class ComparisonSummary(Static):
    """Shows a :class:`Summary`; every name and message in it is plain text (never markup)."""

    DEFAULT_CSS = """
    ComparisonSummary {
        height: auto;
        max-height: 25%;  /* a small terminal keeps room for the answers */
        overflow-y: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    summary: Summary | None = None

    def show(self, summary: Summary) -> None:
        self.summary = summary
        self.update(
            Group(Text(headline(summary), style="bold"), _table(summary), *(Text(line) for line in notes(summary)))
        )


def _table(summary: Summary) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, header_style="bold")
    table.add_column("", style="bold", no_wrap=True)
    for label in summary.labels:
        table.add_column(Text(printable(label)), overflow="fold", justify="right")
    for metric, cells in summary.rows:
        table.add_row(metric, *(_cell(cells.get(label, "—")) for label in summary.labels))
    return table


def _cell(text: str) -> Text:
    return Text(printable(text), style="bold" if BEST in text else "")
