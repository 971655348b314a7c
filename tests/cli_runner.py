"""``switchboard`` run in-process on one workspace file, as a script would run it, keeping what it printed."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.cli.main import main


class Cli:
    """Runs ``switchboard`` in-process against one workspace file; ``transcript`` keeps every output."""

    def __init__(self, workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.workspace = workspace
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.transcript: list[str] = []

    def __call__(self, *args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
        """Exit code, stdout and stderr. ``stdin`` as bytes comes with a ``buffer``, as a real stream does."""
        if stdin is not None:
            stream = (
                io.StringIO(stdin) if isinstance(stdin, str) else io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
            )
            self.monkeypatch.setattr(sys, "stdin", stream)
        code = main(["--workspace", str(self.workspace), *args])
        out, err = self.capsys.readouterr()
        self.transcript += [out, err]
        return code, out, err

    def json(self, *args: str, stdin: str | bytes | None = None) -> object:
        code, out, err = self(*args, stdin=stdin)
        assert code == 0, err
        return json.loads(out)

    def create(self, body: dict[str, Any]) -> None:
        """Create an endpoint, which must succeed."""
        code, _out, err = self("serving-endpoints", "create", "--json", json.dumps(body))
        assert code == 0, err
