"""Switchboard's settings: defaults, ``config.toml``, ``SWITCHBOARD_*`` variables and command-line overrides.

Where a value comes from, highest first:

1. **Command-line overrides**: a dict given to :func:`load_settings`, nested (``{"timeouts": {"read": 5}}``)
   or dotted (``{"timeouts.read": 5}``). ``None`` means "not given".
2. **Environment**: ``SWITCHBOARD_<NAME>``, nested with ``__``: ``SWITCHBOARD_THEME=nord``,
   ``SWITCHBOARD_TIMEOUTS__READ=30``. Names are case-insensitive. An empty value counts as unset;
   ``none``/``null`` clears an optional value. A whole section can be given as JSON
   (``SWITCHBOARD_KEYMAP='{"send-all": "ctrl+r"}'``); in ``SWITCHBOARD_KEYMAP__<ID>`` the underscores
   of the binding id become hyphens (``SWITCHBOARD_KEYMAP__SEND_ALL`` sets ``send-all``).
   ``SWITCHBOARD_WORKSPACE`` is not a setting (see :mod:`tui.locations`) and is left alone.
3. **The config file**, ``config.toml`` in the user config directory (``switchboard locate config``).
4. **Defaults**, the values documented on the models below.

Loading never raises. A file that is not valid TOML is ignored as a whole; a value of the wrong type
falls back to the next layer down (ultimately the default); an unknown key is reported with a
"did you mean" hint. Each of these becomes one line in ``LoadedSettings.warnings`` for the app to show.

Sections merge key by key across layers (a ``keymap`` entry from the environment adds to those in the
file); everything else is replaced.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from tui import locations

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ENV_PREFIX = "SWITCHBOARD_"
"""Environment variables starting with this (any case) are settings."""

ENV_NESTED_DELIMITER = "__"
"""Separates the levels of a nested setting in an environment variable name."""

NOT_SETTINGS_ENV = frozenset({locations.WORKSPACE_ENV})
"""``SWITCHBOARD_*`` variables that mean something else and are neither settings nor typos."""

ENV_JSON_LEVELS = 4
"""The deepest nesting of a section given as JSON in a variable (a real one nests one level)."""

_NONE_WORDS = frozenset({"", "none", "null"})


def _none_from_words(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in _NONE_WORDS:
        return None
    return value


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):  # `true` is not 1 here: it is almost certainly the wrong key or a typo
        raise ValueError("expected a number, not true/false")
    return value


_Int = Annotated[int, BeforeValidator(_not_a_bool)]
_Float = Annotated[float, BeforeValidator(_not_a_bool)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=True)


class TimeoutSettings(_Section):
    """How long to wait for providers and workspaces, in seconds."""

    connect: _Float = Field(10.0, gt=0)
    """Seconds to wait for a connection (TCP and TLS) to be established."""

    read: _Float = Field(120.0, gt=0)
    """Seconds to wait for a response, and for each read of it."""

    idle: _Float = Field(60.0, gt=0)
    """Seconds a started stream may stay silent between two events before it counts as stalled."""


class PlaygroundSettings(_Section):
    """The side-by-side playground."""

    layout: Literal["horizontal", "vertical"] = "horizontal"
    """How panes are split: ``horizontal`` puts them side by side, ``vertical`` stacks them."""

    max_panes: _Int = Field(8, ge=2, le=8)
    """The most endpoints compared at once (2 to 8)."""

    history_size: _Int = Field(1000, ge=1, le=100_000)
    """How many past comparisons the history keeps; the oldest go first."""

    default_max_tokens: _Int | None = Field(None, ge=1)
    """``max_tokens`` pre-filled for new prompts; unset leaves it to each endpoint."""

    default_temperature: _Float | None = Field(None, ge=0, le=2)
    """``temperature`` pre-filled for new prompts (0 to 2); unset leaves it to each endpoint."""

    export_dir: str | None = None
    """Where F6 writes a comparison's Markdown and JSON (``~`` is expanded); unset writes to the directory
    Switchboard was started from."""

    @field_validator("default_max_tokens", "default_temperature", "export_dir", mode="before")
    @classmethod
    def _words_mean_unset(cls, value: Any) -> Any:
        return _none_from_words(value)


class ClipboardSettings(_Section):
    """How copying reaches a clipboard. Both are tried; copying works if either does."""

    osc52: bool = True
    """Send the text to the terminal as an OSC 52 escape sequence, which works over SSH and inside tmux."""

    pyperclip: bool = True
    """Also put the text on the system clipboard of the machine running Switchboard (needs xclip,
    xsel or wl-copy on Linux)."""


class Settings(_Section):
    """Everything configurable, as read from ``config.toml``."""

    theme: str = "switchboard-dark"
    """The theme's name: a built-in one (``switchboard-dark``, ``switchboard-light``, ``high-contrast``,
    ``everforest``, ``kanagawa``, or any of Textual's) or one from the user themes directory."""

    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id to keys (``{"send-all" = "ctrl+r"}``; several keys separated by commas). It replaces
    the default keys of that binding, e.g. to avoid clashes with tmux or the terminal."""

    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    """Network timeouts for provider calls."""

    playground: PlaygroundSettings = Field(default_factory=PlaygroundSettings)
    """Playground layout and the defaults for new prompts."""

    clipboard: ClipboardSettings = Field(default_factory=ClipboardSettings)
    """Where copied text goes."""

    hostname: str | None = None
    """The host shown as ``user@host`` in the header; unset uses the machine's name."""

    @field_validator("hostname", mode="before")
    @classmethod
    def _words_mean_unset(cls, value: Any) -> Any:
        return _none_from_words(value)

    @field_validator("theme")
    @classmethod
    def _theme_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the theme name is empty")
        return value


class LoadedSettings(NamedTuple):
    """What :func:`load_settings` returns."""

    settings: Settings
    """The effective settings."""

    warnings: list[str]
    """Problems found while loading, one sentence each, for a notification or stderr."""


class SettingsError(Exception):
    """:func:`save_setting` could not save: the message says why, and nothing was written."""


class TomlError(ValueError):
    """Text that is not TOML Python can read; the message says why."""


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with every problem of the text a :class:`TomlError`.

    tomllib raises its TOMLDecodeError for bad syntax, but lets out a RecursionError for arrays or
    tables nested deeper than Python recurses and a ValueError for an integer longer than Python reads.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlError(str(err)) from None
    except RecursionError:
        raise TomlError("arrays or tables nested too deeply") from None
    except ValueError:
        raise TomlError(f"a number with more than {sys.get_int_max_str_digits()} digits") from None


# --------------------------------------------------------------------------------------------------
# Loading


class _Layer(NamedTuple):
    data: dict[str, Any]
    where: str
    """Starts each warning about this layer: ``/path/config.toml: `` (empty for the environment)."""
    name: Callable[[tuple[str, ...]], str]
    """A setting's name as this layer spells it: ``timeouts.read`` or ``SWITCHBOARD_TIMEOUTS__READ``."""

    def describe(self, keys: tuple[str, ...]) -> str:
        return self.where + self.name(keys)


def load_settings(
    cli_overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> LoadedSettings:
    """Read the settings from every layer. Never raises: problems become warnings.

    Args:
        cli_overrides: Highest-priority values, nested or dotted keys; ``None`` values are skipped.
        env: The environment to read ``SWITCHBOARD_*`` from (default: ``os.environ``).
        path: The config file (default: ``locations.config_file()``); a missing file is not a problem.

    Returns:
        The settings and the warnings.
    """
    path = locations.config_file() if path is None else Path(path)
    env = os.environ if env is None else env
    warnings: list[str] = []
    data = Settings().model_dump()
    read_layers: list[Callable[[], _Layer]] = [  # lowest first; each one read only when its turn comes
        lambda: _file_layer(path, warnings),
        lambda: _env_layer(env, warnings),
        lambda: _cli_layer(cli_overrides or {}, warnings),
    ]
    for read in read_layers:
        layer = read()
        _strip_unknown(layer.data, Settings, (), layer, warnings)
        data = _apply(data, layer, warnings)
    return LoadedSettings(Settings.model_validate(data), warnings)


def _file_layer(path: Path, warnings: list[str]) -> _Layer:
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
    return _Layer(data, f"{path}: ", _dotted)


def _dotted(keys: tuple[str, ...]) -> str:
    return ".".join(keys)


def _env_name(keys: tuple[str, ...]) -> str:
    return ENV_PREFIX + ENV_NESTED_DELIMITER.join(k.upper().replace("-", "_") for k in keys)


def _env_layer(env: Mapping[str, str], warnings: list[str]) -> _Layer:
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
        unknown = _unknown_prefix(keys)
        if unknown is not None:
            suggestion = _suggest(keys[unknown], keys[:unknown])
            hint = f" (did you mean {_env_name((*suggestion, *keys[unknown + 1 :]))!r}?)" if suggestion else ""
            warnings.append(f"{name}: unknown setting{hint}; ignored.")
            continue
        if keys[0] == "keymap" and len(keys) == 2:
            keys[1] = keys[1].replace("_", "-")
        parsed: Any = value
        if _is_section(keys) and value.lstrip().startswith("{"):
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
    return _Layer(data, "", _env_name)


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether ``value`` nests arrays or objects more than ``levels`` deep (it looks no deeper)."""
    if not isinstance(value, (dict, list)):
        return False
    if levels == 0:
        return True
    return any(_deeper_than(child, levels - 1) for child in (value.values() if isinstance(value, dict) else value))


def _cli_layer(overrides: Mapping[str, Any], warnings: list[str]) -> _Layer:
    data: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None:
            continue
        _set_path(data, str(key).split("."), copy.deepcopy(value))
    return _Layer(data, "command-line setting ", _dotted)


def _unknown_prefix(keys: list[str]) -> int | None:
    """The index of the first key that names no setting (keys below a plain value are not checked)."""
    model: type[BaseModel] | None = Settings
    for depth, key in enumerate(keys):
        if model is None:
            return None
        if key not in model.model_fields:
            return depth
        model = _section_model(model, key)
    return None


def _section_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of the section ``key`` of ``model``, or None if it is not a section."""
    field = model.model_fields.get(key)
    annotation = field.annotation if field is not None else None
    try:
        return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    except TypeError:  # a generic alias such as dict[str, str] on Python 3.10
        return None


def _is_section(keys: list[str]) -> bool:
    """Whether the setting at ``keys`` is a table (a nested model or a dict)."""
    model: type[BaseModel] = Settings
    for depth, key in enumerate(keys):
        if key not in model.model_fields:
            return False
        section = _section_model(model, key)
        if section is None:
            return key == "keymap" and depth == 0 and len(keys) == 1
        model = section
    return True


def _set_path(data: dict[str, Any], keys: list[str], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    last = keys[-1]
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last] = _deep_merge(node[last], value)
    else:
        node[last] = value


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _strip_unknown(
    data: dict[str, Any],
    model: type[BaseModel],
    prefix: tuple[str, ...],
    layer: _Layer,
    warnings: list[str],
) -> None:
    """Remove keys the model does not have, warning about each with the closest real name."""
    for key in list(data):
        if key not in model.model_fields:
            suggestion = _suggest(key, prefix)
            hint = f" (did you mean {layer.name(suggestion)!r}?)" if suggestion else ""
            warnings.append(f"{layer.describe((*prefix, key))}: unknown setting{hint}; ignored.")
            del data[key]
            continue
        section = _section_model(model, key)
        if section is not None and isinstance(data[key], dict):
            _strip_unknown(data[key], section, (*prefix, key), layer, warnings)


def _all_setting_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name in model.model_fields:
        section = _section_model(model, name)
        if section is not None:
            paths.extend(_all_setting_paths(section, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


def _suggest(key: str, prefix: tuple[str, ...] | list[str]) -> tuple[str, ...] | None:
    """The setting most likely meant by the unknown ``key`` found under ``prefix``, if any is close."""
    model: type[BaseModel] = Settings
    for part in prefix:
        model = _section_model(model, part) or model
    normalised = key.lower().replace("-", "_")
    close = difflib.get_close_matches(normalised, list(model.model_fields), n=1, cutoff=0.6)
    if close:
        return (*prefix, close[0])
    # the right name in the wrong place, e.g. `read = 30` at the top instead of under [timeouts]
    anywhere = {path[-1]: path for path in _all_setting_paths(Settings)}
    close = difflib.get_close_matches(normalised, list(anywhere), n=1, cutoff=0.8)
    return anywhere[close[0]] if close else None


def _apply(data: dict[str, Any], layer: _Layer, warnings: list[str]) -> dict[str, Any]:
    """Put ``layer`` over the valid ``data``, dropping the layer's values that do not validate."""
    values = copy.deepcopy(layer.data)
    for _ in range(100):  # each round removes at least one value, and there are few
        if not values:
            return data
        try:
            return Settings.model_validate(_deep_merge(data, values)).model_dump()
        except ValidationError as err:
            removed = False
            for error in err.errors():
                keys = _remove_path(values, tuple(str(part) for part in error["loc"]))
                if keys is None:
                    continue
                removed = True
                fallback = _get_path(data, keys)
                instead = "ignored" if fallback is _MISSING else f"using {_short(fallback)} instead"
                warnings.append(f"{layer.describe(keys)}: {_message(error)} (got {_short(error['input'])}); {instead}.")
            if not removed:  # cannot happen with a valid base, but never loop or raise
                return data
    return data


_MISSING = object()


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _remove_path(data: dict[str, Any], loc: tuple[str, ...]) -> tuple[str, ...] | None:
    """Remove the deepest key of ``loc`` present in ``data``; return its path, or None if none is."""
    node: Any = data
    path: list[str] = []
    for key in loc:
        if not isinstance(node, dict) or key not in node:
            break
        path.append(key)
        parent, node = node, node[key]
    if not path:
        return None
    del parent[path[-1]]
    return tuple(path)


def _get_path(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------------
# Saving


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
        suggestion = _suggest(key, ())
        hint = f" (did you mean {_dotted(suggestion)!r}?)" if suggestion else ""
        raise SettingsError(f"Unknown setting {key!r}{hint}.")
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_unset=True)  # what the caller chose, not every default
    if value is not None:
        try:
            Settings.model_validate({key: value})
        except ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {_message(e)}" for e in err.errors(include_url=False)
            )
            raise SettingsError(f"Cannot save {key} = {_short(value)}: {problems}.") from None

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"Cannot read {path} ({getattr(err, 'strerror', None) or err}); nothing was saved.") from None
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
    if new_text is None or _parses_to(new_text) != wanted:
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
        new_line = None if value is None else f"{_key(key)} = {_inline(value)}"
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


def _parses_to(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _MISSING


def _atomic_write(path: Path, text: str, *, private_dir: bool = True) -> None:
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if private_dir:
        try:
            os.chmod(directory, 0o700)
        except OSError:
            pass  # not ours to change; the file itself is still 0600
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# --------------------------------------------------------------------------------------------------
# A small TOML writer for the plain values settings use


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise str, int, float, bool, lists of those and nested tables to TOML. ``None`` values are
    left out (TOML has no null). Anything else raises ``TypeError``."""
    lines: list[str] = []
    _dump_table(data, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n" if lines else ""


def _dump_table(table: Mapping[str, Any], prefix: tuple[str, ...], lines: list[str]) -> None:
    tables = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            tables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_inline(value)}")
    for key, value in tables:
        path = (*prefix, key)
        lines.append("")
        lines.append("[" + ".".join(_key(k) for k in path) + "]")
        _dump_table(value, path, lines)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"TOML keys are strings, not {type(key).__name__}")
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items() if v is not None)
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")
