"""Settings: defaults < config.toml < SWITCHBOARD_* < command line; bad input warns, never crashes."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tui import locations
from tui.settings import (
    ClipboardSettings,
    PlaygroundSettings,
    Settings,
    SettingsError,
    TimeoutSettings,
    dumps_toml,
    load_settings,
    save_setting,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "cfg"
    folder.mkdir()
    return folder / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- defaults and layers


def test_defaults_when_there_is_no_file(config: Path) -> None:
    s, warnings = load_settings(env={}, path=config)
    assert warnings == []
    assert s == Settings()
    assert s.theme == "switchboard-dark"
    assert s.keymap == {}
    assert (s.timeouts.connect, s.timeouts.read, s.timeouts.idle) == (10.0, 120.0, 60.0)
    assert s.playground.layout == "horizontal" and s.playground.max_panes == 8
    assert s.playground.default_max_tokens is None and s.playground.default_temperature is None
    assert s.clipboard.osc52 is True and s.clipboard.pyperclip is True
    assert s.hostname is None


def test_the_default_path_is_the_config_file_under_the_isolated_home(isolated_dirs: Path) -> None:
    path = locations.config_file()
    assert path.is_relative_to(isolated_dirs)
    path.parent.mkdir(parents=True)
    write(path, 'theme = "kanagawa"\n')
    assert load_settings(env={}).settings.theme == "kanagawa"


def test_env_defaults_to_os_environ(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_THEME", "from-os-environ")
    assert load_settings(path=config).settings.theme == "from-os-environ"


@pytest.mark.parametrize(
    ("file", "env", "cli", "expected"),
    [
        (None, None, None, "switchboard-dark"),
        ("file", None, None, "file"),  # file beats defaults
        ("file", "env", None, "env"),  # env beats file
        ("file", "env", "cli", "cli"),  # cli beats env
        (None, None, "cli", "cli"),
    ],
)
def test_each_layer_beats_the_one_below(
    config: Path, file: str | None, env: str | None, cli: str | None, expected: str
) -> None:
    if file:
        write(config, f'theme = "{file}"\n')
    s, warnings = load_settings(
        cli_overrides={"theme": cli} if cli else None,
        env={"SWITCHBOARD_THEME": env} if env else {},
        path=config,
    )
    assert (s.theme, warnings) == (expected, [])


def test_precedence_holds_for_nested_values_and_merges_key_by_key(config: Path) -> None:
    write(config, "[timeouts]\nconnect = 1\nread = 2\nidle = 3\n\n[keymap]\nquit = 'ctrl+q'\nsend-all = 'f5'\n")
    s, warnings = load_settings(
        cli_overrides={"timeouts": {"idle": 30}},
        env={
            "SWITCHBOARD_TIMEOUTS__READ": "20",
            "SWITCHBOARD_TIMEOUTS__IDLE": "25",
            "SWITCHBOARD_KEYMAP__SEND_ALL": "f6",
        },
        path=config,
    )
    assert warnings == []
    assert (s.timeouts.connect, s.timeouts.read, s.timeouts.idle) == (1.0, 20.0, 30.0)
    assert s.keymap == {"quit": "ctrl+q", "send-all": "f6"}


def test_cli_overrides_take_dotted_keys_and_skip_none(config: Path) -> None:
    write(config, 'theme = "nord"\n[playground]\nmax_panes = 4\n')
    s, warnings = load_settings(
        cli_overrides={"theme": None, "playground.max_panes": 3, "playground.layout": "vertical"}, env={}, path=config
    )
    assert warnings == []
    assert s.theme == "nord"  # None means "option not given"
    assert (s.playground.max_panes, s.playground.layout) == (3, "vertical")


# ---------------------------------------------------------------- environment


def test_env_nesting_case_and_conversions(config: Path) -> None:
    s, warnings = load_settings(
        env={
            "SWITCHBOARD_TIMEOUTS__CONNECT": "2.5",
            "switchboard_timeouts__idle": "7",
            "SWITCHBOARD_PLAYGROUND__LAYOUT": "vertical",
            "SWITCHBOARD_PLAYGROUND__DEFAULT_MAX_TOKENS": "256",
            "SWITCHBOARD_PLAYGROUND__DEFAULT_TEMPERATURE": "0.2",
            "SWITCHBOARD_CLIPBOARD__PYPERCLIP": "false",
            "SWITCHBOARD_HOSTNAME": "bastion",
            "SWITCHBOARD_KEYMAP__SEND_ALL": "ctrl+r",
            "SWITCHBOARD_WORKSPACE": "/somewhere/else.db",  # not a setting, not a typo
            "OTHER_THEME": "ignored",
        },
        path=config,
    )
    assert warnings == []
    assert (s.timeouts.connect, s.timeouts.idle) == (2.5, 7.0)
    assert s.playground == PlaygroundSettings(
        layout="vertical", max_panes=8, default_max_tokens=256, default_temperature=0.2
    )
    assert s.clipboard == ClipboardSettings(osc52=True, pyperclip=False)
    assert s.hostname == "bastion"
    assert s.keymap == {"send-all": "ctrl+r"}


def test_env_json_sections_empty_values_and_none_words(config: Path) -> None:
    write(config, 'hostname = "from-file"\ntheme = "from-file"\n[playground]\ndefault_max_tokens = 100\n')
    s, warnings = load_settings(
        env={
            "SWITCHBOARD_KEYMAP": '{"send_all": "f5", "quit": "ctrl+q"}',
            "SWITCHBOARD_TIMEOUTS": '{"read": 9}',
            "SWITCHBOARD_TIMEOUTS__IDLE": "8",
            "SWITCHBOARD_THEME": "",  # empty: unset
            "SWITCHBOARD_HOSTNAME": "none",  # clears the file's value
            "SWITCHBOARD_PLAYGROUND__DEFAULT_MAX_TOKENS": "null",
        },
        path=config,
    )
    assert warnings == []
    assert s.keymap == {"send_all": "f5", "quit": "ctrl+q"}  # JSON keeps ids exactly
    assert (s.timeouts.read, s.timeouts.idle) == (9.0, 8.0)
    assert s.theme == "from-file"
    assert s.hostname is None
    assert s.playground.default_max_tokens is None


def test_env_typos_and_bad_json_are_warnings(config: Path) -> None:
    s, warnings = load_settings(
        env={
            "SWITCHBOARD_THEM": "nord",
            "SWITCHBOARD_TIMEOUT__READ": "5",
            "SWITCHBOARD_PLAYGROUND___LAYOUT": "vertical",
            "SWITCHBOARD_CLIPBOARD": "{not json",
        },
        path=config,
    )
    assert s == Settings()
    assert "SWITCHBOARD_THEM: unknown setting (did you mean 'SWITCHBOARD_THEME'?); ignored." in warnings
    assert (
        "SWITCHBOARD_TIMEOUT__READ: unknown setting (did you mean 'SWITCHBOARD_TIMEOUTS__READ'?); ignored." in warnings
    )
    assert any(w.startswith("SWITCHBOARD_PLAYGROUND___LAYOUT: not a setting name") for w in warnings)
    assert any(w.startswith("SWITCHBOARD_CLIPBOARD: not valid JSON") for w in warnings)
    assert len(warnings) == 4


# ---------------------------------------------------------------- bad files and values


@pytest.mark.parametrize(
    "text", ['theme = "nord"\ntimeouts = [\n', "theme = nord\n", "[timeouts\nread=1\n", "a = 1\na = 2\n"]
)
def test_invalid_toml_warns_and_uses_defaults_while_env_still_applies(config: Path, text: str) -> None:
    write(config, text)
    s, warnings = load_settings(env={"SWITCHBOARD_TIMEOUTS__READ": "3"}, path=config)
    assert s == Settings(timeouts=TimeoutSettings(read=3))
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{config} is not valid TOML (")
    assert "(at " in warnings[0] and warnings[0].endswith("using the default settings.")


def test_a_file_that_is_not_utf8_or_not_readable_warns(config: Path) -> None:
    config.write_bytes(b'theme = "\xff"\n')
    s, warnings = load_settings(env={}, path=config)
    assert s == Settings() and warnings == [f"{config} is not UTF-8 text; ignoring it and using the default settings."]

    config.unlink()
    config.mkdir()
    s, warnings = load_settings(env={}, path=config)
    assert s == Settings() and len(warnings) == 1 and warnings[0].startswith(f"Cannot read {config} (")


def test_wrong_types_name_the_key_and_keep_the_rest(config: Path) -> None:
    write(
        config,
        """
theme = 7
hostname = "box"
keymap = { quit = "ctrl+q", bad = 5 }

[timeouts]
read = "soon"
connect = 3

[playground]
layout = "diagonal"
max_panes = true
default_temperature = 9

[clipboard]
osc52 = "maybe"
""",
    )
    s, warnings = load_settings(env={}, path=config)
    assert s.hostname == "box" and s.timeouts.connect == 3.0 and s.keymap == {"quit": "ctrl+q"}
    assert s.theme == "switchboard-dark" and s.timeouts.read == 120.0
    assert s.playground == PlaygroundSettings() and s.clipboard == ClipboardSettings()
    by_key = {w.split(": ")[1]: w for w in warnings}
    assert set(by_key) == {
        "theme",
        "keymap.bad",
        "timeouts.read",
        "playground.layout",
        "playground.max_panes",
        "playground.default_temperature",
        "clipboard.osc52",
    }
    assert by_key["timeouts.read"] == (
        f"{config}: timeouts.read: Input should be a valid number, unable to parse string as a number "
        "(got 'soon'); using 120.0 instead."
    )
    assert "expected a number, not true/false" in by_key["playground.max_panes"]
    assert by_key["keymap.bad"].endswith("(got 5); ignored.")
    assert "'horizontal' or 'vertical'" in by_key["playground.layout"]


def test_a_bad_value_falls_back_to_the_layer_below_not_to_the_default(config: Path) -> None:
    write(config, "[timeouts]\nread = 30\n")
    s, warnings = load_settings(
        cli_overrides={"timeouts.read": -1}, env={"SWITCHBOARD_TIMEOUTS__READ": "later"}, path=config
    )
    assert s.timeouts.read == 30.0
    assert warnings == [
        "SWITCHBOARD_TIMEOUTS__READ: Input should be a valid number, unable to parse string as a number "
        "(got 'later'); using 30.0 instead.",
        "command-line setting timeouts.read: Input should be greater than 0 (got -1); using 30.0 instead.",
    ]


def test_a_section_of_the_wrong_type_is_dropped_whole(config: Path) -> None:
    write(config, 'timeouts = 5\nkeymap = "ctrl+q"\ntheme = "nord"\n')
    s, warnings = load_settings(env={}, path=config)
    assert s.theme == "nord" and s.timeouts == TimeoutSettings() and s.keymap == {}
    assert warnings == [
        f"{config}: keymap: Input should be a valid dictionary (got 'ctrl+q'); using {{}} instead.",
        f"{config}: timeouts: Input should be a valid dictionary or instance of TimeoutSettings (got 5); "
        "using {'connect': 10.0, 'read': 120.0, 'idle': 60.0} instead.",
    ]


def test_unknown_keys_are_did_you_mean_warnings(config: Path) -> None:
    write(config, 'them = "nord"\nread = 5\nzzz = 1\n[timeouts]\nconect = 3\n[playgrond]\nlayout = "vertical"\n')
    s, warnings = load_settings(env={}, path=config)
    assert s == Settings()
    assert warnings == [
        f"{config}: them: unknown setting (did you mean 'theme'?); ignored.",
        f"{config}: read: unknown setting (did you mean 'timeouts.read'?); ignored.",
        f"{config}: zzz: unknown setting; ignored.",
        f"{config}: timeouts.conect: unknown setting (did you mean 'timeouts.connect'?); ignored.",
        f"{config}: playgrond: unknown setting (did you mean 'playground'?); ignored.",
    ]


def test_unknown_cli_keys_warn_too(config: Path) -> None:
    s, warnings = load_settings(cli_overrides={"playground.max_pane": 3}, env={}, path=config)
    assert s == Settings()
    assert warnings == [
        "command-line setting playground.max_pane: unknown setting (did you mean 'playground.max_panes'?); ignored."
    ]


def test_every_field_is_documented() -> None:
    def fields(model: type[BaseModel]) -> list[tuple[str, str | None]]:
        return [(f"{model.__name__}.{name}", info.description) for name, info in model.model_fields.items()]

    every = [f for m in (Settings, TimeoutSettings, PlaygroundSettings, ClipboardSettings) for f in fields(m)]
    assert len(every) == 17
    assert [name for name, doc in every if not doc] == []


# ---------------------------------------------------------------- saving


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_setting_creates_the_file_and_directory_with_private_modes(isolated_dirs: Path) -> None:
    path = save_setting("theme", "kanagawa")
    assert path == locations.config_file()
    assert path.read_text() == 'theme = "kanagawa"\n'
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    assert load_settings(env={}).settings.theme == "kanagawa"


def test_save_setting_keeps_other_keys_comments_and_tightens_modes(config: Path) -> None:
    original = (
        "# my settings\n"
        'hostname = "box"  # shown in the header\n'
        "\n"
        "# timeouts for a slow link\n"
        "[timeouts]\n"
        "read = 300\n"
        "\n"
        "[keymap]\n"
        'quit = "ctrl+q"\n'
    )
    write(config, original)
    os.chmod(config, 0o644)
    os.chmod(config.parent, 0o755)

    save_setting("theme", "everforest", path=config)
    text = config.read_text()
    assert text.startswith('# my settings\nhostname = "box"  # shown in the header\ntheme = "everforest"\n')
    assert "# timeouts for a slow link\n[timeouts]\nread = 300\n" in text
    assert tomllib.loads(text) == {
        "hostname": "box",
        "theme": "everforest",
        "timeouts": {"read": 300},
        "keymap": {"quit": "ctrl+q"},
    }
    assert (mode(config), mode(config.parent)) == (0o600, 0o700)

    save_setting("theme", 'high "contrast"', path=config)  # replaced in place, quoting handled
    assert tomllib.loads(config.read_text())["theme"] == 'high "contrast"'
    assert config.read_text().count("theme =") == 1

    save_setting("theme", None, path=config)  # back to the default
    assert "theme" not in tomllib.loads(config.read_text())
    assert config.read_text().startswith("# my settings\n")

    save_setting("keymap", {"quit": "ctrl+x", "send all": "f5"}, path=config)
    assert tomllib.loads(config.read_text()) == {
        "hostname": "box",
        "timeouts": {"read": 300},
        "keymap": {"quit": "ctrl+x", "send all": "f5"},
    }
    assert [p.name for p in config.parent.iterdir()] == ["config.toml"]  # no temporary files left
    s, warnings = load_settings(env={}, path=config)
    assert warnings == [] and s.keymap["send all"] == "f5" and s.timeouts.read == 300.0


def test_save_setting_through_a_symlink_keeps_the_link(config: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir(mode=0o755)
    real = write(dotfiles / "switchboard.toml", 'hostname = "box"\n')
    config.symlink_to(real)
    save_setting("theme", "kanagawa", path=config)
    assert config.is_symlink() and config.resolve() == real
    assert tomllib.loads(real.read_text()) == {"hostname": "box", "theme": "kanagawa"}
    assert mode(real) == 0o600 and mode(dotfiles) == 0o755  # someone else's folder is left alone
    assert sorted(p.name for p in dotfiles.iterdir()) == ["switchboard.toml"]


def test_save_setting_accepts_a_section_model(config: Path) -> None:
    save_setting("playground", PlaygroundSettings(layout="vertical", max_panes=4, default_temperature=0.5), path=config)
    assert tomllib.loads(config.read_text()) == {
        "playground": {"layout": "vertical", "max_panes": 4, "default_temperature": 0.5}
    }
    assert load_settings(env={}, path=config).settings.playground.max_panes == 4


def test_save_setting_rewrites_when_the_key_is_not_a_simple_line(config: Path) -> None:
    write(config, 'hostname = """\ntheme = "inside a string"\n"""\n[timeouts]\nread = 1\n')
    save_setting("theme", "nord", path=config)
    data = tomllib.loads(config.read_text())
    assert data == {"hostname": 'theme = "inside a string"\n', "theme": "nord", "timeouts": {"read": 1}}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("them", "nord", "Unknown setting 'them' (did you mean 'theme'?)."),
        ("theme", 5, "Cannot save theme = 5: theme: Input should be a valid string."),
        (
            "timeouts",
            {"read": "x"},
            "Cannot save timeouts = {'read': 'x'}: timeouts.read: Input should be a valid number",
        ),
        ("playground", {"max_panes": 20}, "playground.max_panes: Input should be less than or equal to 8"),
    ],
)
def test_save_setting_refuses_bad_keys_and_values(config: Path, key: str, value: object, message: str) -> None:
    write(config, 'hostname = "box"\n')
    with pytest.raises(SettingsError) as caught:
        save_setting(key, value, path=config)
    assert message in str(caught.value)
    assert config.read_text() == 'hostname = "box"\n'


def test_save_setting_leaves_an_invalid_file_alone(config: Path) -> None:
    write(config, "theme = \n# half-edited\n")
    with pytest.raises(SettingsError, match=r"is not valid TOML .* Nothing was saved"):
        save_setting("theme", "nord", path=config)
    assert config.read_text() == "theme = \n# half-edited\n"


# ---------------------------------------------------------------- the TOML writer


def test_dumps_toml_writes_nested_tables_and_skips_none() -> None:
    data = {"a": 1, "n": None, "f": 2.5, "b": True, "l": [1, "x"], "t": {"k": "v", "sub": {"deep": False}}, "e": {}}
    text = dumps_toml(data)
    assert tomllib.loads(text) == {
        "a": 1,
        "f": 2.5,
        "b": True,
        "l": [1, "x"],
        "t": {"k": "v", "sub": {"deep": False}},
        "e": {},
    }
    assert "[t.sub]\ndeep = false\n" in text
    with pytest.raises(TypeError):
        dumps_toml({"x": object()})


scalars = st.one_of(
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
)
tables = st.recursive(
    st.dictionaries(st.text(), scalars | st.lists(scalars, max_size=3), max_size=4),
    lambda children: st.dictionaries(st.text(), children, max_size=3),
    max_leaves=12,
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(tables)
def test_dumps_toml_round_trips_through_tomllib(data: dict) -> None:
    assert tomllib.loads(dumps_toml(data)) == data


def test_default_temperature_accepts_exactly_the_range_a_request_does(config: Path) -> None:
    from tui.domain.schemas import KNOB_RANGES

    low, high = KNOB_RANGES["temperature"]
    assert PlaygroundSettings(default_temperature=low).default_temperature == low
    assert PlaygroundSettings(default_temperature=high).default_temperature == high
    loaded = load_settings(env={"SWITCHBOARD_PLAYGROUND__DEFAULT_TEMPERATURE": str(high + 0.5)}, path=config)
    assert loaded.settings.playground.default_temperature is None
    assert any("DEFAULT_TEMPERATURE" in warning for warning in loaded.warnings)
