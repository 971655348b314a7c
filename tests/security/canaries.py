"""The canary values and where a scan finds them: in the workspace store, and in files on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SECRET_CANARY = "canary-secret-3b8d41f2e7"
PLAIN_CANARY = "canary-plain-9c2e77a1d4"
CANARIES = (SECRET_CANARY, PLAIN_CANARY)
SECRET_REF = "{{secrets/canary/key}}"


def stored_canary_places(db: Path) -> set[str]:
    """``table.column`` of every stored value that holds a canary."""
    places = set()
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row, strict=False):
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    if any(c in text for c in CANARIES):
                        places.add(f"{table}.{column}")
    return places


def files_with_canaries(root: Path, *, skip: Path) -> list[str]:
    """Every file under ``root`` (but the workspace store) that holds a canary."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.name.startswith(skip.name):
            data = path.read_bytes()
            if any(c.encode() in data for c in CANARIES):
                found.append(str(path))
    return found
