"""The embedded local workspace: SQLite store, secret vault, rate limiter."""
