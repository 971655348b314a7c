"""Shell text for "copy as": every word quoted for a POSIX shell, secrets left to environment variables.

Names, models and URLs come from outside, so each word is quoted whole (``shlex.quote``) and nothing in it
can start a command, expand a variable or end the line. The one thing a snippet wants the shell to
expand is a credential's environment variable; it is marked with :meth:`ShellWords.env` while the
text is built and spliced in, double-quoted, only when the word is quoted. The marker carries a
random nonce, so text from outside cannot forge one.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
from collections.abc import Sequence
from typing import Any

from tui.domain.text import printable
from tui.manage.copy_as_provider import Direct, http_call

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
CONTINUATION = " \\\n  "


class ShellWords:
    """Quotes shell words; :meth:`env` marks where an environment variable goes inside one."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(8)
        self._marker = re.compile(rf"@@{self._nonce}:([A-Z0-9_]+)@@")

    def env(self, name: str) -> str:
        """A stand-in for ``$name`` inside text given to :meth:`word`."""
        if not ENV_NAME.fullmatch(name):
            raise ValueError(f"not an environment variable name: {name!r}")
        return f"@@{self._nonce}:{name}@@"

    def word(self, text: str) -> str:
        """``text`` as one shell word: literal parts single-quoted, environment variables ``"$NAME"``."""
        parts = self._marker.split(text)  # literal, name, literal, name, ..., literal
        out = []
        for i, part in enumerate(parts):
            if i % 2:
                out.append(f'"${part}"')
            elif part:
                out.append(shlex.quote(printable(part)))  # a control character is shown, never sent raw
        return "".join(out) or "''"

    def command(self, words: Sequence[str], options: Sequence[tuple[str, str]]) -> str:
        """``words`` then each option flag and its value, one option a line; every word and value quoted."""
        lines = [" ".join(map(self.word, words)), *(f"{flag} {self.word(value)}" for flag, value in options)]
        return CONTINUATION.join(lines)


def as_json(body: Any) -> str:
    """``body`` as JSON for a shell word. ``ensure_ascii`` escapes every control and non-ASCII character,
    so the text is plain printable ASCII whatever the body holds."""
    return json.dumps(body, indent=2, ensure_ascii=True)


def curl_snippet(target: Direct, task: str, request: dict[str, Any], notes: Sequence[str]) -> str:
    """``request`` sent straight to the provider with curl; ``notes`` are comment lines put first."""
    words = ShellWords()
    url, headers, body = http_call(target, task, request, words.env)
    options = [*(("-H", f"{name}: {value}") for name, value in headers), ("--data-raw", as_json(body))]
    return "\n".join([*notes, words.command(["curl", "-sS", url], options), ""])
