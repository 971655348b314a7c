"""The end-of-run comparison as a table: one row per measure, one column per endpoint, the best starred."""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.domain.text import printable
from tui.playground.compare import Summary, headline, notes
from tui.widgets.strip_caches import BoundedDict

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
            RenderedOnce(
                Group(Text(headline(summary), style="bold"), _table(summary), *(Text(line) for line in notes(summary)))
            )
        )


class RenderedOnce:
    """A rich renderable rendered once per width (and console options that change its segments), then replayed.
    For renderables whose lines do not depend on the height they are given, as a table's and a text's don't.

    Rich renders a table of 8 endpoints in ~8 ms, and Textual renders a height-auto widget's content several times
    in the one layout that shows it (its width, its height, with and without a scrollbar, then its lines), all
    while the screen waits. The last four renders are kept (a resize drag goes through many widths).
    """

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner
        self._segments = BoundedDict()  # options -> list[Segment]
        self._measures = BoundedDict()  # (min_width, max_width) -> Measurement

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key = (options.min_width, options.max_width)
        measure = self._measures.get(key)
        if measure is None:
            measure = self._measures[key] = Measurement.get(console, options, self.inner)
        return measure

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (
            options.min_width,
            options.max_width,
            options.justify,
            options.overflow,
            options.no_wrap,
            options.highlight,
            options.markup,
            console.color_system,
        )
        segments = self._segments.get(key)
        if segments is None:
            segments = self._segments[key] = list(console.render(self.inner, options))
        yield from segments


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
