"""Reading each layer of settings as raw data: the config file, ``SWITCHBOARD_*`` variables and
command-line overrides. A layer reports what it cannot read as warnings; values are checked later, in
:mod:`tui.settings.loading`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tui import locations
from tui.settings.names import dotted, is_section, suggest, unknown_prefix
from tui.settings.toml_text import TomlError, parse_toml

ENV_PREFIX = "SWITCHBOARD_"
"""Environment variables starting with this (any case) are settings."""

ENV_NESTED_DELIMITER = "__"
"""Separates the levels of a nested setting in an environment variable name."""

NOT_SETTINGS_ENV = frozenset({locations.WORKSPACE_ENV})
"""``SWITCHBOARD_*`` variables that mean something else and are neither settings nor typos."""

ENV_JSON_LEVELS = 4
"""The deepest nesting of a section given as JSON in a variable (a real one nests one level)."""


class Layer(NamedTuple):
    """One source of settings, as nested raw data, and how to name its settings in a warning."""

    data: dict[str, Any]
    where: str
    """Starts each warning about this layer: ``/path/config.toml: `` (empty for the environment)."""
    name: Callable[[tuple[str, ...]], str]
    """A setting's name as this layer spells it: ``timeouts.read`` or ``SWITCHBOARD_TIMEOUTS__READ``."""

    def describe(self, keys: tuple[str, ...]) -> str:
        return self.where + self.name(keys)


def file_layer(path: Path, warnings: list[str]) -> Layer:
    """``config.toml``; a missing file is empty, an unreadable or invalid one is ignored as a whole."""
    data: dict[str, Any] = {}
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as err:
        warnings.append(f"Cannot read {path} ({err.strerror or err}); using the default settings.")
        raw = None
    if raw is not None:
        try:
            data = parse_toml(raw.decode("utf-8"))
        except UnicodeDecodeError:
            warnings.append(f"{path} is not UTF-8 text; ignoring it and using the default settings.")
        except TomlError as err:
            warnings.append(f"{path} is not valid TOML ({err}); ignoring it and using the default settings.")
    return Layer(data, f"{path}: ", dotted)


def _env_name(keys: tuple[str, ...]) -> str:
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(k.upper().replace("-", "_") for k in keys)


def env_layer(env: Mapping[str, str], warnings: list[str]) -> Layer:
    """The ``SWITCHBOARD_*`` variables of ``env``; unknown names and bad JSON are warned about and skipped."""
    data: dict[str, Any] = {}
    # shorter names first, so SWITCHBOARD_TIMEOUTS='{...}' is refined by SWITCHBOARD_TIMEOUTS__READ
    names = sorted((n for n in env if n.upper().startswith(ENV_PREFIX)), key=lambda n: (len(n), n))
    for name in names:
        if name.upper() in NOT_SETTINGS_ENV:
            continue
        value = env[name]
        if value == "":
            continue
        keys = name[len(ENV_PREFIX) :].lower().split(ENV_NESTED_DELIMITER)
        if not all(key and not key.startswith("_") and not key.endswith("_") for key in keys):
            warnings.append(f"{name}: not a setting name (levels are separated by exactly two underscores); ignored.")
            continue
        unknown = unknown_prefix(keys)
        if unknown is not None:
            suggestion = suggest(keys[unknown], keys[:unknown])
            hint = f" (did you mean {_env_name((*suggestion, *keys[unknown + 1 :]))!r}?)" if suggestion else ""
            warnings.append(f"{name}: unknown setting{hint}; ignored.")
            continue
        if keys[0] == "keymap" and len(keys) == 2:
            keys[1] = keys[1].replace("_", "-")
        parsed: Any = value
        if is_section(keys) and value.lstrip().startswith("{"):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError as err:
                warnings.append(f"{name}: not valid JSON ({err.msg} at column {err.colno}); ignored.")
                continue
            except (RecursionError, ValueError):  # nested deeper than Python recurses; a too long integer
                warnings.append(f"{name}: JSON nested too deeply or with a number too long to read; ignored.")
                continue
            if _deeper_than(parsed, ENV_JSON_LEVELS):  # deeper values would only fail, after costly copies
                warnings.append(f"{name}: JSON nested more than {ENV_JSON_LEVELS} levels deep; ignored.")
                continue
        _set_path(data, keys, parsed)
    return Layer(data, "", _env_name)


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether ``value`` nests arrays or objects more than ``levels`` deep (it looks no deeper)."""
    if not isinstance(value, (dict, list)):
        return False
    if levels == 0:
        return True
    return any(_deeper_than(child, levels - 1) for child in (value.values() if isinstance(value, dict) else value))


def cli_layer(overrides: Mapping[str, Any], warnings: list[str]) -> Layer:
    """Command-line overrides, nested or dotted keys; ``None`` means "not given"."""
    data: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        _set_path(data, str(key).split("."), copy.deepcopy(value))
    return Layer(data, "command-line setting ", dotted)


def _set_path(data: dict[str, Any], keys: list[str], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    last = keys[-1]
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last] = deep_merge(node[last], value)
    else:
        node[last] = value


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``top`` over it, tables merged key by key, everything else replaced (copied)."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
