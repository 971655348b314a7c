"""Rendering markdown into lines at one width with one set of styles, for StreamView.

rich's Markdown renderer with the view's theme-derived styles and syntax theme, a markdown-it parser
configured as rich's (so block boundaries agree with what rich renders), and cached pygments lexers.
Imported lazily by ``stream_view.render``: loading markdown-it and pygments is a noticeable part of start-up.
"""

from __future__ import annotations

from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.theme import Theme

Row = list[Segment]
"""One rendered line."""

_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})

# The parser configuration rich's Markdown uses, so block boundaries agree with what rich renders.
PARSER = MarkdownIt().enable("strikethrough").enable("table")
SPLITTER = MarkdownIt().enable("strikethrough").enable("table").disable(["inline", "text_join"])
"""The same block rules without inline parsing, for splitting an answer into blocks (about twice as fast);
used by one thread only (see `stream_view.render.start_final`)."""

_LEXERS: dict[str, Lexer] = {}


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
        """Code lines without the fence's top/bottom padding lines."""
        return self.console.render_lines(self.syntax(code, lexer, (0, 1)), self.options, pad=True)

    def fence(self, code: str, lexer: str) -> list[Row]:
        """A whole code fence: the same lines rich's Markdown renders for it."""
        return [self.fence_pad, *self.code_lines(code.rstrip(), lexer), self.fence_pad]

    def markdown(self, source: str) -> tuple[list[Row], bool, bool]:
        """Render markdown. Returns the lines, whether they start with a blank line of their own, and
        whether a blank line goes between them and the next block.

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
