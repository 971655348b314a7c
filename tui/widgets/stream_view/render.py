"""Rendering blocks into lines: the hand-off to the markdown renderer (`tui.widgets.markdown_render`).

The renderer (markdown-it, pygments, rich's Markdown) is imported on first use so the app paints its first
screen without loading it. Finished blocks are rendered once at the pane width; the tail is re-rendered
when it changed; an open code fence is rendered incrementally: completed code lines are rendered once as a
chunk, only the partial last line is re-rendered, and the fence is re-highlighted as a whole (exactly)
when budget allows after it closes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache
from time import perf_counter
from types import ModuleType
from typing import TYPE_CHECKING

from rich.style import Style
from rich.theme import Theme

from tui.widgets.stream_view.blocks import (
    Block,
    BlockModel,
    FenceProgress,
    FinalJob,
    Scan,
    Spec,
    lexer_name,
    plan_final,
    source_span,
)

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui.widgets.markdown_render import RenderContext, Row


def preload_renderer() -> None:
    """Import the markdown renderer and make the common code lexers now (the app does it in a thread after its
    first paint)."""
    renderer().warm_lexers()


def renderer() -> ModuleType:
    """The markdown renderer (markdown-it, pygments, rich's Markdown), imported on first use so the app
    paints its first screen without loading it."""
    from tui.widgets import markdown_render

    return markdown_render


def style_signature(widget: Widget) -> object:
    """What the rendering depends on besides the width: a change means every block must be re-rendered."""
    get = widget.get_component_rich_style
    names = sorted(widget.COMPONENT_CLASSES)
    return (
        tuple(get(name, partial=True) for name in names),
        get("stream-view--fence"),
        get("stream-view--code"),
        widget.app.current_theme.dark,
    )


def render_context(widget: Widget, width: int) -> RenderContext:
    """Everything needed to render at `width` with the widget's markdown styles (from its component
    classes) and the theme's code colours."""
    get = widget.get_component_rich_style
    heading = {1: get("stream-view--h1", partial=True), 2: get("stream-view--h2", partial=True)}
    h3 = get("stream-view--h3", partial=True)
    code = get("stream-view--code")
    code_inline = Style(color=code.color, bgcolor=code.bgcolor, bold=code.bold)
    link = get("stream-view--link", partial=True)
    bullet = get("stream-view--bullet", partial=True)
    muted = get("stream-view--muted", partial=True)
    fence = get("stream-view--fence")
    theme = Theme(
        {
            "markdown.h1": heading[1],
            "markdown.h2": heading[2],
            "markdown.h3": h3,
            "markdown.h4": h3,
            "markdown.h5": h3,
            "markdown.h6": h3,
            "markdown.h1.border": muted,
            "markdown.code": code_inline,
            "markdown.code_block": Style(bgcolor=fence.bgcolor),
            "markdown.link": link,
            "markdown.link_url": muted,
            "markdown.item.bullet": bullet,
            "markdown.item.number": bullet,
            "markdown.block_quote": muted,
            "markdown.hr": muted,
            "markdown.table.border": muted,
            "markdown.table.header": Style(bold=True),
        },
        inherit=True,
    )
    code_theme = "ansi_dark" if widget.app.current_theme.dark else "ansi_light"
    fence_bg = fence.bgcolor.name if fence.bgcolor is not None else None
    context: RenderContext = renderer().RenderContext(widget.app.console, width, theme, code_theme, fence_bg)
    return context


def render_block(model: BlockModel, block: Block, ctx: RenderContext, gen: int) -> None:
    """Render `block` of `model` at the context's width, for style generation `gen`. A fence that streamed
    reuses its chunks and comes out `approx` (to be re-rendered exactly when there is time). A source the
    raw text gives back is dropped once rendered (see `Block`)."""
    source = model.source_of(block)
    if block.derived:
        block.source = None
    if block.kind == "fence":
        progress = block.chunks
        if progress is not None and progress.width == ctx.width and progress.gen == gen:
            # Reuse the chunks rendered while the fence streamed (lexer state restarts at each chunk,
            # so this is approximate: the whole fence is re-highlighted when there is time).
            rest = source[progress.done_upto :]
            strips = [ctx.fence_pad, *progress.strips]
            if rest:
                strips.extend(ctx.code_lines(rest, block.lexer))
            strips.append(ctx.fence_pad)
            block.approx = True
        else:
            strips = ctx.fence(source, block.lexer)
            block.approx = False
        block.chunks = None
        block.lead_own, block.sep_after = False, True
    else:
        strips, block.lead_own, block.sep_after = ctx.markdown(source)
        block.approx = False
    block.strips = strips
    block.lines = len(strips)
    block.width = ctx.width
    block.gen = gen


def render_tail(model: BlockModel, ctx: RenderContext, gen: int) -> None:
    """Render the open tail of `model` (an open top-level fence incrementally)."""
    model.tail_changed = False
    model.tail_width = ctx.width
    tail = model.tail
    st = model.scan
    model.tail_lead_own = False
    if not tail.strip():
        model.tail_strips = []
    elif st.in_fence and st.fence_top:
        model.tail_strips = _render_open_fence(model, ctx, gen, tail, st)
    else:
        model.tail_strips, model.tail_lead_own, _ = ctx.markdown(tail)


def _render_open_fence(model: BlockModel, ctx: RenderContext, gen: int, tail: str, st: Scan) -> list[Row]:
    lexer = lexer_name(st.fence_info)
    progress = model.fence
    if progress is None or progress.width != ctx.width or progress.gen != gen:
        progress = model.fence = FenceProgress(ctx.width, gen, lexer, tail.find("\n") + 1)
    complete = tail.rfind("\n") + 1
    if complete > progress.done_upto:
        progress.strips.extend(ctx.code_lines(tail[progress.done_upto : complete - 1], lexer))
        progress.chunks += 1
        progress.done_upto = complete
    partial = tail[complete:]
    strips = [ctx.fence_pad, *progress.strips]
    if partial:
        strips.extend(ctx.code_lines(partial, lexer))
    strips.append(ctx.fence_pad)
    return strips


def refresh_stale(
    model: BlockModel, ctx: RenderContext, gen: int, start: int, deadline: float, worked: bool
) -> tuple[int | None, bool]:
    """Re-render the rendered blocks made at another width or style or from chunks, from block `start` on
    (wrapping round) until `deadline`. Returns the first block re-rendered (None if none) and whether some
    may still be stale."""
    blocks = model.blocks
    count = model.first_unrendered
    if not count:
        return None, False
    start = min(count - 1, start)
    first: int | None = None
    for step in range(count):
        index = (start + step) % count
        block = blocks[index]
        if block.width == ctx.width and block.gen == gen and not block.approx:
            continue
        if worked and perf_counter() >= deadline:
            return first, True
        render_block(model, block, ctx, gen)  # exact: a block's chunks are used only by its first render
        worked = True
        first = index if first is None else min(first, index)
    return first, any(b.approx for b in blocks[:count])


def start_final(model: BlockModel, ctx: RenderContext, gen: int) -> FinalJob:
    """The final pass: the whole answer re-split with markdown-it, in a thread. The split of a long answer
    takes tens of milliseconds (10,000 tokens: ~15 ms), all of it in one call: on the event loop it would
    hold every pane's frame and the keys for that long, once per finishing pane."""
    split = _splitter().submit(plan_final, model.text, renderer().SPLITTER)
    return FinalJob(split, ctx.width, gen, model.length)


def advance_final(
    job: FinalJob, model: BlockModel, ctx: RenderContext, gen: int, deadline: float, worked: bool
) -> bool:
    """Render the final pass's blocks until `deadline`, once its split is in (waited for when there is no
    deadline); return True when all are rendered. Streamed renders whose source and context are unchanged
    are reused."""
    if job.blocks is None:
        if deadline != float("inf") and not job.split.done():
            return False
        job.blocks = _final_blocks(job.split.result(), model, ctx, gen)
    for block in job.blocks:
        if block.rendered:
            continue
        if worked and perf_counter() >= deadline:
            return False
        render_block(model, block, ctx, gen)
        worked = True
    return True


def _final_blocks(specs: list[Spec], model: BlockModel, ctx: RenderContext, gen: int) -> list[Block]:
    """The final pass's blocks; a streamed block's rendering is reused by the final block at the same
    place whose source is derived the same way (so the same text), rendered at the same width and style."""
    text = model.text
    reuse = {
        (block.kind, block.lexer, *source_span(text, block.kind, block.start, block.end)): block
        for block in model.blocks
        if block.derived and block.rendered and block.width == ctx.width and block.gen == gen and not block.approx
    }
    blocks = []
    for spec in specs:
        block = Block(spec.start, spec.end, spec.kind, spec.source, spec.lexer)
        block.derived = spec.source is None
        key = (spec.kind, spec.lexer, *source_span(text, spec.kind, spec.start, spec.end))
        old = reuse.get(key) if block.derived else None
        if old is not None:  # its lines come along whether held or not
            block.strips, block.lines, block.lead_own, block.sep_after = (
                old.strips,
                old.lines,
                old.lead_own,
                old.sep_after,
            )
            block.width, block.gen = old.width, old.gen
        blocks.append(block)
    return blocks


@cache
def _splitter() -> ThreadPoolExecutor:
    """One thread for every view's final split (they are short, and one at a time keeps the GIL fair)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-view-split")
