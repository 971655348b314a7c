"""``switchboard serve``: a workspace behind the Databricks REST API (Starlette; imported only when serving).

It sees the workspace only through :class:`tui.workspace.protocol.Workspace`; :func:`tui.server.app.create_app`
builds the ASGI app.
"""
