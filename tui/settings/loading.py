"""Loading the settings (:func:`load_settings`): layers put one over another, lowest first, each value
checked against the models; what does not fit becomes a warning and the layer below shows through."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from tui import locations
from tui.settings.layers import Layer, cli_layer, deep_merge, env_layer, file_layer
from tui.settings.models import Settings
from tui.settings.names import message, section_model, short, suggest


class LoadedSettings(NamedTuple):
    """What :func:`load_settings` returns."""

    settings: Settings
    """The effective settings."""

    warnings: list[str]
    """Problems found while loading, one sentence each, for a notification or stderr."""


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
    read_layers: list[Callable[[], Layer]] = [  # lowest first; each one read only when its turn comes
        lambda: file_layer(path, warnings),
        lambda: env_layer(env, warnings),
        lambda: cli_layer(cli_overrides or {}, warnings),
    ]
    for read in read_layers:
        layer = read()
        _strip_unknown(layer.data, Settings, (), layer, warnings)
        data = _apply(data, layer, warnings)
    return LoadedSettings(Settings.model_validate(data), warnings)


def _strip_unknown(
    data: dict[str, Any],
    model: type[BaseModel],
    prefix: tuple[str, ...],
    layer: Layer,
    warnings: list[str],
) -> None:
    """Remove keys the model does not have, warning about each with the closest real name."""
    for key in list(data):
        if key not in model.model_fields:
            suggestion = suggest(key, prefix)
            hint = f" (did you mean {layer.name(suggestion)!r}?)" if suggestion else ""
            warnings.append(f"{layer.describe((*prefix, key))}: unknown setting{hint}; ignored.")
            del data[key]
            continue
        section = section_model(model, key)
        if section is not None and isinstance(data[key], dict):
            _strip_unknown(data[key], section, (*prefix, key), layer, warnings)


def _apply(data: dict[str, Any], layer: Layer, warnings: list[str]) -> dict[str, Any]:
    """Put ``layer`` over the valid ``data``, dropping the layer's values that do not validate."""
    values = copy.deepcopy(layer.data)
    for _ in range(100):  # each round removes at least one value, and there are few
        if not values:
            return data
        try:
            return Settings.model_validate(deep_merge(data, values)).model_dump()
        except ValidationError as err:
            removed = False
            for error in err.errors():
                keys = _remove_path(values, tuple(str(part) for part in error["loc"]))
                if keys is None:
                    continue
                removed = True
                fallback = _get_path(data, keys)
                instead = "ignored" if fallback is _MISSING else f"using {short(fallback)} instead"
                warnings.append(f"{layer.describe(keys)}: {message(error)} (got {short(error['input'])}); {instead}.")
            if not removed:  # cannot happen with a valid base, but never loop or raise
                return data
    return data


_MISSING = object()


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
