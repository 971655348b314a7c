"""Saving one setting to ``config.toml`` (:func:`save_setting`): validated first, the file's comments and
layout kept where possible, written atomically with private permissions."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tui import locations
from tui.settings.models import Settings
from tui.settings.names import dotted, message, short, suggest
from tui.settings.toml_text import TomlError, dumps_toml, parse_toml, toml_key, toml_value


class SettingsError(Exception):
    """:func:`save_setting` could not save: the message says why, and nothing was written."""


def save_setting(key: str, value: Any, *, path: Path | None = None) -> Path:
    """Set one top-level setting in the config file, keeping the others (and, for a plain value, the
    file's comments and layout). ``None`` removes the key, so the default applies again.

    The value is validated first. The file is replaced atomically (temporary file + ``os.replace``),
    with mode 0600 in a directory of mode 0700. If ``config.toml`` is a symlink, the file it points
    to is replaced and the link kept (that file's directory is left as it is).

    Args:
        key: A top-level setting, e.g. ``"theme"``.
        value: Its new value: a plain value, a dict for a section, or ``None``.
        path: The config file (default: ``locations.config_file()``).

    Returns:
        The file written.

    Raises:
        SettingsError: Unknown key, invalid value, an existing file that is not valid TOML (it is left
            untouched rather than overwritten), or the file cannot be written.
    """
    path = locations.config_file() if path is None else Path(path)
    if key not in Settings.model_fields:
        suggestion = suggest(key, ())
        hint = f" (did you mean {dotted(suggestion)!r}?)" if suggestion else ""
        raise SettingsError(f"Unknown setting {key!r}{hint}.")
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_unset=True)  # what the caller chose, not every default
    if value is not None:
        try:
            Settings.model_validate({key: value})
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {message(e)}" for e in err.errors(include_url=False)
            )
            raise SettingsError(f"Cannot save {key} = {short(value)}: {problems}.") from None

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(
            f"Cannot read {path} ({getattr(err, 'strerror', None) or err}); nothing was saved."
        ) from None
    try:
        current = parse_toml(text)
    except TomlError as err:
        raise SettingsError(f"{path} is not valid TOML ({err}); fix or remove it first. Nothing was saved.") from None

    wanted = dict(current)
    if value is None:
        wanted.pop(key, None)
    else:
        wanted[key] = value

    new_text = _edit_top_level_line(text, key, value) if not isinstance(value, Mapping) else None
    if new_text is None or not _parses_to(new_text, wanted):
        new_text = dumps_toml(wanted)
    # a symlinked config.toml (dotfiles) stays a symlink: the file it points to is replaced instead
    target = path.resolve() if path.is_symlink() else path
    try:
        _atomic_write(target, new_text, private_dir=target.parent == path.parent)
    except OSError as err:
        raise SettingsError(f"Cannot write {path} ({err.strerror or err}); nothing was saved.") from None
    return path


_TABLE_HEADER = re.compile(r"\s*\[")


def _edit_top_level_line(text: str, key: str, value: Any) -> str | None:
    """Replace, add or remove the ``key = ...`` line among the top-level keys; None if unsure."""
    try:
        new_line = None if value is None else f"{toml_key(key)} = {toml_value(value)}"
    except TypeError:
        return None
    lines = text.splitlines()
    first_table = next((i for i, line in enumerate(lines) if _TABLE_HEADER.match(line)), len(lines))
    assignment = re.compile(rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    for i in range(first_table):
        if assignment.match(lines[i]):
            if new_line is None:
                del lines[i]
            else:
                lines[i] = new_line
            break
    else:
        if new_line is None:
            return text
        at = first_table
        while at > 0 and lines[at - 1].lstrip().startswith("#") and at < len(lines):
            at -= 1  # keep a table's leading comment attached to it
        while at > 0 and not lines[at - 1].strip() and at < len(lines):
            at -= 1
        lines.insert(at, new_line)
    return "\n".join(lines) + "\n"


def _parses_to(text: str, wanted: dict[str, Any]) -> bool:
    """Whether the edited ``text`` reads back as exactly ``wanted`` (else the whole file is rewritten)."""
    try:
        return parse_toml(text) == wanted
    except TomlError:
        return False


def _atomic_write(path: Path, text: str, *, private_dir: bool = True) -> None:
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if private_dir:
        with contextlib.suppress(OSError):  # not ours to change; the file itself is still 0600
            os.chmod(directory, 0o700)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
