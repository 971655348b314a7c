"""The Textual app, grouped by feature. Imported only when the app opens, so CLI commands start fast.

- the shell: ``app`` (the App, its screens by function key), ``keys`` (every key, for help and the
  palette), ``commands``, ``help``, ``launch`` and the ``demo``/``screenshots`` entry points;
- ``playground``: the side-by-side screen, its panes, the endpoint picker and its dialogs;
- ``manage``: the endpoints, secrets and rate-limit screens and the JSON view.

Widgets that belong to no feature (stream view, splitter, prompt, tables) are in :mod:`tui.widgets`.
Features reach the workspace only through ``workspace_of`` and never import the shell.
"""
