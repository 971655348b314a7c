"""Pydantic models of the Databricks JSON and the standard query schemas; no I/O, no UI."""
