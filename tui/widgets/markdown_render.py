"""Rendering markdown into lines at one width with one set of styles, for StreamView.

rich's Markdown renderer with the view's theme-derived styles and syntax theme, a markdown-it parser
configured as rich's (so block boundaries agree with what rich renders), and cached pygments lexers.
Imported lazily by ``stream_view.render``: loading markdown-it and pygments is a noticeable part of start-up.
"""

from __future__ import annotations

import re
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound
from rich._wrap import divide_line  # rich's own line breaker (private; the tests compare our rows with rich's)
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.text import Text
from rich.theme import Theme

Row = list[Segment]
"""One rendered line."""

_NO_STYLE = Style()

_ONE_CELL = frozenset(
    character
    for first, last in ((0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x482), (0x2010, 0x205E))  # Latin, Greek, Cyrillic,
    for character in map(chr, range(first, last + 1))  # punctuation (dashes, quotes, ellipsis)
    if character.isprintable() and cell_len(character) == 1
)
"""Characters rich gives one cell each, and which are neither combining nor zero-width nor control: in a text of
these only, a character is a cell (`RenderContext.one_cell_line` relies on it)."""

_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})

# The parser configuration rich's Markdown uses, so block boundaries agree with what rich renders.
PARSER = MarkdownIt().enable("strikethrough").enable("table")
SPLITTER = MarkdownIt().enable("strikethrough").enable("table").disable(["inline", "text_join"])
"""The same block rules without inline parsing, for splitting an answer into blocks (about twice as fast);
used by one thread only (see `stream_view.render.start_final`)."""

_LEXERS: dict[str, Lexer] = {}

_INLINE_MARK = re.compile(r"[*_`\[\]!<&\\~|]")
"""What may start inline markdown (emphasis, code, links, images, HTML, entities, escapes, strikethrough) or a
table row: a paragraph without any is plain text."""


def plain_paragraph(source: str) -> list[str] | None:
    """The lines of ``source`` when markdown reads it as one paragraph of plain text, else None.

    Each line starts with a letter (no block marker, no indent), ends without white space (no hard break) and
    holds nothing that may start inline markdown. Rich renders such a paragraph as its lines joined by spaces.
    """
    lines = source.split("\n")
    for line in lines:
        if not line or not line[0].isalpha() or line != line.strip() or not line.isprintable():
            return None
        if _INLINE_MARK.search(line):
            return None
    return lines


_LIST_ITEM = re.compile(r"(?:([-*+])|(\d{1,9})([.)])) (.*)")


def plain_list(source: str) -> tuple[int | None, list[str]] | None:
    """A list of one-line items of plain text (each as a `plain_paragraph` line): its start number (None for
    bullets) and its items' texts, else None.

    Every line is an item, with one space after the marker, and all markers the same (bullets) or all ending
    the same (numbers): markdown reads it as one tight list.
    """
    start: int | None = None
    items: list[str] = []
    kind = ""
    for line in source.split("\n"):
        match = _LIST_ITEM.fullmatch(line)
        if match is None:
            return None
        bullet, number, delimiter, text = match.groups()
        if kind != (bullet or delimiter) and items:
            return None
        if not items and number is not None:
            start = int(number)
        kind = bullet or delimiter
        if plain_paragraph(text) is None:
            return None
        items.append(text)
    return start, items


WARM_LEXERS = ("python", "bash", "json", "javascript", "typescript", "sql")
"""The languages answers show most, whose lexers `warm_lexers` makes ahead of use: pygments compiles a lexer's
rules on its first use (python: ~40 ms here), which would stall the frame that shows the first fence."""


def warm_lexers() -> None:
    """Make the lexers of `WARM_LEXERS` now (the app does it in its warm-up thread)."""
    for name in WARM_LEXERS:
        _get_lexer(name)


def _get_lexer(name: str) -> Lexer:
    lexer = _LEXERS.get(name)
    if lexer is None:
        try:
            lexer = get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=4)
        except ClassNotFound:
            lexer = TextLexer()
        _LEXERS[name] = lexer
    return lexer


class RenderContext:
    """Everything needed to render at one width with one set of styles."""

    def __init__(self, console: Console, width: int, theme: Theme, code_theme: str, fence_bg: str | None) -> None:
        self.console = console
        self.width = width
        self.theme = theme
        self.syntax_theme: SyntaxTheme = Syntax.get_theme(code_theme)
        self.fence_bg = fence_bg
        self.options: ConsoleOptions = console.options.update(width=width, height=None, highlight=False, markup=False)
        pad_style = Style(bgcolor=fence_bg) if fence_bg else Style()
        self.fence_pad: Row = [Segment(" " * width, pad_style)]
        with console.use_theme(theme):  # the styles rich's Markdown gives a paragraph's text and a list's parts

            def get(name: str) -> Style:
                return console.get_style(name, default="none")

            base = get("none")
            self.paragraph_style = base + get("markdown.paragraph")
            item = base + get("markdown.item")
            # (mark, item, item text) styles of a bulleted (False) and a numbered (True) list
            self.list_styles = {
                number: (
                    get(f"markdown.item.{'number' if number else 'bullet'}"),
                    item,
                    item + get("markdown.paragraph"),
                )
                for number in (False, True)
            }

    def syntax(self, code: str, lexer: str, padding: int | tuple[int, int]) -> Syntax:
        return Syntax(
            code,
            _get_lexer(lexer),
            theme=self.syntax_theme,
            word_wrap=True,
            padding=padding,
            background_color=self.fence_bg,
        )

    def code_lines(self, code: str, lexer: str) -> list[Row]:
        """Code lines without the fence's top/bottom padding lines: the rows rich renders for
        ``syntax(code, lexer, (0, 1))``.

        With a fence background (the view always has one), they are built from rich's own highlighted text, line
        by line, without the layers of rich's Syntax, Padding and Segments in between: ~1.5x as fast at 16
        columns, ~1.8x at 78 (pygments' lexing is most of what is left). `tests/widgets/test_code_lines.py`
        compares them with rich's, segment by segment.
        """
        syntax = self.syntax(code, lexer, (0, 1))
        code_width = self.width - 2
        background = syntax.background_style
        if not background or code_width < 1:
            return self.console.render_lines(syntax, self.options, pad=True)
        console = self.console
        ends_on_newline, processed = syntax._process_code(code)  # rich's (private; see the tests)
        pad = Segment(" ", syntax._get_base_style())
        apply_style = Segment.apply_style
        rows: list[Row] = []
        for line in syntax.highlight(processed).split("\n", allow_blank=ends_on_newline):
            pieces = [line] if line.cell_len <= code_width else line.wrap(console, code_width, overflow="fold")
            for piece in pieces:
                row = [pad, *(part for part in apply_style(piece.render(console, end=""), background) if part.text)]
                cells = piece.cell_len
                if cells < code_width:
                    row.append(Segment(" " * (code_width - cells), background))
                row.append(pad)
                rows.append(row)
        return rows

    def fence(self, code: str, lexer: str) -> list[Row]:
        """A whole code fence: the same lines rich's Markdown renders for it."""
        return [self.fence_pad, *self.code_lines(code.rstrip(), lexer), self.fence_pad]

    def markdown(self, source: str) -> tuple[list[Row], bool, bool]:
        """Render markdown. Returns the lines, whether they start with a blank line of their own, and
        whether a blank line goes between them and the next block.

        A plain paragraph (most of an answer) skips the parser and rich's Markdown: the same text, in the same
        style and pieces, rendered directly (~1.5x as fast), and a one-line one of one-cell characters is wrapped
        with rich's own line breaker and no `Text` at all (~5x: 40-55 us against 220-280 at 23 and 80 columns).
        So is a list of such one-line items (~11x: 52-56 us against 585-632 for the simulator's 3-4 items).
        `tests/widgets/test_markdown_render.py` compares each with rich's Markdown, segment by segment.
        """
        lines = plain_paragraph(source)
        if lines is not None:
            return self.paragraph(lines), False, True
        listed = plain_list(source)
        rows = self.one_cell_list(*listed) if listed is not None else None
        if rows is not None:
            return rows, True, True
        return self.rich_markdown(source)

    def paragraph(self, lines: list[str]) -> list[Row]:
        """The rows rich renders for a `plain_paragraph`'s lines."""
        if len(lines) == 1 and _ONE_CELL.issuperset(lines[0]):
            return self.one_cell_line(lines[0], self.width, self.paragraph_style)
        text = Text(justify="left")
        style = self.paragraph_style
        text.append(lines[0], style)
        for line in lines[1:]:
            text.append(" ", style)  # a soft line break, as rich renders it
            text.append(line, style)
        return self.console.render_lines(text, self.options, pad=True)

    def one_cell_list(self, start: int | None, items: list[str]) -> list[Row] | None:
        """The rows rich renders for a `plain_list`: a blank line, then each item's paragraph rows behind its bullet
        or number, as rich's list items. None (rich's way) when an item has a character not one cell wide, or
        when the list is too narrow for its marks."""
        if not all(map(_ONE_CELL.issuperset, items)):
            return None
        if start is None:
            marks = [" • "] * len(items)
        else:
            mark_width = len(str(start + len(items))) + 2  # rich sizes the numbers for one past the last
            marks = [f"{start + index}".rjust(mark_width - 1) + " " for index in range(len(items))]
        width = self.width - len(marks[0])
        if width < 1:
            return None
        mark_style, item_style, text_style = self.list_styles[start is not None]
        pad = Segment(" " * len(marks[0]), mark_style)
        rows: list[Row] = [[Segment(" " * self.width)]]
        for mark, item in zip(marks, items, strict=True):
            first = [Segment(mark, mark_style)]
            for row in self.one_cell_line(item, width, text_style):
                if item_style:  # rich styles the item's lines with the item's style on top
                    row = [Segment(text, item_style + style) for text, style, _ in row]
                rows.append([*(first or [pad]), *row])
                first = []
        return rows

    @staticmethod
    def one_cell_line(text: str, width: int, style: Style) -> list[Row]:
        """The rows rich renders for a one-line plain paragraph of characters one cell wide each, in ``style`` at
        ``width``: wrapped where rich wraps it, cropped and padded to the width as rich does, in the same
        segments."""
        rows: list[Row] = []
        start = 0
        for end in [*divide_line(text, width), len(text)]:
            line = text[start:end][:width]  # rich drops what is beyond the width (spaces, or a folded word's rest)
            start = end
            pad = width - len(line)
            if not style:  # rich's text and padding come out as one unstyled segment
                rows.append([Segment(line + " " * pad)])
            elif pad:
                rows.append([Segment(line, style), Segment(" " * pad, _NO_STYLE)])
            else:
                rows.append([Segment(line, style)])
        return rows

    def rich_markdown(self, source: str) -> tuple[list[Row], bool, bool]:
        """`markdown` for any source: parsed, and rendered by rich's Markdown.

        rich puts a blank line before a top-level element when the element closed last (at any depth)
        asks for one: so always before a list, quote or table (their items close first), before other
        blocks unless nothing or a rule (which draws its own blank line) precedes them.
        """
        document = _Markdown(source, self)
        with self.console.use_theme(self.theme):
            rows = self.console.render_lines(document, self.options, pad=True)
        tops = [token for token in document.parsed if token.level == 0 and token.nesting >= 0]
        lead_own = bool(tops) and tops[0].type in _CONTAINERS
        sep_after = not tops or tops[-1].type != "hr"
        return rows, lead_own, sep_after


class _FenceCodeBlock(CodeBlock):
    """rich's code block, with the view's syntax theme and theme-derived background."""

    ctx: RenderContext

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        block.ctx = markdown.ctx  # type: ignore[attr-defined]
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.ctx.syntax(str(self.text).rstrip(), self.lexer_name, 1)


class _Markdown(Markdown):
    elements: ClassVar = {**Markdown.elements, "fence": _FenceCodeBlock, "code_block": _FenceCodeBlock}

    def __init__(self, source: str, ctx: RenderContext) -> None:
        # Markdown.__init__ builds a new parser per document; reuse one (same configuration).
        self.markup = source
        self.parsed = PARSER.parse(source)
        self.code_theme = "ansi_dark"
        self.justify = None
        self.style = "none"
        self.hyperlinks = False
        self.inline_code_lexer = None
        self.inline_code_theme = "ansi_dark"
        self.ctx = ctx
