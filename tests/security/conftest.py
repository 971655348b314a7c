"""The hostile provider, a CLI runner that keeps everything it printed, and the fuzz report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Cli
from tests.security.fuzz_tally import CASES
from tests.security.hostile import HostileServer, hostile_server


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
    if CASES:
        terminalreporter.write_line(f"fuzz: {sum(CASES.values())} cases checked: {dict(sorted(CASES.items()))}")
