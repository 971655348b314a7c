"""Widgets that belong to no one feature, each with its own styles (``DEFAULT_CSS``).

`stream_view.StreamView` renders a streaming markdown answer cheaply (a Line-API scroll view that renders
finished blocks once and re-renders only the open tail); `render_ticker` holds the one app-wide refresh
ticker that drives every StreamView (the garbage-collector policy it hands idle moments to is
`tui.gc_policy`). `splitter`, `prompt` and `tables` are small pieces the app's features compose.
"""
