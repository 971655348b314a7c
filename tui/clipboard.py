"""Copying text: the one helper every copy action uses, so copy behaves the same everywhere.

:func:`copy_text` tries two routes and reports both; it never raises:

* **OSC 52**: an escape sequence asking the terminal to set its clipboard. It travels over SSH, so it
  reaches the clipboard of the machine the user sits at. Inside tmux it is sent twice: as is (tmux
  takes it when ``set-clipboard`` is ``on``) and wrapped in tmux's DCS passthrough (reaches the outer
  terminal when ``allow-passthrough`` is ``on``). Inside GNU screen it is wrapped in screen's DCS, in
  chunks short enough for screen. In the app it is written through the Textual driver, which owns the
  terminal; without an app it goes to ``/dev/tty``. Terminals do not answer, so "sent" is the most we
  can know; macOS Terminal ignores OSC 52, and many terminals cut sequences longer than about 100 KB.
* **pyperclip**: the system clipboard of the machine running Switchboard (pbcopy, xclip, xsel,
  wl-copy, ...). Missing tools are common on servers; every exception is caught and reported.

Either route can be turned off in the settings (``[clipboard] osc52 / pyperclip``).
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tui.domain.text import printable
from tui.settings import ClipboardSettings, Settings

if TYPE_CHECKING:
    from textual.app import App

OSC52_SOFT_LIMIT = 100_000
"""Base64 bytes past which many terminals (and tmux) truncate or drop an OSC 52 sequence."""

OSC52_HARD_LIMIT = 4_000_000
"""Base64 bytes past which OSC 52 is not sent at all: writing that much would stall the terminal."""

SCREEN_CHUNK = 76
"""GNU screen limits the length of one DCS string; the payload is split into chunks of this size."""

DEFAULT_TTY = "/dev/tty"

Multiplexer = Literal["tmux", "screen"]


def detect_multiplexer(env: Mapping[str, str] | None = None) -> Multiplexer | None:
    """``"tmux"`` if ``$TMUX`` is set, ``"screen"`` if ``$STY`` is set or ``$TERM`` starts with ``screen``."""
    env = os.environ if env is None else env
    if env.get("TMUX"):
        return "tmux"
    if env.get("STY") or env.get("TERM", "").startswith("screen"):
        return "screen"
    return None


def osc52_payload(text: str) -> str:
    """The base64 of ``text`` (UTF-8), as OSC 52 carries it."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def osc52_sequence(payload: str) -> str:
    """The plain OSC 52 sequence that sets the clipboard (``c``) to ``payload`` (already base64)."""
    return f"\x1b]52;c;{payload}\x07"


def tmux_wrap(sequence: str) -> str:
    """tmux's DCS passthrough: ``ESC P tmux;`` + the sequence with every ESC doubled + ``ESC \\``."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def screen_wrap(payload: str) -> str:
    """GNU screen's DCS passthrough of the OSC 52 sequence, split into chunks screen accepts."""
    chunks = [payload[i : i + SCREEN_CHUNK] for i in range(0, len(payload), SCREEN_CHUNK)] or [""]
    body = "\x1b\\\x1bP".join(chunks)
    return f"\x1bP\x1b]52;c;{body}\x07\x1b\\"


def osc52_writes(text: str, env: Mapping[str, str] | None = None) -> tuple[list[str], Multiplexer | None]:
    """Everything written to the terminal to copy ``text``, in order, and the multiplexer it is for."""
    payload = osc52_payload(text)
    plain = osc52_sequence(payload)
    multiplexer = detect_multiplexer(env)
    if multiplexer == "tmux":
        return [plain, tmux_wrap(plain)], multiplexer
    if multiplexer == "screen":
        return [plain, screen_wrap(payload)], multiplexer
    return [plain], None


@dataclass(frozen=True)
class CopyResult:
    """What :func:`copy_text` did, for a notification and for tests."""

    characters: int
    """How many characters were copied."""

    tried: tuple[str, ...]
    """The routes tried, in order: ``"osc52"``, ``"pyperclip"``."""

    worked: tuple[str, ...]
    """The routes that worked (for OSC 52: the sequence was written; the terminal does not confirm)."""

    osc52_via: str | None = None
    """How OSC 52 went out: ``"tmux"``, ``"screen"`` or ``"terminal"``; None if it was not sent."""

    osc52_error: str | None = None
    """Why OSC 52 was not sent, when it was tried."""

    oversize: bool = False
    """The OSC 52 payload is over ``OSC52_SOFT_LIMIT``: the terminal may truncate or ignore it."""

    pyperclip_error: str | None = None
    """Why the system clipboard could not be set, when it was tried."""

    message: str = ""
    """One line for a notification: ``Copied 1,234 characters (OSC 52 via tmux; ...)``."""

    @property
    def ok(self) -> bool:
        """At least one route worked."""
        return bool(self.worked)

    @property
    def severity(self) -> Literal["information", "warning", "error"]:
        """For ``App.notify``: a warning when the copy may be incomplete, an error when nothing worked."""
        if not self.ok:
            return "error"
        if self.oversize and "pyperclip" not in self.worked:
            return "warning"
        return "information"


def copy_text(
    text: str,
    *,
    app: App[object] | None = None,
    settings: ClipboardSettings | Settings | None = None,
    env: Mapping[str, str] | None = None,
    tty: str | os.PathLike[str] | None = DEFAULT_TTY,
) -> CopyResult:
    """Copy ``text`` by every enabled route; never raises.

    Args:
        text: What to copy (made printable: control characters become visible stand-ins).
        app: The running app, if any: OSC 52 goes through its driver (it owns the terminal), and the
            app's own clipboard (``App.clipboard``, used for pasting inside the app) is set too.
        settings: The clipboard settings, or the whole settings (default: both routes on).
        env: The environment, to detect tmux and screen (default: ``os.environ``).
        tty: Where to write OSC 52 when there is no running app (``None``: nowhere).

    Returns:
        What was tried, what worked, and a message to show.
    """
    if isinstance(settings, Settings):
        settings = settings.clipboard
    settings = settings or ClipboardSettings()
    text = printable(text)  # pasted into a terminal later, an answer's escape sequences would run there
    tried: list[str] = []
    worked: list[str] = []
    osc52_via: str | None = None
    osc52_error: str | None = None
    oversize = False
    pyperclip_error: str | None = None

    if app is not None:
        _set_app_clipboard(app, text)

    if settings.osc52:
        tried.append("osc52")
        writes, multiplexer = osc52_writes(text, env)
        size = len(osc52_payload(text))
        oversize = size > OSC52_SOFT_LIMIT
        if size > OSC52_HARD_LIMIT:
            osc52_error = f"{_size(size)} is too much for OSC 52"
        else:
            osc52_error = _write_terminal(writes, app, tty)
            if osc52_error is None:
                worked.append("osc52")
                osc52_via = multiplexer or "terminal"

    if settings.pyperclip:
        tried.append("pyperclip")
        pyperclip_error = _pyperclip_copy(text)
        if pyperclip_error is None:
            worked.append("pyperclip")

    return CopyResult(
        characters=len(text),
        tried=tuple(tried),
        worked=tuple(worked),
        osc52_via=osc52_via,
        osc52_error=osc52_error,
        oversize=oversize and osc52_via is not None,
        pyperclip_error=pyperclip_error,
        message=_message(len(text), tried, worked, osc52_via, osc52_error, oversize, pyperclip_error),
    )


def _set_app_clipboard(app: App[object], text: str) -> None:
    # What App.copy_to_clipboard does first. The OSC 52 it would then write is never wrapped for tmux
    # and has no size guard, so we write our own sequences through the same driver instead.
    with contextlib.suppress(Exception):  # an app-like object without it: pasting inside the app is all that is lost
        app._clipboard = text


def _write_terminal(writes: list[str], app: App[object] | None, tty: str | os.PathLike[str] | None) -> str | None:
    """Write the sequences; return why not, or None when written."""
    driver = getattr(app, "_driver", None) if app is not None else None
    if driver is not None:
        # The same path App.copy_to_clipboard uses (Textual 8.2): driver.write, which queues the data
        # for the driver's writer thread, so it cannot interleave with a frame being drawn.
        try:
            for sequence in writes:
                driver.write(sequence)
        except Exception as err:
            return f"the terminal driver refused it ({_reason(err)})"
        return None
    if tty is None:
        return "no terminal to write to"
    try:
        with open(tty, "w", encoding="ascii", newline="") as terminal:
            for sequence in writes:
                terminal.write(sequence)
    except OSError as err:
        return f"no terminal ({Path(tty)}: {err.strerror or err})"
    return None


def _pyperclip_copy(text: str) -> str | None:
    """Set the system clipboard; return why not, or None when it worked."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception as err:  # PyperclipException, FileNotFoundError, a timeout, a failing xclip, ...
        return _reason(err)
    return None


def _reason(err: BaseException) -> str:
    text = str(err).strip()
    if "could not find a copy/paste mechanism" in text:
        return "no xclip, xsel or wl-copy"
    first = text.splitlines()[0] if text else type(err).__name__
    return first if len(first) <= 80 else first[:77] + "..."


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 1_000_000 else f"{count / 1000:.0f} KB"


def _message(
    characters: int,
    tried: list[str],
    worked: list[str],
    osc52_via: str | None,
    osc52_error: str | None,
    oversize: bool,
    pyperclip_error: str | None,
) -> str:
    what = f"{characters:,} character{'' if characters == 1 else 's'}"
    if not tried:
        return f"Nothing copied: OSC 52 and the system clipboard are both turned off in the settings ({what})"
    parts: list[str] = []
    if "pyperclip" in worked:
        parts.append("system clipboard")
    if osc52_via is not None:
        route = "OSC 52" if osc52_via == "terminal" else f"OSC 52 via {osc52_via}"
        if oversize:
            route += ", over 100 KB: the terminal may cut it short"
        parts.append(route)
    elif "osc52" in tried:
        parts.append(f"OSC 52 not sent: {osc52_error}")
    if pyperclip_error is not None:
        parts.append(f"system clipboard unavailable: {pyperclip_error}")
    if worked:
        return f"Copied {what} ({'; '.join(parts)})"
    return f"Could not copy {what} ({'; '.join(parts)})"
