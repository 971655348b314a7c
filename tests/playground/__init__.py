"""Tests of the playground logic (metrics, comparison, export, history)."""
