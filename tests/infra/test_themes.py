"""Themes: the built-ins load and work in a real app; a bad user file is reported, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import BUILTIN_THEMES as TEXTUAL_THEMES
from textual.widgets import Footer, Input, Static

from tests.helpers.app import wait_until
from tui import locations, themes
from tui.themes import (
    LoadedThemes,
    builtin_themes_dir,
    load_builtin_themes,
    load_theme_file,
    load_themes,
    load_user_themes,
    register_themes,
)

BUILTIN_NAMES = {"switchboard-dark", "switchboard-light", "high-contrast", "everforest", "kanagawa"}
REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"


@pytest.fixture
def user_dir(isolated_dirs: Path) -> Path:
    folder = locations.user_themes_dir()
    assert folder.is_relative_to(isolated_dirs)
    folder.mkdir(parents=True)
    return folder


def theme_file(folder: Path, stem: str, text: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class ThemedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello", id="hello")
        yield Input(value="typed")
        yield Footer()


# ---------------------------------------------------------------- built-ins


def test_the_builtin_folder_holds_the_repository_themes() -> None:
    # the checkout's themes/ here, or tui/_themes if the tests import an installed wheel
    found = {p.name: p.read_bytes() for p in builtin_themes_dir().glob("*.toml")}
    assert found == {p.name: p.read_bytes() for p in REPO_THEMES.glob("*.toml")}
    assert {name.removesuffix(".toml") for name in found} == BUILTIN_NAMES


def test_the_builtin_folder_is_found_in_a_wheel_layout_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "tui"
    package.mkdir(parents=True)
    monkeypatch.setattr(themes, "__file__", str(package / "themes.py"))
    assert builtin_themes_dir() == package / "_themes"  # neither exists: the packaged place, reported on load
    (tmp_path / "site" / "themes").mkdir()
    assert builtin_themes_dir() == tmp_path / "site" / "themes"  # source-checkout layout
    (package / "_themes").mkdir()
    assert builtin_themes_dir() == package / "_themes"  # installed wheel wins


def test_every_builtin_theme_loads_with_no_failures() -> None:
    loaded = load_builtin_themes()
    assert loaded.failed == []
    assert {t.name for t in loaded.themes} == BUILTIN_NAMES
    by_name = {t.name: t for t in loaded.themes}
    assert by_name["switchboard-light"].dark is False
    assert all(by_name[name].dark for name in BUILTIN_NAMES - {"switchboard-light"})


def test_builtin_names_never_replace_textual_themes_by_accident() -> None:
    assert BUILTIN_NAMES.isdisjoint(TEXTUAL_THEMES)


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    parsed = Color.parse(colour)
    return 0.2126 * linear(parsed.r) + 0.7152 * linear(parsed.g) + 0.0722 * linear(parsed.b)


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_high_contrast_meets_wcag() -> None:
    theme = load_theme_file(REPO_THEMES / "high-contrast.toml")
    assert (theme.background, theme.foreground) == ("#000000", "#FFFFFF")
    assert contrast(theme.foreground, theme.background) == pytest.approx(21.0)
    assert theme.text_alpha == 1.0
    for colour in (theme.primary, theme.secondary, theme.accent, theme.success, theme.warning, theme.error):
        assert contrast(colour, theme.background) >= 4.5, colour  # WCAG AA, normal text
    assert contrast(theme.accent, theme.background) >= 7  # AAA for the accent


@pytest.mark.parametrize("name", sorted(BUILTIN_NAMES))
def test_every_builtin_theme_keeps_text_legible(name: str) -> None:
    theme = load_theme_file(REPO_THEMES / f"{name}.toml")
    for background in (theme.background, theme.surface, theme.panel):
        assert contrast(theme.foreground, background) >= 4.5, background
    for role in ("primary", "accent", "success", "warning", "error"):  # also used as text colours
        assert contrast(getattr(theme, role), theme.background) >= 4.5, role


async def test_every_builtin_theme_registers_and_applies_in_a_real_app() -> None:
    loaded = load_builtin_themes()
    app = ThemedApp()
    async with app.run_test() as pilot:
        names = register_themes(app, loaded)
        assert set(names) == BUILTIN_NAMES
        for theme in loaded.themes:
            app.theme = theme.name
            background = Color.parse(theme.background)
            await wait_until(pilot, lambda b=background: app.screen.styles.background == b)
            assert app.current_theme is theme
            hello = app.query_one("#hello", Static)
            assert hello.styles.color.a > 0  # the stylesheet re-parsed with the theme's variables
            assert app.theme_variables["background"] == Color.parse(theme.background).hex


# ---------------------------------------------------------------- user themes


GOOD = 'name = "mine"\nprimary = "#336699"\nbackground = "#101010"\n[variables]\n"footer-key-foreground" = "#ffcc00"\n'


def test_a_broken_user_theme_is_reported_while_good_ones_load(user_dir: Path) -> None:
    theme_file(user_dir, "mine", GOOD)
    theme_file(user_dir, "nameless", 'primary = "#abcdef"\n')
    broken = {
        "syntax": theme_file(user_dir, "syntax", "primary = \n"),
        "typo": theme_file(user_dir, "typo", 'primay = "#ffffff"\n'),
        "colour": theme_file(user_dir, "colour", 'primary = "blurple"\n'),
        "variable": theme_file(
            user_dir, "variable", 'primary = "#fff"\n[variables]\n"footer-key-foreground" = "nope"\n'
        ),
        "style": theme_file(user_dir, "style", 'primary = "#fff"\n[variables]\n"block-cursor-text-style" = "shiny"\n'),
        "comma": theme_file(user_dir, "comma", 'name = "a,b"\nprimary = "#fff"\n'),
        "binary": user_dir / "binary.toml",
    }
    broken["binary"].write_bytes(b"\xff\xfe")
    theme_file(user_dir, ".hidden", "not toml at all [")
    (user_dir / "notes.txt").write_text("ignored")

    loaded = load_themes()
    names = [t.name for t in loaded.themes]
    assert names[: len(BUILTIN_NAMES)] == [t.name for t in load_builtin_themes().themes]
    assert names[len(BUILTIN_NAMES) :] == ["mine", "nameless"]  # file-name order; name from the stem
    reasons = dict(loaded.failed)
    assert set(reasons) == set(broken.values())
    assert reasons[broken["syntax"]].startswith("not valid TOML: ")
    assert reasons[broken["typo"]] == "'primary' is required; unknown field 'primay' (did you mean 'primary'?)"
    assert reasons[broken["colour"]] == "primary: 'blurple' is not a colour Textual understands (try #rrggbb)"
    assert reasons[broken["variable"]] == "variable 'footer-key-foreground': 'nope' is not a valid color value"
    assert reasons[broken["style"]] == "variable 'block-cursor-text-style': 'shiny' is not a valid text-style value"
    assert reasons[broken["comma"]] == "name: a theme name cannot contain a comma"
    assert reasons[broken["binary"]] == "not UTF-8 text"


async def test_loaded_user_themes_work_in_a_real_app(user_dir: Path) -> None:
    theme_file(user_dir, "mine", GOOD)
    theme_file(user_dir, "bad", 'primary = "#fff"\n[variables]\n"footer-key-foreground" = "nope"\n')
    loaded = load_themes()
    app = ThemedApp()
    async with app.run_test() as pilot:
        register_themes(app, loaded)
        assert "bad" not in app.available_themes  # it would have crashed the stylesheet when chosen
        app.theme = "mine"
        await wait_until(pilot, lambda: app.screen.styles.background == Color.parse("#101010"))
        assert app.theme_variables["footer-key-foreground"] == "#ffcc00"


async def test_a_user_theme_with_a_builtin_name_replaces_it(user_dir: Path) -> None:
    theme_file(user_dir, "my-dark", 'name = "switchboard-dark"\nprimary = "#ff0000"\nbackground = "#202020"\n')
    theme_file(user_dir, "nord", 'primary = "#00ff00"\n')  # one of Textual's names: the user wins too
    loaded = load_themes()
    assert loaded.failed == []
    by_name = {t.name: t for t in loaded.themes}
    assert len(by_name) == len(loaded.themes) == len(BUILTIN_NAMES) + 1
    assert by_name["switchboard-dark"].primary == "#ff0000"
    assert [t.name for t in loaded.themes].index("switchboard-dark") == [
        t.name for t in load_builtin_themes().themes
    ].index("switchboard-dark")  # keeps its place

    app = ThemedApp()
    async with app.run_test() as pilot:
        register_themes(app, loaded)
        assert app.get_theme("nord").primary == "#00ff00"
        app.theme = "switchboard-dark"
        await wait_until(pilot, lambda: app.screen.styles.background == Color.parse("#202020"))


def test_two_user_files_with_one_name_fail_the_second(user_dir: Path) -> None:
    first = theme_file(user_dir, "a", 'name = "twin"\nprimary = "#111111"\n')
    second = theme_file(user_dir, "b", 'name = "twin"\nprimary = "#222222"\n')
    loaded = load_user_themes()
    assert [(t.name, t.primary) for t in loaded.themes] == [("twin", "#111111")]
    assert loaded.failed == [(second, "the name 'twin' is already used by a.toml")]
    assert first.exists()


def test_missing_folders(tmp_path: Path) -> None:
    assert load_user_themes(tmp_path / "none") == LoadedThemes([], [])
    assert load_user_themes() == LoadedThemes([], [])  # the real default, absent under the test HOME
    loaded = load_builtin_themes(tmp_path / "gone")
    assert loaded.themes == []
    assert loaded.failed == [(tmp_path / "gone", "the folder is missing (is Switchboard installed completely?)")]
    afile = tmp_path / "file"
    afile.write_text("x")
    assert load_user_themes(afile).failed == [(afile, "not a folder")]


def test_register_themes_accepts_a_plain_list() -> None:
    app = ThemedApp()
    theme = load_theme_file(REPO_THEMES / "kanagawa.toml")
    assert register_themes(app, [theme]) == ["kanagawa"]
    assert app.get_theme("kanagawa") is theme


def test_a_theme_may_define_its_own_variables_and_bad_ones_are_reasons(user_dir: Path) -> None:
    # found by tests/security/test_fuzz.py: the check raised instead of reporting (issue 8)
    theme_file(user_dir, "own", 'primary = "#fff"\n[variables]\n"my-accent" = "#ff0000"\n')
    refused = {
        theme_file(
            user_dir, "brace", 'primary = "#fff"\n[variables]\na = "}"\n'
        ): "variable 'a': '}' is not a valid color value",
        theme_file(user_dir, "spaced", 'primary = "#fff"\n[variables]\n"my accent" = "red"\n'): (
            "variables: 'my accent' is not a name Textual's CSS can refer to (letters, digits, '-' and '_')"
        ),
        theme_file(
            user_dir, "deep", "primary = " + "[" * 5000 + "]" * 5000
        ): "not valid TOML: arrays or tables nested too deeply",
    }
    loaded = load_user_themes()
    assert [t.name for t in loaded.themes] == ["own"] and loaded.themes[0].variables == {"my-accent": "#ff0000"}
    assert dict(loaded.failed) == refused
