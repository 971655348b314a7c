"""Databricks profiles: ``~/.databrickscfg`` and the ``DATABRICKS_*`` environment variables.

Which workspace opens (written down here and in the README):

1. ``--profile NAME`` given: the section ``NAME`` of the config file; ``--profile env`` is the
   profile made of ``DATABRICKS_HOST`` and ``DATABRICKS_TOKEN``.
2. No ``--profile`` but ``DATABRICKS_CONFIG_PROFILE`` set: that section of the config file.
3. Otherwise the local workspace. Unlike the Databricks SDK, the mere presence of
   ``DATABRICKS_HOST``/``DATABRICKS_TOKEN`` or of a ``DEFAULT`` section does not switch away from the
   local workspace: Switchboard is local first, and a remote one is always asked for by name.

The config file is ``$DATABRICKS_CONFIG_FILE``, else ``~/.databrickscfg``. Only personal access
tokens (``host`` + ``token``) are supported; a profile using another auth type is refused with a
message naming it. Messages name the file and the profile, never a token.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui.domain.errors import InvalidParameterValue, SwitchboardError

ENV_PROFILE = "env"
"""The name of the profile made of ``DATABRICKS_HOST`` and ``DATABRICKS_TOKEN``."""

UNSUPPORTED_KEYS = (
    "auth_type",
    "client_id",
    "client_secret",
    "azure_client_id",
    "azure_client_secret",
    "azure_tenant_id",
    "azure_workspace_resource_id",
    "azure_use_msi",
    "google_service_account",
    "google_credentials",
    "username",
    "password",
)
"""Keys of other auth types (OAuth, Azure, Google, basic): not yet supported."""


@dataclass(frozen=True)
class Profile:
    """A Databricks workspace reached with a personal access token; ``source`` is where it was read."""

    name: str
    host: str
    token: str = field(repr=False)  # never in a repr, a log or a message
    source: str


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg").expanduser()


def _read_config(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, default_section="__none__")
    if not path.exists():
        return parser
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as err:
        raise SwitchboardError(f"Databricks config file {path} cannot be read: {type(err).__name__}") from None
    except configparser.Error as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InvalidParameterValue(f"Databricks config file {path} is not a valid INI file: {first}") from None
    return parser


def _profile(name: str, values: Mapping[str, str], source: str) -> Profile:
    unsupported = [key for key in UNSUPPORTED_KEYS if values.get(key)]
    auth_type = values.get("auth_type", "")
    if auth_type == "pat":
        unsupported.remove("auth_type")
    if unsupported:
        raise InvalidParameterValue(
            f"Profile '{name}' in {source} uses {', '.join(unsupported)}: only personal access tokens "
            "(host and token) are supported yet"
        )
    host = (values.get("host") or "").strip()
    token = (values.get("token") or "").strip()
    if not host:
        raise InvalidParameterValue(f"Profile '{name}' in {source} has no host")
    if not token:
        raise InvalidParameterValue(f"Profile '{name}' in {source} has no token")
    if "://" not in host:
        host = "https://" + host  # as the Databricks clients do
    if not host.startswith(("https://", "http://")):
        raise InvalidParameterValue(f"Profile '{name}' in {source}: host must be an http(s) URL")
    return Profile(name, host.rstrip("/"), token, source)


def profile_names(env: Mapping[str, str] | None = None) -> list[str]:
    """Every profile that could be opened, by name: the config file's sections, then ``env`` when
    ``DATABRICKS_HOST`` is set. Unreadable files give no names (opening one says why)."""
    env = os.environ if env is None else env
    try:
        names = list(_read_config(config_path(env)).sections())
    except SwitchboardError:
        names = []
    if env.get("DATABRICKS_HOST") and ENV_PROFILE not in names:
        names.append(ENV_PROFILE)
    return names


def load_profile(name: str, env: Mapping[str, str] | None = None) -> Profile:
    """The profile ``name`` (``env``: the environment variables), or a clear error."""
    env = os.environ if env is None else env
    path = config_path(env)
    parser = _read_config(path)
    if parser.has_section(name):
        return _profile(name, parser[name], str(path))
    if name == ENV_PROFILE:
        values = {"host": env.get("DATABRICKS_HOST", ""), "token": env.get("DATABRICKS_TOKEN", "")}
        return _profile(name, values, "the environment (DATABRICKS_HOST, DATABRICKS_TOKEN)")
    known = ", ".join(parser.sections()) or "none"
    where = str(path) if path.exists() else f"{path} (missing)"
    raise InvalidParameterValue(f"No profile '{name}' in Databricks config file {where}; profiles: {known}")


def chosen_name(explicit: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The profile's name to open by the rule in this module's docstring; ``None``: the local workspace."""
    env = os.environ if env is None else env
    return explicit or env.get("DATABRICKS_CONFIG_PROFILE") or None


def chosen_profile(explicit: str | None, env: Mapping[str, str] | None = None) -> Profile | None:
    """The profile to open by the rule in this module's docstring, or ``None`` for the local workspace."""
    name = chosen_name(explicit, env)
    return None if name is None else load_profile(name, env)


def describe_profiles(env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """``(name, host)`` of every profile for a switcher; the host is ``?`` where the profile is broken
    (opening it then says why). No token is read out."""
    env = os.environ if env is None else env
    found: list[tuple[str, str]] = []
    for name in profile_names(env):
        try:
            found.append((name, load_profile(name, env).host))
        except SwitchboardError:
            found.append((name, "?"))
    return found
