"""The one place that knows where Switchboard keeps things on disk."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "switchboard"
WORKSPACE_ENV = "SWITCHBOARD_WORKSPACE"
WORKSPACE_FILE = "workspace.db"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def workspace_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The workspace file: ``--workspace`` beats ``$SWITCHBOARD_WORKSPACE`` beats the data dir.

    A directory (existing, or given with a trailing slash) means ``<dir>/workspace.db``.
    """
    chosen = option or os.environ.get(WORKSPACE_ENV) or None
    if chosen is None:
        return data_dir() / WORKSPACE_FILE
    text = os.fspath(chosen)
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith(("/", os.sep)):
        return path / WORKSPACE_FILE
    return path
