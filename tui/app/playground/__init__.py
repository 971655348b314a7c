"""The playground: the screen, its panes, the endpoint picker and the dialogs it opens (F7, history,
code blocks). What a comparison *is* lives UI-free in :mod:`tui.playground`; this package renders it."""
