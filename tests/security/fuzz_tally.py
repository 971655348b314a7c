"""How many fuzz cases each test ran: counted by ``test_fuzz``, reported by the conftest at the end."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()
"""Cases run, by test, for the report at the end."""
