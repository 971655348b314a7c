"""Canary credentials, the hostile provider and a CLI runner that keeps everything it printed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import make_app, simulator  # noqa: F401 (the app fixtures, for the app injection tests)
from tests.cli_runner import Cli
from tests.security.hostile import HostileServer, hostile_server

SECRET_CANARY = "canary-secret-3b8d41f2e7"
PLAIN_CANARY = "canary-plain-9c2e77a1d4"
CANARIES = (SECRET_CANARY, PLAIN_CANARY)
SECRET_REF = "{{secrets/canary/key}}"


@pytest.fixture
def cli(workspace_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    # short timeouts: the hostile server and the simulator's stall faults must not hold a test for long
    monkeypatch.setenv("SWITCHBOARD_TIMEOUTS__READ", "3")
    monkeypatch.setenv("SWITCHBOARD_TIMEOUTS__IDLE", "0.5")
    return Cli(workspace_file, capsys, monkeypatch)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many fuzz cases this process checked (in a run without xdist: all of them), to be quoted."""
    from tests.security.test_fuzz import CASES

    if CASES:
        terminalreporter.write_line(f"fuzz: {sum(CASES.values())} cases checked: {dict(sorted(CASES.items()))}")


def stored_canary_places(db: Path) -> set[str]:
    """``table.column`` of every stored value that holds a canary."""
    places = set()
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            for row in conn.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row):
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
