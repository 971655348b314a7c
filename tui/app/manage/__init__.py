"""Managing the workspace: endpoints (F3), secret scopes (F4), rate limits (F5) and the JSON view."""
