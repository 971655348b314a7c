"""Hostile text through the app: answers and provider errors carrying escape sequences and markup are
shown with their control characters made visible; the frames the app writes to the terminal, the
clipboard, the exports and history never carry a raw sequence; credentials echoed back stay redacted."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.app import finished, focused, pane, panes, send, wait_until
from tests.security.canaries import (
    CANARIES,
    PLAIN_CANARY,
    SECRET_CANARY,
    stored_canary_places,
)
from tests.security.hostile import ESCAPES, HostileServer
from tui.app.playground.history import HistoryScreen
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.text import has_control, printable

# what ESCAPES would put on the wire if it passed raw, with the text around each sequence
RAW = ("A\x1b[2JB", "\x1b]0;sb-pwned", "\x1b]52;c;c2ItcHduZWQ=", "D\x9b2JE", "E\x07", "\x1b[10;10H[bold")
SHOWN = "␛]0;sb-pwned-title"  # the title sequence, made visible


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What reached the system clipboard (the real copy path runs; only pyperclip is stood in for)."""
    texts: list[str] = []

    def record(text: str) -> None:
        texts.append(text)

    monkeypatch.setattr("tui.clipboard._pyperclip_copy", record)
    return texts


def history_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM history").fetchone()[0])


def frame(app: Any) -> str:
    """Exactly what the app would write to the terminal to paint the current screen in full."""
    return app.screen._compositor.render_full_update().render_segments(app.console)


def assert_no_raw(text: str) -> None:
    for sequence in RAW:
        assert sequence not in text, f"raw {sequence!r} reached the output"


def endpoint(
    name: str, base: str, *, provider: str = "custom", credential: dict[str, Any] | None = None
) -> CreateServingEndpoint:
    if provider == "anthropic":
        key, config = "anthropic_config", {"anthropic_api_key": "{{secrets/k/key}}", "anthropic_api_base": f"{base}/v1"}
        model = "claude-3-5-haiku-20241022"
    else:
        auth = credential or {"bearer_token_auth": {"token": "{{secrets/k/key}}"}}
        key, config, model = "custom_provider_config", {"custom_provider_url": f"{base}/v1", **auth}, "hostile-model"
    external = {"name": model, "provider": provider, "task": "llm/v1/chat", key: config}
    body = {"name": name, "config": {"served_entities": [{"name": "primary", "external_model": external}]}}
    return parse_user_input(CreateServingEndpoint, body, "endpoint")


@pytest.fixture
async def hostile_app(make_app: Any, hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)  # exports land here
    async with make_app(populate_workspace=False) as (app, pilot):
        ws = app.workspace
        await ws.create_scope("k")
        await ws.put_secret("k", "key", SECRET_CANARY.encode())
        plaintext = {"api_key_auth": {"key": "x-team-header", "value_plaintext": PLAIN_CANARY}}
        for ep in (
            endpoint("answers", hostile.base("escapes")),
            endpoint("bad-request", hostile.base("escape400")),
            endpoint("bad-gateway", hostile.base("escape502"), provider="anthropic"),
            endpoint("echo-answer", hostile.base("echoanswer"), credential=plaintext),
            endpoint("echo-stream", hostile.base("echostream"), provider="anthropic"),
            endpoint("echo-401", hostile.base("echo401"), credential=plaintext),
        ):
            await ws.create_endpoint(ep)
        await app.screen.load_endpoints(preselect=False).wait()
        yield app, pilot


async def test_hostile_answers_and_errors_are_shown_not_obeyed(
    hostile_app: Any, copied: list[str], tmp_path: Path
) -> None:
    app, pilot = hostile_app
    await app.screen.use_endpoints(["answers", "bad-request", "bad-gateway"])
    await send(app, pilot, "hello")
    await wait_until(pilot, lambda: finished(app), seconds=20)
    answers, bad_request, bad_gateway = (pane(app, n) for n in ("answers", "bad-request", "bad-gateway"))
    assert SHOWN in answers.view.text and "\x1b" not in answers.view.text
    for failed in (bad_request, bad_gateway):
        error = str(failed.query_one(".pane-error").render())
        assert "␛[2J" in error and "[bold red]not bold[/]" in error  # visible, and markup shown as typed
        assert_no_raw(error)
    screen = frame(app)
    assert_no_raw(screen)
    assert "␛[2J" in screen

    await focused(pilot, answers.view)
    await pilot.press("y")
    assert copied and SHOWN in copied[0]
    assert_no_raw(copied[0])

    app.notify(f"A provider said: {ESCAPES}", title=ESCAPES)
    await pilot.pause(0.2)
    assert_no_raw(frame(app))
    for note in app._notifications:
        assert_no_raw(note.title + note.message)

    await pilot.press("f6")
    exports = list(tmp_path.glob("switchboard-*"))
    assert len(exports) == 2
    for path in exports:
        assert_no_raw(path.read_text(encoding="utf-8"))
    assert SHOWN in next(p for p in exports if p.suffix == ".md").read_text(encoding="utf-8")

    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    await pilot.pause(0.2)
    assert_no_raw(frame(app))
    assert app.is_running


async def test_echoed_credentials_stay_out_of_panes_exports_and_history(
    hostile_app: Any, copied: list[str], tmp_path: Path
) -> None:
    app, pilot = hostile_app
    names = ["echo-answer", "echo-stream", "echo-401"]
    await app.screen.use_endpoints(names)
    await send(app, pilot, "repeat my key")
    await wait_until(pilot, lambda: finished(app), seconds=20)
    shown = [p.view.text + str(p.query_one(".pane-error").render()) for p in panes(app)]
    assert all("[REDACTED]" in text for text in shown)  # each provider did echo, and was blanked out
    await focused(pilot, pane(app, "echo-answer").view)
    await pilot.press("y")
    await pilot.press("f6")
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    await pilot.pause(0.2)
    written = [frame(app), *shown, *copied, *(p.read_text(encoding="utf-8") for p in tmp_path.glob("switchboard-*"))]
    for canary in CANARIES:
        assert not any(canary in text for text in written), f"{canary} was shown or written"
    assert len(copied) == 1 and len(list(tmp_path.glob("switchboard-*"))) == 2
    stores = list(tmp_path.glob("*.db"))
    assert stores and all(stored_canary_places(db) <= {"secrets.value", "endpoints.doc"} for db in stores)
    assert any(history_rows(db) for db in stores)  # the comparison was kept, without the keys


async def test_a_pasted_escape_sequence_in_the_prompt_is_shown_not_obeyed() -> None:
    """A TextArea draws its text as it is: the prompt keeps control characters out of it on the way in."""
    from textual.app import App, ComposeResult

    from tui.widgets.prompt import PromptInput

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield PromptInput(id="prompt")

    app = Host()
    async with app.run_test() as pilot:
        prompt = app.query_one(PromptInput)
        prompt.insert("a\x1b]0;pwned\x07b\x9b2J\r\nline two")
        shown = printable("a\x1b]0;pwned\x07b\x9b2J") + "\nline two"
        await wait_until(pilot, lambda: prompt.text == shown)
        assert "␛]0;pwned" in prompt.text
        assert not has_control(prompt.text.replace("\n", ""))
