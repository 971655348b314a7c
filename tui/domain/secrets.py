"""Secret scopes and secret metadata as the Databricks Secrets API returns them (never values)."""

from __future__ import annotations

from tui.domain.base import DatabricksModel


class SecretScope(DatabricksModel):
    name: str
    backend_type: str | None = "DATABRICKS"


class SecretMetadata(DatabricksModel):
    key: str
    last_updated_timestamp: int | None = None
