"""The settings models: every setting, its type, its default and what it means (``config.toml``'s schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tui.domain.ranges import KNOB_RANGES

_NONE_WORDS = frozenset({"", "none", "null"})
_TEMPERATURE_LOW, _TEMPERATURE_HIGH = KNOB_RANGES["temperature"]


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

    default_temperature: _Float | None = Field(None, ge=_TEMPERATURE_LOW, le=_TEMPERATURE_HIGH)
    """``temperature`` pre-filled for new prompts (within the range a request accepts,
    ``KNOB_RANGES["temperature"]``); unset leaves it to each endpoint."""

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
