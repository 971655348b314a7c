"""Copying: exact OSC 52 bytes (plain, tmux, screen), pyperclip failures reported, never raised."""

from __future__ import annotations

from pathlib import Path

import pyperclip
import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from tui import clipboard
from tui.clipboard import copy_text, osc52_writes, screen_wrap
from tui.settings import ClipboardSettings, Settings

TMUX = {"TMUX": "/tmp/tmux-1000/default,1234,0", "TERM": "screen-256color"}
SCREEN = {"STY": "1234.pts-0.host", "TERM": "screen"}
NO_MECHANISM = (
    "Pyperclip could not find a copy/paste mechanism for your system. For more information, please visit "
    "https://pyperclip.readthedocs.io/en/latest/index.html#not-implemented-error"
)


class FakePyperclip:
    def __init__(self) -> None:
        self.copied: list[str] = []
        self.error: BaseException | None = None

    def copy(self, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.copied.append(text)


@pytest.fixture(autouse=True)
def system_clipboard(monkeypatch: pytest.MonkeyPatch) -> FakePyperclip:
    """Never touch the real clipboard of the machine running the tests."""
    fake = FakePyperclip()
    monkeypatch.setattr(pyperclip, "copy", fake.copy)
    return fake


@pytest.fixture
def tty(tmp_path: Path) -> Path:
    """Stands in for /dev/tty, so the bytes can be read back (and no real terminal is written to)."""
    return tmp_path / "tty"


def written(tty: Path) -> bytes:
    return tty.read_bytes()


# ---------------------------------------------------------------- the bytes


def test_plain_osc52_bytes(tty: Path, system_clipboard: FakePyperclip) -> None:
    result = copy_text("hello", env={"TERM": "xterm-256color"}, tty=tty)
    assert written(tty) == b"\x1b]52;c;aGVsbG8=\x07"
    assert result.ok and result.worked == ("osc52", "pyperclip") and result.osc52_via == "terminal"
    assert system_clipboard.copied == ["hello"]
    assert result.message == "Copied 5 characters (system clipboard; OSC 52)"


def test_unicode_is_sent_as_utf8_base64(tty: Path) -> None:
    copy_text("héllo ✓", env={}, tty=tty)
    assert written(tty) == b"\x1b]52;c;aMOpbGxvIOKckw==\x07"


def test_tmux_gets_the_plain_sequence_and_the_dcs_passthrough(tty: Path) -> None:
    result = copy_text("hello", env=TMUX, tty=tty)
    assert written(tty) == (
        b"\x1b]52;c;aGVsbG8=\x07"  # for tmux itself (set-clipboard on)
        b"\x1bPtmux;\x1b\x1b]52;c;aGVsbG8=\x07\x1b\\"  # passed through to the outer terminal
    )
    assert result.osc52_via == "tmux"
    assert result.message == "Copied 5 characters (system clipboard; OSC 52 via tmux)"


def test_screen_gets_its_dcs_in_short_chunks(tty: Path) -> None:
    copy_text("hello", env=SCREEN, tty=tty)
    assert written(tty) == b"\x1b]52;c;aGVsbG8=\x07" + b"\x1bP\x1b]52;c;aGVsbG8=\x07\x1b\\"

    payload = "A" * 200
    assert screen_wrap(payload) == (
        "\x1bP\x1b]52;c;" + "A" * 76 + "\x1b\\" + "\x1bP" + "A" * 76 + "\x1b\\" + "\x1bP" + "A" * 48 + "\x07\x1b\\"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"TERM": "xterm"}, None),
        (TMUX, "tmux"),
        ({"TMUX": "x"}, "tmux"),
        (SCREEN, "screen"),
        ({"TERM": "screen.xterm-256color"}, "screen"),
        ({"STY": "1.x"}, "screen"),
    ],
)
def test_multiplexer_detection(env: dict[str, str], expected: str | None) -> None:
    assert clipboard.detect_multiplexer(env) == expected
    assert osc52_writes("x", env)[1] == expected


def test_empty_text_sends_a_valid_sequence(tty: Path) -> None:
    result = copy_text("", env={}, tty=tty)
    assert written(tty) == b"\x1b]52;c;\x07"
    assert result.message == "Copied 0 characters (system clipboard; OSC 52)"


# ---------------------------------------------------------------- failures are reported


def test_pyperclip_failure_is_reported_not_raised(tty: Path, system_clipboard: FakePyperclip) -> None:
    system_clipboard.error = pyperclip.PyperclipException(NO_MECHANISM)
    result = copy_text("x" * 1234, env=TMUX, tty=tty)
    assert result.ok and result.worked == ("osc52",) and result.tried == ("osc52", "pyperclip")
    assert result.pyperclip_error == "no xclip, xsel or wl-copy"
    assert result.severity == "information"
    assert result.message == (
        "Copied 1,234 characters (OSC 52 via tmux; system clipboard unavailable: no xclip, xsel or wl-copy)"
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (FileNotFoundError(2, "No such file or directory"), "[Errno 2] No such file or directory"),
        (RuntimeError(), "RuntimeError"),
        (pyperclip.PyperclipTimeoutException("timed out\nmore"), "timed out"),
    ],
)
def test_any_pyperclip_exception_is_caught(
    tty: Path, system_clipboard: FakePyperclip, error: BaseException, reason: str
) -> None:
    system_clipboard.error = error
    assert copy_text("x", env={}, tty=tty).pyperclip_error == reason


def test_nothing_worked_is_an_error_result(tmp_path: Path, system_clipboard: FakePyperclip) -> None:
    system_clipboard.error = pyperclip.PyperclipException(NO_MECHANISM)
    result = copy_text("x", env={}, tty=tmp_path / "no" / "tty")
    assert not result.ok and result.worked == () and result.severity == "error"
    assert result.osc52_error is not None and result.osc52_error.startswith("no terminal (")
    assert result.message.startswith("Could not copy 1 character (OSC 52 not sent: no terminal (")
    assert result.message.endswith("; system clipboard unavailable: no xclip, xsel or wl-copy)")


def test_large_payloads_are_flagged_and_huge_ones_not_sent(
    tty: Path, system_clipboard: FakePyperclip, monkeypatch: pytest.MonkeyPatch
) -> None:
    system_clipboard.error = pyperclip.PyperclipException(NO_MECHANISM)
    big = "y" * 75_003  # base64: 100,004 bytes
    result = copy_text(big, env={}, tty=tty)
    assert result.ok and result.oversize and result.severity == "warning"
    assert "over 100 KB: the terminal may cut it short" in result.message
    assert len(written(tty)) == len("\x1b]52;c;\x07") + 100_004

    small = copy_text("y" * 75_000, env={}, tty=tty)  # base64: exactly 100,000 bytes
    assert not small.oversize and small.severity == "information"

    monkeypatch.setattr(clipboard, "OSC52_HARD_LIMIT", 1000)
    tty.unlink()
    huge = copy_text("z" * 2000, env={}, tty=tty)
    assert not tty.exists() and not huge.ok
    assert huge.osc52_error == "3 KB is too much for OSC 52"


def test_settings_turn_routes_off(tty: Path, system_clipboard: FakePyperclip) -> None:
    result = copy_text("a", settings=ClipboardSettings(osc52=False), env={}, tty=tty)
    assert not tty.exists() and result.tried == ("pyperclip",) and system_clipboard.copied == ["a"]
    assert result.message == "Copied 1 character (system clipboard)"

    result = copy_text("b", settings=Settings(clipboard=ClipboardSettings(pyperclip=False)), env={}, tty=tty)
    assert written(tty) == b"\x1b]52;c;Yg==\x07" and system_clipboard.copied == ["a"]
    assert result.tried == ("osc52",) and result.message == "Copied 1 character (OSC 52)"

    off = copy_text("c", settings=ClipboardSettings(osc52=False, pyperclip=False), env={}, tty=tty)
    assert not off.ok and off.tried == () and system_clipboard.copied == ["a"]
    assert off.message.startswith("Nothing copied: OSC 52 and the system clipboard are both turned off")


# ---------------------------------------------------------------- in the app


class CopyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("copy me")


async def test_copy_inside_a_running_app_goes_through_the_driver(
    tty: Path, system_clipboard: FakePyperclip, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CopyApp()
    async with app.run_test() as pilot:
        sent: list[str] = []
        monkeypatch.setattr(app._driver, "write", sent.append)
        system_clipboard.error = pyperclip.PyperclipException(NO_MECHANISM)
        result = copy_text("copy me", app=app, env=TMUX, tty=tty)
        assert sent == ["\x1b]52;c;Y29weSBtZQ==\x07", "\x1bPtmux;\x1b\x1b]52;c;Y29weSBtZQ==\x07\x1b\\"]
        assert not tty.exists()  # the app owns the terminal: nothing bypasses its driver
        assert app.clipboard == "copy me"  # pasting inside the app sees it too
        assert result.ok and result.osc52_via == "tmux"
        app.notify(result.message, severity=result.severity)
        await pilot.pause()


async def test_copy_with_the_real_headless_driver_does_not_crash(system_clipboard: FakePyperclip) -> None:
    app = CopyApp()
    async with app.run_test() as pilot:
        system_clipboard.error = RuntimeError("xclip exploded")
        result = copy_text("text", app=app, env={})
        await pilot.pause()
        assert result.ok and result.pyperclip_error == "xclip exploded"
        assert app.clipboard == "text"
        assert app.is_running


def test_an_app_that_is_not_running_falls_back_to_the_tty(tty: Path) -> None:
    app = CopyApp()
    result = copy_text("hi", app=app, env={}, tty=tty)
    assert written(tty) == b"\x1b]52;c;aGk=\x07" and result.ok
    assert app.clipboard == "hi"
