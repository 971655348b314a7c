"""Text from outside made safe to show: no byte of it can steer a terminal.

Answers, provider errors, names, tags and files may hold escape sequences (clear the screen, set the
window title, write the clipboard through OSC 52). :func:`printable` turns every control character
into a visible stand-in before the text reaches a screen, a notification, a file or stderr:

* C0 controls except tab and newline, and DEL, become their Unicode "control pictures" (ESC → ␛);
* C1 controls (U+0080–U+009F, U+009B is an 8-bit CSI) and the bidirectional overrides that can hide
  text (U+202A–U+202E, U+2066–U+2069) become ``\\x9b`` / ``\\u202e``;
* a lone surrogate (valid in JSON's ``"\\ud800"``, not encodable as UTF-8) becomes U+FFFD;
* a CR LF pair becomes a plain newline.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character made visible (tab and newline kept)."""
    if _UNSAFE.search(text) is None:  # the common case costs one scan
        return text
    return _UNSAFE.sub(_stand_in, text.replace("\r\n", "\n"))


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate: bytes that were not UTF-8 (argv, file names) or JSON's
    ``"\\ud800"``. No encoder can write one, so such text must be refused before anything quotes it."""
    return _SURROGATE.search(text) is not None


def has_control(text: str) -> bool:
    """True when ``text`` holds a character :func:`printable` would replace."""
    return _UNSAFE.search(text) is not None


def markup_literal(text: str) -> str:
    """``text`` made printable and literal inside Textual content markup (``[/INST]`` is shown, not read).

    Textual reads a backslash before '[' as "this bracket is literal" and keeps any backslashes before
    that one, so one backslash before every '[' is enough. Escaped text must not end right before a
    tag: a trailing backslash of its own would escape the tag.
    """
    return printable(text).replace("[", "\\[")
