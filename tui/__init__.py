"""Switchboard: a terminal app for external model endpoints."""

__version__ = "0.1.0"
