"""Themes: the built-in ones shipped as TOML files, and the user's own.

A theme file is TOML whose fields mirror :class:`textual.theme.Theme`::

    name = "my-theme"            # optional: the file name without .toml
    primary = "#4FA3E0"          # required; every other field is optional
    secondary = "#2E6DA4"
    accent = "#F2A33A"
    foreground = "#DDE3EA"
    background = "#10151C"
    surface = "#171E27"
    panel = "#1F2A36"
    success = "#5CC98A"
    warning = "#F2C14E"
    error = "#E5566B"
    dark = true
    # also: boost, luminosity_spread, text_alpha, ansi

    [variables]                  # Textual's theme variables, e.g.
    "footer-key-foreground" = "#F2A33A"

Built-in themes live in ``themes/`` at the root of a source checkout, packaged as ``tui/_themes/`` in a
wheel. User themes are the ``*.toml`` files of ``locations.user_themes_dir()`` (``switchboard locate
themes``); files starting with a dot are skipped.

**Names.** A user theme whose name is already taken (by a built-in Switchboard theme, or one of
Textual's such as ``nord``) *replaces* it: the user wins, so copying ``switchboard-dark.toml`` into the
themes directory and editing it changes the default theme. To add a theme instead, give it a new name.
Two user files with the same name are an error for the second one (in file-name order): which one was
meant is not guessable. The built-in Switchboard themes use names Textual does not, so they never
replace one of Textual's themes.

**Errors.** Loading never raises. Every file that cannot be used (TOML syntax, unknown or missing
fields, a colour or a theme variable Textual cannot parse) is listed in ``LoadedThemes.failed`` with
the reason, and the rest load. Variables are checked here because an unparsable one would otherwise
crash the app's stylesheet the moment the theme is selected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from tui import locations
from tui.settings import TomlError, parse_toml

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

PACKAGED_THEMES_DIR = "_themes"
"""Where the wheel puts the built-in themes, inside the ``tui`` package."""


def builtin_themes_dir() -> Path:
    """The folder of built-in themes: ``tui/_themes`` when installed, ``<checkout>/themes`` in a checkout.

    If neither exists (a broken install) the packaged location is returned, and loading reports it.
    """
    package = Path(__file__).resolve().parent
    packaged = package / PACKAGED_THEMES_DIR
    if packaged.is_dir():
        return packaged
    checkout = package.parent / "themes"
    if checkout.is_dir():
        return checkout
    return packaged


class LoadedThemes(NamedTuple):
    """What the loaders return: one bad file never stops the others."""

    themes: list[Theme]
    """The themes that loaded, one per name, in the order to offer them (built-ins first)."""

    failed: list[tuple[Path, str]]
    """Files (or folders) that could not be used, each with a reason a person can act on."""


COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
"""The colour fields of a theme file."""

_VARIABLE_NAME = re.compile(r"[a-zA-Z0-9_-]+")
"""What follows ``$`` in a reference to a theme variable (Textual's ``VARIABLE_REF``)."""


class ThemeFile(BaseModel):
    """The contents of one theme file, checked before it becomes a :class:`textual.theme.Theme`."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    name: str | None = None
    """The theme's name, as set with ``theme = "..."`` in ``config.toml``. Default: the file name."""

    primary: str
    """The main colour: focused borders, highlights, primary buttons."""

    secondary: str | None = None
    """A second colour for less prominent highlights."""

    accent: str | None = None
    """A contrasting colour that draws the eye: key hints, the active tab."""

    foreground: str | None = None
    """The default text colour."""

    background: str | None = None
    """The screen's background."""

    surface: str | None = None
    """The background of widgets (inputs, lists, tables) on the screen."""

    panel: str | None = None
    """A background that sets parts apart from the surface: headers, footers, side panels."""

    boost: str | None = None
    """A translucent colour added on top of backgrounds to lift them slightly."""

    success: str | None = None
    """Good news: completed requests, endpoints that are ready."""

    warning: str | None = None
    """Something needs attention: rate limits close to their end, plaintext keys."""

    error: str | None = None
    """Failures: errors from a provider, invalid input."""

    dark: bool = True
    """Whether this is a dark theme (light text on dark backgrounds)."""

    luminosity_spread: float = Field(0.15, ge=0, le=1)
    """How far the generated lighter and darker shades move from each colour."""

    text_alpha: float = Field(0.95, ge=0, le=1)
    """The opacity of ordinary text (1.0 for full contrast)."""

    ansi: bool = False
    """Use the terminal's own 16 ANSI colours where Textual supports it."""

    variables: dict[str, str] = Field(default_factory=dict)
    """Textual theme variables (``footer-key-foreground``, ``block-cursor-text-style``, ...)."""

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise ValueError("the name is empty")
        if "," in value:
            raise ValueError("a theme name cannot contain a comma")
        return value

    @field_validator("variables")
    @classmethod
    def _usable_variable_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _VARIABLE_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a name Textual's CSS can refer to (letters, digits, '-' and '_')")
        return value

    @field_validator(*COLOUR_FIELDS)
    @classmethod
    def _parsable_colour(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from textual.color import Color, ColorParseError

        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{value!r} is not a colour Textual understands (try #rrggbb)") from None
        return value


def load_theme_file(path: Path) -> Theme:
    """Read one theme file.

    Raises:
        ValueError: With a message saying what is wrong (the path is not included).
        OSError: The file cannot be read.
    """
    from textual.theme import Theme

    try:
        data = parse_toml(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except TomlError as err:
        raise ValueError(f"not valid TOML: {err}") from None
    try:
        spec = ThemeFile.model_validate(data)
    except ValidationError as err:
        raise ValueError("; ".join(_describe(error) for error in err.errors(include_url=False))) from None
    fields = spec.model_dump()
    fields["name"] = spec.name or path.stem
    theme = Theme(**fields)
    try:
        theme.to_color_system().generate()
    except Exception as err:  # whatever Textual objects to, before it can reach the app
        raise ValueError(f"Textual cannot build its colours: {err}") from None
    _check_variables(theme)
    return theme


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), list(ThemeFile.model_fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field {loc!r}{hint}"
    if error["type"] == "missing":
        return f"{loc!r} is required"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}"


def _check_variables(theme: Theme) -> None:
    """Raise ValueError naming the first variable Textual's CSS parser would reject.

    Each variable is tried in the kind of property Textual uses it for (``*-style`` names in
    ``text-style``, ``*-background`` in ``background``, the rest in ``color``) with every other variable
    of the theme defined, the way the app's stylesheet will see it.
    """
    if not theme.variables:
        return
    from textual.css.stylesheet import Stylesheet, StylesheetParseError
    from textual.css.tokenizer import TokenError

    defined = {**theme.to_color_system().generate(), **theme.variables}  # as App.get_css_variables does
    rules = {}
    for index, name in enumerate(theme.variables):
        parts = name.split("-")
        prop = "text-style" if "style" in parts else "background" if "background" in parts else "color"
        rules[name] = (prop, f"#theme-check-{index} {{ {prop}: ${name}; }}")

    def parses(css: str) -> bool:
        sheet = Stylesheet(variables=defined)
        sheet.add_source(css, read_from=(f"theme {theme.name}", ""))
        try:
            sheet.parse()
        except (StylesheetParseError, TokenError):  # a value such as "}" ends the rule early
            return False
        return True

    if parses("\n".join(rule for _, rule in rules.values())):  # one parse for the usual, valid, case
        return
    for name, (prop, rule) in rules.items():
        if not parses(rule):
            raise ValueError(f"variable {name!r}: {theme.variables[name]!r} is not a valid {prop} value")


def load_themes_from(directory: Path, *, missing_ok: bool = True) -> LoadedThemes:
    """Load every ``*.toml`` of one folder, in file-name order. A name used twice fails the later file."""
    themes: dict[str, Theme] = {}
    origin: dict[str, Path] = {}
    failed: list[tuple[Path, str]] = []
    try:
        files = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))
    except OSError as err:
        return LoadedThemes([], [(directory, f"cannot list the folder: {err.strerror or err}")])
    if not files and not directory.is_dir():
        if directory.exists():
            failed.append((directory, "not a folder"))
        elif not missing_ok:
            failed.append((directory, "the folder is missing (is Switchboard installed completely?)"))
        return LoadedThemes([], failed)
    for path in files:
        try:
            theme = load_theme_file(path)
        except ValueError as err:
            failed.append((path, str(err)))
            continue
        except OSError as err:
            failed.append((path, f"cannot read it: {err.strerror or err}"))
            continue
        if theme.name in themes:
            failed.append((path, f"the name {theme.name!r} is already used by {origin[theme.name].name}"))
            continue
        themes[theme.name] = theme
        origin[theme.name] = path
    return LoadedThemes(list(themes.values()), failed)


def load_builtin_themes(directory: Path | None = None) -> LoadedThemes:
    """The themes shipped with Switchboard."""
    return load_themes_from(builtin_themes_dir() if directory is None else directory, missing_ok=False)


def load_user_themes(directory: Path | None = None) -> LoadedThemes:
    """The user's themes (a missing folder is normal: nothing to load)."""
    return load_themes_from(locations.user_themes_dir() if directory is None else directory, missing_ok=True)


def load_themes(user_dir: Path | None = None, builtin_dir: Path | None = None) -> LoadedThemes:
    """Built-in themes, then the user's; a user theme replaces a built-in one of the same name."""
    builtin = load_builtin_themes(builtin_dir)
    user = load_user_themes(user_dir)
    by_name = {theme.name: theme for theme in builtin.themes}
    for theme in user.themes:
        by_name[theme.name] = theme  # the user wins; a replaced built-in keeps its place in the list
    return LoadedThemes(list(by_name.values()), [*builtin.failed, *user.failed])


def register_themes(app: App[Any], loaded: LoadedThemes | Iterable[Theme]) -> list[str]:
    """Register themes with ``app`` (``App.register_theme``), replacing any of the same name.

    Returns:
        The registered names, in order.
    """
    themes = loaded.themes if isinstance(loaded, LoadedThemes) else list(loaded)
    for theme in themes:
        app.register_theme(theme)
    return [theme.name for theme in themes]
