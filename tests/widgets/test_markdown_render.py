"""`tui.widgets.markdown_render`: a plain paragraph, rendered without the parser and rich's Markdown, gives the
very lines rich's Markdown gives; anything markdown could read otherwise takes rich's way."""

from __future__ import annotations

import random
from typing import Any

import pytest
from rich.console import Console
from rich.style import Style
from rich.theme import Theme

from tui.widgets.markdown_render import PARSER, RenderContext, plain_list, plain_paragraph

WORDS = [
    "the",
    "answer",
    "is",
    "déjà",
    "vu",
    "日本語の",
    "文章",
    "x" * 30,
    "end.",
    "(see",
    "this)",
    "a,",
    "B:",
    "42",
    "#3",
]
THEMES = [
    Theme({}),
    Theme({"markdown.paragraph": Style(color="#8899aa", italic=True)}),
    Theme(
        {"markdown.item": Style(bold=True), "markdown.item.bullet": Style(color="red"), "markdown.item.number": Style()}
    ),
]


def context(width: int, theme: Theme) -> RenderContext:
    console = Console(width=200, color_system="truecolor", force_terminal=True, theme=theme)
    return RenderContext(console, width, theme, "ansi_dark", "#202020")


def random_paragraph(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 3)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 25))]
        words[0] = rng.choice(["Then", "ünd", "so", "Ωmega", "日本"])  # a line starts with a letter
        lines.append(" ".join(words))
    return "\n".join(lines)


def read_as_markdown(source: str) -> list[str] | None:
    """The text pieces when markdown-it reads ``source`` as one paragraph of text and soft breaks, else None."""
    tokens = PARSER.parse(source)
    if [t.type for t in tokens] != ["paragraph_open", "inline", "paragraph_close"]:
        return None
    children = tokens[1].children or []
    if any(child.type not in ("text", "softbreak") for child in children):
        return None
    return [child.content for child in children if child.type == "text"]


def test_a_plain_paragraph_renders_as_rich_renders_it() -> None:
    rng = random.Random(11)
    for theme in THEMES:
        for width in (8, 23, 40, 80, 137):
            ctx = context(width, theme)
            for _ in range(60):
                source = random_paragraph(rng)
                assert plain_paragraph(source) is not None, source
                assert ctx.markdown(source) == ctx.rich_markdown(source), (width, source)


@pytest.mark.parametrize(
    "source",
    [
        "Some *emphasis* here",
        "Some `code` here",
        "A [link](http://x) here",
        "An ![image](i.png)",
        "A <b>tag</b> and &amp; entity",
        "An escaped \\* star",
        "Struck ~~through~~",
        "a | b",
        "Hard break  \nnext",
        "Title\n=====",
        "Title\n-----",
        "# Heading",
        "- item",
        "1. item",
        "> quote",
        "    indented code",
        "Two paragraphs\n\nhere",
        "Trailing space ",
        "Tab\there",
        "Para\n- a list after",
        "Para\n# a heading after",
        "Para\n> a quote after",
        "Para\n```\ncode\n```",
        "",
    ],
)
def test_what_markdown_may_read_otherwise_takes_rich_s_way(source: str) -> None:
    assert plain_paragraph(source) is None


def agrees_with_the_parser(seed: int, pieces: list[str], longest: int, taken: Any, read: Any) -> None:
    """On 20,000 random sources of up to ``longest`` ``pieces``: whatever ``taken`` reads, the parser (``read``)
    reads the same; and some are taken (the check is not vacuous)."""
    rng = random.Random(seed)
    accepted = 0
    for _ in range(20_000):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(1, longest)))
        ours = taken(source)
        if ours is not None:
            accepted += 1
            assert read(source) == ours, repr(source)
    assert accepted > 300


def test_what_is_taken_for_plain_is_plain_to_the_parser() -> None:
    agrees_with_the_parser(5, list("ab  \n*_`[]!<>&\\~|#-+=.1)\t:é日"), 12, plain_paragraph, read_as_markdown)


def random_one_cell_line(rng: random.Random) -> str:
    choices = [
        "a",
        "to",
        "word",
        "answer,",
        "x" * rng.randint(1, 60),
        "(it)",
        "42.",
        "A",
        "naïve",
        "—",
        "it’s",
        "Ωμέγα",
    ]
    words = [rng.choice(choices) for _ in range(40)]
    spaces = [rng.choice([" ", " ", " ", "  ", "   "]) for _ in words]
    line = "".join(w + s for w, s in zip(words[: rng.randint(1, 40)], spaces, strict=False)).strip()
    return "T" + line


def test_a_one_line_paragraph_of_one_cell_characters_renders_as_rich_renders_it() -> None:
    rng = random.Random(23)
    for theme in THEMES:
        for width in (1, 2, 5, 8, 23, 40, 80, 137):
            ctx = context(width, theme)
            for _ in range(40):
                source = random_one_cell_line(rng)[: rng.choice([30, 200])].rstrip()
                assert plain_paragraph(source) == [source], source
                assert ctx.one_cell_line(source, width, ctx.paragraph_style) == ctx.rich_markdown(source)[0], (
                    width,
                    source,
                )
                assert ctx.markdown(source) == ctx.rich_markdown(source), (width, source)


def random_list(rng: random.Random) -> str:
    items = [random_one_cell_line(rng)[: rng.randint(1, 90)].rstrip() for _ in range(rng.randint(1, 12))]
    if rng.random() < 0.5:
        marker = rng.choice("-*+")
        return "\n".join(f"{marker} {item}" for item in items)
    start, delimiter = rng.choice([0, 1, 3, 9, 98, 123456789]), rng.choice(".)")
    return "\n".join(f"{start + rng.choice([0, index])}{delimiter} {item}" for index, item in enumerate(items))


def test_a_list_of_one_line_items_renders_as_rich_renders_it() -> None:
    rng = random.Random(31)
    for theme in THEMES:
        for width in (1, 3, 4, 6, 12, 23, 40, 80):
            ctx = context(width, theme)
            for _ in range(25):
                source = random_list(rng)
                listed = plain_list(source)
                assert listed is not None, source
                rows = ctx.one_cell_list(*listed)
                assert rows is not None or width < 12  # too narrow for the marks: rich's way
                assert ctx.markdown(source) == ctx.rich_markdown(source), (width, source)
                assert rows is None or (rows, True, True) == ctx.rich_markdown(source), (width, source)


def read_as_list(source: str) -> tuple[int | None, list[str]] | None:
    """What markdown-it reads in ``source`` when it is one list of items of one paragraph of text each."""
    tokens = PARSER.parse(source)
    if not tokens or tokens[0].type not in ("bullet_list_open", "ordered_list_open") or tokens[0].level != 0:
        return None
    if [t.type for t in tokens if t.level == 0][1:] != [tokens[0].type.replace("open", "close")]:
        return None  # more than the one list
    items = []
    for item in (t for t in tokens if t.type == "inline"):
        if any(child.type != "text" for child in item.children or []):
            return None
        items.append(item.content)
    if sum(t.type == "paragraph_open" for t in tokens) != len(items) or any(t.level > 3 for t in tokens):
        return None
    start = int(tokens[0].attrs.get("start", 1)) if tokens[0].type == "ordered_list_open" else None
    return start, items


@pytest.mark.parametrize(
    "source",
    ["- a\n* b", "1. a\n2) b", "- *a*", "- # a", "- > a", "- - a", "* * *", "-  a", "- a\n  b", "1.a", "- a\n\n- b"],
)
def test_what_is_not_one_plain_list_takes_rich_s_way(source: str) -> None:
    assert plain_list(source) is None


def test_what_is_taken_for_a_plain_list_is_one_to_the_parser() -> None:
    pieces = ["- ", "* ", "1. ", "2) ", "10. ", "a", "b c", "\n", " ", "#", "*", "-", "x."]
    agrees_with_the_parser(8, pieces, 8, plain_list, read_as_list)
