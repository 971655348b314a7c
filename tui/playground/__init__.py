"""The playground's UI-free logic: what a comparison is, how a pane's answer is measured while it
streams, how panes compare, how a comparison is exported and kept in history.

Nothing here imports Textual: the screens and widgets in :mod:`tui.screens` and :mod:`tui.widgets`
drive these pieces and render what they return.
"""
