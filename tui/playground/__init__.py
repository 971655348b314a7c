"""The playground's UI-free logic: what a comparison is, how a pane's answer is measured while it
streams, how panes compare, how a comparison is exported and kept in history.

Nothing here imports Textual: the playground's screen and pane in :mod:`tui.app.playground`
drive these pieces and render what they return.
"""
