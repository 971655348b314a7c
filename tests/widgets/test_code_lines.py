"""`RenderContext.code_lines` builds a fence's code lines from rich's highlighted text, without rich's Syntax: each
row must be the very row rich's Syntax renders, segment by segment and style by style, whatever the code, the
width, the lexer or the theme."""

from __future__ import annotations

import random

import pytest
from rich.console import Console
from rich.theme import Theme

from tui.widgets.markdown_render import RenderContext

CODE = [
    'def route_line(line):\n    total = len(line) * 3\n    return {"line": line, "total": total}',
    "x = 1\n\n\ny = 'a\tb'\n",
    'x = """\nmulti\n   line with a very long string that has to wrap somewhere\n"""\n',
    "",
    "   ",
    "a" * 100,
    "a b " * 30,
    "    " + "word " * 20 + "   ",
    'echo $HOME && ls -la | grep foo  # comment\nfor f in *.txt; do cat "$f"; done',
    '{"a": [1, 2, {"b": null}], "日本語": "文章の例です", "emoji": "🙂🙂🙂"}',
    "SELECT name, count(*) FROM endpoints WHERE provider = 'openai' GROUP BY name;",
    "const f = (x) => { return `value ${x}`; } // 日本語のコメント",
    "\ttabbed\n\t\tdouble tab\n",
    "trailing spaces   \nand\u00a0no-break\u00a0spaces",
]
LEXERS = ["python", "bash", "json", "javascript", "sql", "text", "no-such-language"]
ALPHABET = "abc xyz_(){}[]'\"#:=\n\t 日本🙂é-+*/\\`$"


def context(width: int, code_theme: str) -> RenderContext:
    console = Console(width=200, color_system="truecolor", force_terminal=True)
    return RenderContext(console, width, Theme({}), code_theme, "#202020")


def rich_rows(ctx: RenderContext, code: str, lexer: str) -> list:
    """What rich's Syntax renders for a fence's code (the rows code_lines stands for)."""
    return ctx.console.render_lines(ctx.syntax(code, lexer, (0, 1)), ctx.options, pad=True)


@pytest.mark.parametrize("code_theme", ["ansi_dark", "ansi_light"])
@pytest.mark.parametrize("width", [3, 4, 9, 16, 23, 40, 79])
def test_code_lines_are_the_rows_rich_renders(width: int, code_theme: str) -> None:
    ctx = context(width, code_theme)
    for code in CODE:
        for lexer in LEXERS:
            assert ctx.code_lines(code, lexer) == rich_rows(ctx, code, lexer), (code, lexer)


def test_random_code_gives_the_rows_rich_renders() -> None:
    rng = random.Random(13)
    contexts = {width: context(width, "ansi_dark") for width in (3, 5, 12, 17, 30)}
    for _ in range(400):
        code = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        ctx = contexts[rng.choice(list(contexts))]
        lexer = rng.choice(LEXERS)
        assert ctx.code_lines(code, lexer) == rich_rows(ctx, code, lexer), (code, lexer, ctx.width)


def test_rows_fill_the_width_with_the_fence_background() -> None:
    ctx = context(16, "ansi_dark")
    rows = ctx.code_lines('print("a fairly long line of code")\n', "python")
    assert len(rows) > 1, "the line wraps"
    for row in rows:
        assert sum(len(segment.text) for segment in row) == 16
        assert all(segment.style is not None and segment.style.bgcolor is not None for segment in row)


def test_without_a_fence_background_rich_renders_the_rows() -> None:
    console = Console(width=200, color_system="truecolor", force_terminal=True)
    ctx = RenderContext(console, 20, Theme({}), "ansi_dark", None)
    code = 'def f(x):\n    return "(x)"'
    assert ctx.code_lines(code, "python") == rich_rows(ctx, code, "python")
