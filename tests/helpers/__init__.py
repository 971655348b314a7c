"""Helpers shared by test packages: imported by tests and conftests, never a test module itself."""
