"""StreamView: a Line-API widget that shows a markdown answer while it streams in, at a cost per update
that tracks the new text rather than the whole answer.

How it works
    * `append()` only buffers text and asks the app-wide `RenderTicker` for a turn.
    * On its turn (at most 30 times a second, within a time budget shared by all views) the view moves the
      buffered text into its *tail* (the not-yet-finished end of the answer) and splits finished blocks
      off it: a block ends at a blank line followed by a non-indented line, before and after an ATX
      heading, and before a top-level code fence and after its closing fence. Blank lines inside an open
      fence never end a block, so an open fence is the tail until it closes.
    * Finished blocks are rendered once, at the pane width, into lines (rich's Markdown renderer, with
      markdown styles taken from this widget's component classes, i.e. from the theme). Only the tail is
      re-rendered on later turns. An open code fence is rendered incrementally: completed code lines are
      rendered once as a chunk, only the partial last line is re-rendered; the fence is re-highlighted as
      a whole (exactly) when budget allows after it closes.
    * The display is the concatenation of the blocks' lines (with the blank lines rich would put between
      them) plus the tail's. A change rebuilds the line list only from the first changed block and
      repaints only the lines that differ; the scroll range grows without a screen re-layout (see
      `scrolling`). Lines are kept as plain lists of segments; the `Strip`s Textual paints are
      made on demand for the lines on screen (see `lines.make_strip`), which keeps the garbage
      collector's work small.
    * `finish()` re-splits the whole answer with markdown-it (so loose lists, reference-style links defined
      later etc. get their full context), re-renders only the blocks whose source or context changed (the
      rest is reused), and swaps the result in at once. The result is the same as rendering the whole
      answer with rich in one go. When no other view is streaming, the GC policy then runs (see
      `render_ticker` and `tui.gc_policy`).
    * A width or theme change re-renders cached blocks (visible ones first, within budget); until a block is
      re-rendered its old lines are shown cropped/padded. If the user has scrolled up, the first visible
      line stays in place.
    * The rendered lines carry the offsets Textual's text selection uses; `get_selection` returns the
      rendered text (what is on screen), `text` the raw markdown and `code_blocks()` the fenced code.

Where it lives
    `blocks`    the block model: raw text, the incremental block splitter, the final pass's split.
    `render`    rendering blocks and the tail into lines: the hand-off to `tui.widgets.markdown_render`.
    `lines`     the display lines built from the blocks' lines, and the strips painted from them.
    `scrolling` following the bottom, and a scroll range that grows without a screen re-layout.
    `widget`    the widget: public API, the ticker's turn, selection.

Nothing here uses private Textual API.
"""

from tui.widgets.stream_view.render import preload_renderer
from tui.widgets.stream_view.widget import StreamView

__all__ = ["StreamView", "preload_renderer"]
