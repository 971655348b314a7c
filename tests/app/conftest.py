"""The app tests' clipboard stand-in (the app and its simulator come from ``tests.helpers.app_fixtures``)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app copied, in order, instead of reaching a clipboard."""
    texts: list[str] = []

    class Result:
        message = "Copied"
        severity = "information"

    def fake_copy(text: str, **kwargs: Any) -> Result:
        texts.append(text)
        return Result()

    monkeypatch.setattr("tui.clipboard.copy_text", fake_copy)
    monkeypatch.setattr("tui.app.manage.json_view.copy_text", fake_copy)
    return texts
