"""Setting names as the models define them: which exist, which one was meant, and how a problem with a
value is worded. Shared by loading (warnings) and saving (errors) so both say the same thing."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from tui.settings.models import Settings


def section_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of the section ``key`` of ``model``, or None if it is not a section."""
    field = model.model_fields.get(key)
    annotation = field.annotation if field is not None else None
    try:
        return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    except TypeError:  # a generic alias such as dict[str, str] on Python 3.10
        return None


def unknown_prefix(keys: list[str]) -> int | None:
    """The index of the first key that names no setting (keys below a plain value are not checked)."""
    model: type[BaseModel] | None = Settings
    for depth, key in enumerate(keys):
        if model is None:
            return None
        if key not in model.model_fields:
            return depth
        model = section_model(model, key)
    return None


def is_section(keys: list[str]) -> bool:
    """Whether the setting at ``keys`` is a table (a nested model or a dict)."""
    model: type[BaseModel] = Settings
    for depth, key in enumerate(keys):
        if key not in model.model_fields:
            return False
        section = section_model(model, key)
        if section is None:
            return key == "keymap" and depth == 0 and len(keys) == 1
        model = section
    return True


def _all_setting_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name in model.model_fields:
        section = section_model(model, name)
        if section is not None:
            paths.extend(_all_setting_paths(section, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


def suggest(key: str, prefix: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The setting most likely meant by the unknown ``key`` found under ``prefix``, if any is close."""
    model: type[BaseModel] = Settings
    for part in prefix:
        model = section_model(model, part) or model
    normalised = key.lower().replace("-", "_")
    close = difflib.get_close_matches(normalised, list(model.model_fields), n=1, cutoff=0.6)
    if close:
        return (*prefix, close[0])
    # the right name in the wrong place, e.g. `read = 30` at the top instead of under [timeouts]
    anywhere = {path[-1]: path for path in _all_setting_paths(Settings)}
    close = difflib.get_close_matches(normalised, list(anywhere), n=1, cutoff=0.8)
    return anywhere[close[0]] if close else None


def dotted(keys: tuple[str, ...]) -> str:
    """A setting's name as ``config.toml`` and the command line spell it: ``timeouts.read``."""
    return ".".join(keys)


def message(error: Any) -> str:
    """A pydantic error's message without pydantic's ``Value error, `` prefix."""
    return str(error["msg"]).removeprefix("Value error, ")


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters so one bad value cannot flood a warning."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
