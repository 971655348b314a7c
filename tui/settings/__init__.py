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
4. **Defaults**, the values documented on the models in :mod:`tui.settings.models`.

Loading never raises. A file that is not valid TOML is ignored as a whole; a value of the wrong type
falls back to the next layer down (ultimately the default); an unknown key is reported with a
"did you mean" hint. Each of these becomes one line in ``LoadedSettings.warnings`` for the app to show.

Sections merge key by key across layers (a ``keymap`` entry from the environment adds to those in the
file); everything else is replaced.
"""

from __future__ import annotations

from tui.settings.layers import ENV_JSON_LEVELS, ENV_NESTED_DELIMITER, ENV_PREFIX, NOT_SETTINGS_ENV
from tui.settings.loading import LoadedSettings, load_settings
from tui.settings.models import ClipboardSettings, PlaygroundSettings, Settings, TimeoutSettings
from tui.settings.saving import SettingsError, save_setting
from tui.settings.toml_text import TomlError, dumps_toml, parse_toml

__all__ = [
    "ENV_JSON_LEVELS",
    "ENV_NESTED_DELIMITER",
    "ENV_PREFIX",
    "NOT_SETTINGS_ENV",
    "ClipboardSettings",
    "LoadedSettings",
    "PlaygroundSettings",
    "Settings",
    "SettingsError",
    "TimeoutSettings",
    "TomlError",
    "dumps_toml",
    "load_settings",
    "parse_toml",
    "save_setting",
]
