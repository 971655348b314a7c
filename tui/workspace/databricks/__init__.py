"""The Databricks backend: a :class:`~tui.workspace.protocol.Workspace` over the Databricks REST API."""
