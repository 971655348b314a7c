"""The block model: the answer's raw text as finished blocks plus an open tail, split as text arrives.

A block ends at a blank line followed by a non-indented line, before and after an ATX heading, and before
a top-level code fence and after its closing fence. Blank lines inside an open fence never end a block, so
an open fence is the tail until it closes. Splitting is incremental over the tail's complete lines.
`plan_final` re-splits the whole answer with markdown-it for the final render. Rendering lives in `render`.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from typing import TYPE_CHECKING, NamedTuple

from tui.domain.pieces import TextPieces

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from tui.widgets.markdown_render import Row

_FENCE_RE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_ATX_RE = re.compile(r"#{1,6}(?:[ \t]|$)")


def _fence_open(line: str) -> re.Match[str] | None:
    match = _FENCE_RE.match(line)
    if match is None or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match


def _fence_closes(line: str, char: str, length: int) -> bool:
    stripped = line.strip()
    return len(stripped) >= length and stripped[0] == char and stripped == char * len(stripped)


def source_span(text: str, kind: str, start: int, end: int) -> tuple[int, int]:
    """Where in `text` the source of a block with raw lines `start:end` is: a markdown block without its
    leading and trailing newlines, a top-level fence's code without its fence lines and trailing space."""
    if kind != "fence":
        while start < end and text[start] == "\n":
            start += 1
        while end > start and text[end - 1] == "\n":
            end -= 1
        return start, end
    start = text.find("\n", start, end) + 1 or start  # the opening fence line dropped
    body_end = end
    while body_end > start and text[body_end - 1] == "\n":
        body_end -= 1
    end = text.rfind("\n", start, body_end) + 1 or start  # the closing fence line dropped
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def lexer_name(info: str) -> str:
    """The pygments lexer named by a fence's info string."""
    return info.strip().partition(" ")[0] or "text"


class Block:
    """A finished block of the answer and its rendering.

    A block keeps no copy of its text once rendered: `source` is dropped after the first render when the
    raw text's slice `start:end` gives it back (see `BlockModel.source_of`; the usual case), and kept only
    when it differs (a final-pass block given reference definitions, a fence markdown-it dedented). A long
    answer has thousands of small blocks: their own strings, made while streaming between short-lived
    garbage, cost as much as the text again and pinned allocator memory for good.
    """

    __slots__ = (
        "approx",
        "chunks",
        "derived",
        "end",
        "gen",
        "kind",
        "lead_own",
        "lexer",
        "lines",
        "sep_after",
        "source",
        "start",
        "strips",
        "width",
    )

    def __init__(self, start: int, end: int, kind: str, source: str | None, lexer: str = "") -> None:
        self.start = start  # offsets of the block in the raw text
        self.end = end
        self.kind = kind  # "md" or "fence" (for a fence, the source is the code)
        self.source = source  # None: the raw text's slice gives it (`BlockModel.source_of`)
        self.derived = True  # the source is the raw slice's: dropped once rendered
        self.lexer = lexer
        self.strips: list[Row] | None = None  # rendered lines, each exactly `width` cells (None: not held, see `evict`)
        self.lines = 0  # how many lines its rendering has, also while they are not held (see `evicted`)
        self.lead_own = False  # the rendering starts with its own blank line
        self.sep_after = True  # a blank line goes before the next block (unless it brings its own)
        self.width = 0
        self.gen = -1
        self.approx = False  # rendered from chunks: re-render when there is time
        self.chunks: FenceProgress | None = None

    @property
    def rendered(self) -> bool:
        """Rendered at some width: its line count is known, whether its lines are held or not."""
        return self.width > 0

    def evict(self) -> None:
        """Drop the rendered lines, keep their count (a long answer keeps only what is near the screen)."""
        if self.strips is not None and self.width > 0:
            self.strips = None


class FenceProgress:
    """The rendered part of the open code fence at the end of the tail."""

    __slots__ = ("chunks", "done_upto", "gen", "lexer", "strips", "width")

    def __init__(self, width: int, gen: int, lexer: str, code_start: int) -> None:
        self.width = width
        self.gen = gen
        self.lexer = lexer
        self.done_upto = code_start  # tail offset where unrendered code begins
        self.strips: list[Row] = []
        self.chunks = 0


class Scan:
    """Incremental block-splitter state over the tail (offsets relative to the tail)."""

    __slots__ = ("blank_at", "fence_char", "fence_info", "fence_len", "fence_top", "has_content", "in_fence", "pos")

    def __init__(self) -> None:
        self.pos = 0
        self.has_content = False
        self.blank_at = -1
        self.in_fence = False
        self.fence_top = False
        self.fence_char = "`"
        self.fence_len = 3
        self.fence_info = ""


class Spec(NamedTuple):
    """A block of the final split: where it is and what it renders."""

    start: int
    end: int
    kind: str
    source: str | None  # None: the raw slice gives it (see `Block`)
    lexer: str


class FinalJob:
    """The final pass under way, for one width, style generation and text length: the split (made in a
    thread), then its blocks, rendered a few at a time."""

    def __init__(self, split: Future[list[Spec]], width: int, gen: int, length: int) -> None:
        self.split = split
        self.blocks: list[Block] | None = None  # once the split is in
        self.width = width
        self.gen = gen
        self.length = length


class BlockModel:
    """The text received so far: buffered, split into finished blocks and the open tail.

    The tail's rendering (`tail_strips` and its width) is kept here beside the blocks' own, so that
    reopening a finished answer can turn its last block back into the tail without a blank frame.
    """

    def __init__(self) -> None:
        self.ingested = TextPieces()  # the text split into blocks and the tail so far
        self.pending: list[str] = []  # appended, not yet ingested
        self.length = 0
        self.tail = ""
        self.tail_start = 0
        self.scan = Scan()
        self.fence: FenceProgress | None = None
        self.blocks: list[Block] = []
        self.first_unrendered = 0
        self.tail_strips: list[Row] = []
        self.tail_changed = False
        self.tail_width = 0
        self.tail_lead_own = False

    @property
    def text(self) -> str:
        """The raw markdown received so far."""
        done = self.ingested.text
        return done + "".join(self.pending) if self.pending else done

    def source_of(self, block: Block) -> str:
        """What `block` renders: its own source if it keeps one, else the raw text's slice."""
        if block.source is not None:
            return block.source
        text = self.ingested.text  # a block lies in the ingested text
        first, last = source_span(text, block.kind, block.start, block.end)
        return text[first:last]

    def ingest(self) -> None:
        """Move the pending text into the tail and split finished blocks off it."""
        if self.pending:
            new = "".join(self.pending)
            self.pending.clear()
            self.ingested.append(new)
            self.tail += new
            self.tail_changed = True
            self.split_tail()

    def split_tail(self) -> None:
        """Split finished blocks off the start of the tail (incremental over complete lines)."""
        st = self.scan
        tail = self.tail
        while True:
            newline = tail.find("\n", st.pos)
            if newline < 0:
                break
            start = st.pos
            line = tail[start:newline]
            st.pos = newline + 1
            if st.in_fence:
                if _fence_closes(line, st.fence_char, st.fence_len):
                    st.in_fence = False
                    if st.fence_top:
                        self._emit(st.pos, "fence")
                        tail, st = self.tail, self.scan
                continue
            if not line.strip():
                if not st.has_content:
                    self._cut(st.pos)  # blank lines before a block belong to no block
                    tail, st = self.tail, self.scan
                elif st.blank_at < 0:
                    st.blank_at = start
                continue
            if st.blank_at >= 0:
                if line[0] in " \t":
                    st.blank_at = -1  # indented: continues the list item / indented code
                else:
                    self._emit(st.blank_at, "md", cut=start)
                    tail, st = self.tail, self.scan
                    continue  # the line starts the next block: scan it again
            match = _fence_open(line)
            if match is not None:
                indent = len(match.group(1))
                if (not st.has_content and indent <= 3) or indent == 0:
                    if st.has_content:
                        self._emit(start, "md")  # a fence interrupts the block
                        tail, st = self.tail, self.scan
                        continue
                    st.fence_top = True
                else:
                    st.fence_top = False  # a fence inside a list item: keeps blank lines inside the block
                st.in_fence = True
                st.fence_char = match.group(2)[0]
                st.fence_len = len(match.group(2))
                st.fence_info = match.group(3)
                st.has_content = True
                continue
            if line[:1] == "#" and _ATX_RE.match(line):
                if st.has_content:
                    self._emit(start, "md")
                    tail, st = self.tail, self.scan
                    continue
                self._emit(st.pos, "md")  # an ATX heading is a block of its own
                tail, st = self.tail, self.scan
                continue
            st.has_content = True
        # A blank line followed by the start of a non-indented line ends the block already.
        if st.blank_at >= 0 and not st.in_fence:
            rest = tail[st.pos : st.pos + 1]
            if rest and rest not in " \t":
                self._emit(st.blank_at, "md", cut=st.pos)

    def _cut(self, offset: int) -> None:
        self.tail = self.tail[offset:]
        self.tail_start += offset
        self.scan = Scan()
        self.tail_changed = True

    def _emit(self, end: int, kind: str, cut: int | None = None) -> None:
        tail = self.tail
        st = self.scan
        first, last = source_span(tail, kind, 0, end)
        block = Block(self.tail_start, self.tail_start + end, kind, tail[first:last])
        if kind == "fence":
            block.lexer = lexer_name(st.fence_info)
            progress = self.fence
            if progress is not None and progress.chunks:
                # Keep what was rendered while the fence streamed; render the rest as one more chunk.
                block.chunks = progress
                progress.done_upto -= first  # now relative to the code
        self.fence = None
        self.blocks.append(block)
        self._cut(end if cut is None else cut)

    def reopen(self) -> None:
        """More text after the final render: the last block becomes the tail again (its lines are shown
        until the tail is rendered again)."""
        if self.blocks:
            last = self.blocks.pop()
            self.first_unrendered = min(self.first_unrendered, len(self.blocks))
            self.tail = self.text[last.start :]
            self.tail_start = last.start
            self.tail_strips = last.strips or []
            self.tail_lead_own = last.lead_own
            self.tail_width = last.width
        self.scan = Scan()
        self.fence = None
        self.tail_changed = True
        self.split_tail()

    def swap_in(self, blocks: list[Block]) -> None:
        """Replace the streamed blocks and tail by the final pass's blocks (all rendered)."""
        self.blocks = blocks
        self.first_unrendered = len(blocks)
        self.tail = ""
        self.tail_start = self.length
        self.tail_strips = []
        self.tail_changed = False
        self.scan = Scan()
        self.fence = None


def plan_final(text: str, parser: MarkdownIt) -> list[Spec]:
    """The whole answer split by markdown-it, with reference definitions given to the blocks that may
    use them. A pure function of `text`: the final pass runs it in a thread (see `render.start_final`)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    tops: list[tuple[Token, int, int]] = []  # top-level blocks and their first and end lines
    for token in parser.parse(text):
        if token.level == 0 and token.nesting >= 0 and token.map:
            tops.append((token, token.map[0], token.map[1]))
    covered = [False] * len(lines)
    for _, first, last in tops:
        for index in range(first, last):
            covered[index] = True
    # Lines outside every block are reference definitions: give them to each block that may use them.
    references = "".join(line for line, used in zip(lines, covered, strict=False) if not used and line.strip())
    specs = []
    for token, first, last in tops:
        start, end = offsets[first], offsets[last]
        if token.type == "fence":
            code = token.content.rstrip()
            first, last = source_span(text, "fence", start, end)
            own = None if text[first:last] == code else code
            specs.append(Spec(start, end, "fence", own, lexer_name(token.info)))
        else:
            first, last = source_span(text, "md", start, end)
            source = text[first:last]
            own = f"{source}\n\n{references}" if references and "[" in source else None
            specs.append(Spec(start, end, "md", own, ""))
    return specs
