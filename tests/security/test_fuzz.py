"""Generated hostile input for the CLI, the settings and the themes: clear errors, never a traceback.

Every case runs the CLI in-process, as ``switchboard`` would, and checks what a script or a person sees:
exit 0 or 1 (2 only for argparse's usage errors), stderr empty or made of ``Error: ... (CODE)`` and
``Warning: ...`` lines without a raw control character, never ``INTERNAL_ERROR`` (main's safety net:
its cause must be found and fixed), stdout JSON in plain ASCII, and after a refused change the
workspace exactly as before. Settings and theme files give warnings, never exceptions.

A short run by default; ``SWITCHBOARD_FUZZ_EXAMPLES=2500`` runs that many cases per test (over 10,000
in all). How many cases ran is printed at the end of a run without xdist (see conftest.py).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.cli_runner import Cli
from tests.payloads import (
    ANTHROPIC_COMPLETIONS,
    OPENAI_COMPLETIONS,
    RATE_LIMITS,
    azure_openai,
    openai_plaintext,
)
from tests.security.fuzz_tally import CASES
from tui import locations
from tui.cli.io import warn
from tui.domain.text import has_control
from tui.settings import Settings, dumps_toml, load_settings
from tui.themes import COLOUR_FIELDS, ThemeFile, load_user_themes

pytestmark = pytest.mark.fuzz

LONG_RUN = int(os.environ.get("SWITCHBOARD_FUZZ_EXAMPLES", "0"))
"""Cases per test in a long run (0: the short default run)."""

F = TypeVar("F", bound=Callable[..., Any])


def fuzz(default: int) -> Callable[[F], F]:
    """Hypothesis settings for one test: ``default`` cases, or the long run's number."""
    return settings(
        max_examples=LONG_RUN or default,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ------------------------------------------------------------------------------------------ checks

ERROR_OR_WARNING = re.compile(r"(Error: .+ \([A-Z_]+\)|Warning: .+)")


def run(cli: Cli, *args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    """The CLI's exit code, stdout and stderr; an argparse usage error (SystemExit) is exit code 2."""
    try:
        return cli(*args, stdin=stdin)
    except SystemExit as exc:
        out, err = cli.capsys.readouterr()
        return int(exc.code or 0), out, err


def assert_clean(code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "INTERNAL_ERROR" not in err, err
    assert not has_control(err), err
    assert out.isascii(), out  # json.dumps escapes every non-ASCII character, C1 controls included
    assert code in (0, 1, 2), (code, err)
    if code == 2:  # argparse: a usage line and an error line
        assert ": error: " in err, err
        return
    lines = err.splitlines()
    assert all(ERROR_OR_WARNING.fullmatch(line) for line in lines), err
    assert (code == 1) == any(line.startswith("Error: ") for line in lines), (code, err)


def count_case() -> None:
    CASES[os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split(" ")[0]] += 1


def run_clean(cli: Cli, *args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    count_case()
    code, out, err = run(cli, *args, stdin=stdin)
    assert_clean(code, out, err)
    return code, out, err


Command = tuple[tuple[str, ...], bytes]
"""The arguments of one CLI run and its standard input."""

ENDPOINTS_LISTED: tuple[tuple[str, ...], ...] = (("serving-endpoints", "list"),)


def secrets_listed(scope: str) -> tuple[tuple[str, ...], ...]:
    return ("secrets", "list-scopes"), ("secrets", "list-secrets", scope)


def listed(cli: Cli, listings: tuple[tuple[str, ...], ...]) -> list[tuple[int, str]]:
    return [run(cli, *args)[:2] for args in listings]


def assert_refusals_change_nothing(cli: Cli, listings: tuple[tuple[str, ...], ...], *commands: Command) -> None:
    """Run each command (each checked by :func:`assert_clean`); after one that fails, what ``listings``
    print must be exactly what they printed before it: nothing half-written."""
    state = listed(cli, listings)
    for args, stdin in commands:
        code, _, _ = run_clean(cli, *args, stdin=stdin)
        after = listed(cli, listings)
        if code != 0:
            assert after == state, args
        state = after


# -------------------------------------------------------------------------------------- strategies

NASTY_CHARS = [
    "\x00",
    "\x1b",
    "\x1b[2J",
    "\x07",
    "\x7f",
    "\x9b",
    "\u202e",
    "\u2066",
    "\ud800",
    "\udcff",
    "\n",
    "\r\n",
    "\t",
    "\ufeff",
]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates included
ANY_TEXT = st.lists(st.one_of(ANY_CHAR, st.sampled_from(NASTY_CHARS)), max_size=24).map("".join)

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(), ANY_TEXT
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=16
)

SEEDS: dict[str, Any] = {
    "create": [OPENAI_COMPLETIONS, openai_plaintext(), azure_openai(), ANTHROPIC_COMPLETIONS],
    "update-config": [OPENAI_COMPLETIONS["config"], azure_openai()["config"]],
    "put": [RATE_LIMITS, {"rate_limits": [{"calls": 10, "key": "endpoint", "renewal_period": "minute"}]}],
    "put-ai-gateway": [
        {
            "rate_limits": [{"calls": 10, "tokens": 100, "key": "user", "principal": "me", "renewal_period": "minute"}],
            "usage_tracking_config": {"enabled": True},
            "inference_table_config": {
                "enabled": False,
                "catalog_name": "c",
                "schema_name": "s",
                "table_name_prefix": "t",
            },
            "guardrails": {
                "input": {
                    "safety": True,
                    "pii": {"behavior": "BLOCK"},
                    "invalid_keywords": ["x"],
                    "valid_topics": ["y"],
                }
            },
            "fallback_config": {"enabled": True},
        }
    ],
    "patch": [{"add_tags": [{"key": "env", "value": "prod"}], "delete_tags": ["team"]}],
}


def _words(value: Any) -> Iterator[Any]:
    """Every key and plain value of the seeds: the vocabulary of structured-but-wrong bodies."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from _words(child)
    elif isinstance(value, list):
        for child in value:
            yield from _words(child)
    else:
        yield value


SETTINGS_WORDS = ["switchboard-dark", "nord", "vertical", "ctrl+r", "send-all", "none", "#4FA3E0", "bold"]
WORDS = sorted({*SETTINGS_WORDS, *(w for seeds in SEEDS.values() for w in _words(seeds))}, key=repr)
WORD_KEYS = [w for w in WORDS if isinstance(w, str)]
LEAF = st.one_of(st.sampled_from(WORDS), SCALARS)


def mutated(value: Any) -> st.SearchStrategy[Any]:
    """``value`` with fields dropped, added (real names) or replaced (real values, or anything)."""
    if isinstance(value, dict):
        kept = st.fixed_dictionaries({}, optional={key: mutated(child) for key, child in value.items()})
        names = st.one_of(st.sampled_from(sorted({*WORD_KEYS, *value})), ANY_TEXT)
        added = st.dictionaries(names, st.one_of(LEAF, JSON), max_size=2)
        return st.one_of(st.builds(lambda a, b: {**a, **b}, kept, added), JSON)
    if isinstance(value, list):
        return st.one_of(st.lists(st.one_of(*map(mutated, value)), max_size=3), JSON)
    return st.one_of(st.just(value), LEAF)


BODIES = {command: st.one_of(*map(mutated, seeds)) for command, seeds in SEEDS.items()}

HOSTILE_JSON = st.one_of(
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(1, 6000).map(lambda n: '{"name": ' + "9" * n + "}"),
    st.sampled_from(
        ['{"name": "\\ud800"}', '{"\\udcff": 1}', "NaN", '{"config": Infinity}', "1e999", '"\\u001b[2J"', "", " "]
    ),
)


def json_text(body: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return st.one_of(body.map(json.dumps), HOSTILE_JSON, ANY_TEXT)


def encoded(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return text.map(lambda t: t.encode("utf-8", "surrogatepass"))


BYTES = st.one_of(
    st.binary(max_size=64), encoded(ANY_TEXT), st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf{}"])
)


# -------------------------------------------------------------------------------------------- CLI

SCOPE, KEY = "my_openai_secret_scope", "openai_api_key"
CLOSED_PORT_BASE = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, so a query fails at once


@pytest.fixture
def ready(workspace_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI on a workspace with the seed's secrets and one endpoint to change."""
    cli = Cli(workspace_file, capsys, monkeypatch)
    for scope, key in ((SCOPE, KEY), ("my_anthropic_secret_scope", "anthropic_api_key")):
        assert run(cli, "secrets", "create-scope", scope)[0] == 0
        assert run(cli, "secrets", "put-secret", scope, key, "--string-value", "sk-test")[0] == 0
    target = {**copy.deepcopy(OPENAI_COMPLETIONS), "name": "target"}
    target["config"]["served_entities"][0]["external_model"]["openai_config"]["openai_api_base"] = CLOSED_PORT_BASE
    assert run(cli, "serving-endpoints", "create", "--json", json.dumps(target))[0] == 0
    return cli


def body_commands() -> st.SearchStrategy[tuple[str, ...]]:
    def args(command: str, text: str) -> tuple[str, ...]:
        return ("serving-endpoints", command, *(() if command == "create" else ("target",)), "--json", text)

    return st.one_of(*(json_text(body).map(lambda text, c=command: args(c, text)) for command, body in BODIES.items()))


@fuzz(default=150)
@given(args=body_commands())
def test_endpoint_bodies(ready: Cli, args: tuple[str, ...]) -> None:
    assert_refusals_change_nothing(ready, ENDPOINTS_LISTED, (args, b""))


@fuzz(default=80)
@given(data=st.one_of(BYTES, encoded(json_text(BODIES["create"]))), name=st.one_of(st.none(), ANY_TEXT))
def test_json_files_of_any_bytes(ready: Cli, tmp_path: Path, data: bytes, name: str | None) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(data)
    create = ("serving-endpoints", "create", *(() if name is None else (name,)), "--json")
    assert_refusals_change_nothing(ready, ENDPOINTS_LISTED, ((*create, f"@{path}"), b""), ((*create, "@-"), data))


BASE64 = st.binary(max_size=24).map(lambda data: base64.b64encode(data).decode())
SECRET_VALUES: st.SearchStrategy[Command] = st.one_of(
    st.tuples(st.just("--string-value"), ANY_TEXT).map(lambda flag: (flag, b"")),
    st.tuples(st.just("--bytes-value"), st.one_of(ANY_TEXT, BASE64)).map(lambda flag: (flag, b"")),
    BYTES.map(lambda data: ((), data)),  # standard input
)


@fuzz(default=100)
@given(scope=st.one_of(st.just(SCOPE), ANY_TEXT), key=st.one_of(st.just(KEY), ANY_TEXT), value=SECRET_VALUES)
def test_secret_names_and_values(ready: Cli, scope: str, key: str, value: Command) -> None:
    flags, stdin = value
    commands: list[Command] = [
        (("secrets", "create-scope", scope), b""),
        (("secrets", "put-secret", scope, key, *flags), stdin),
    ]
    if scope != SCOPE:  # keep the workspace small for the next case
        commands.append((("secrets", "delete-scope", scope), b""))
    assert_refusals_change_nothing(ready, secrets_listed(scope), *commands)


QUERY_BODIES = st.one_of(
    mutated({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, "temperature": 0.5, "stream": False}),
    mutated({"prompt": "hi", "max_tokens": 5, "n": 2, "stop": ["x"]}),
    mutated({"input": ["a", "b"]}),
)


@fuzz(default=100)
@given(text=json_text(QUERY_BODIES), stream=st.booleans())
def test_query_bodies(ready: Cli, text: str, stream: bool) -> None:
    flags = ["--stream"] if stream else []
    code, out, err = run_clean(
        ready, "serving-endpoints", "query", "target", *flags, f"--json={text}"
    )  # = so "-1" is a value
    assert code == 1, out  # refused, or accepted and then unreachable
    assert "(INVALID_PARAMETER_VALUE)" in err or "(TEMPORARILY_UNAVAILABLE)" in err, err


COMMAND_WORDS = [
    "secrets",
    "serving-endpoints",
    "locate",
    "create-scope",
    "delete-scope",
    "list-scopes",
    "put-secret",
    "list-secrets",
    "delete-secret",
    "create",
    "get",
    "list",
    "update-config",
    "put",
    "put-ai-gateway",
    "patch",
    "query",
    "delete",
    "--json",
    "--string-value",
    "--bytes-value",
    "--stream",
    "--no-wait",
    "--workspace",
    "--help",
    "-h",
    "--initial-manage-principal",
    "target",
    SCOPE,
    KEY,
    "{}",
    "@-",
    "--",
]


ARGV = st.lists(st.one_of(st.sampled_from(COMMAND_WORDS), ANY_TEXT), max_size=6)


@fuzz(default=120)
@given(group=st.sampled_from(["secrets", "serving-endpoints", "locate"]), rest=ARGV)
def test_any_argv(ready: Cli, tmp_path: Path, group: str, rest: list[str]) -> None:
    # a command always comes first (without one the app would open); --workspace stays inside tmp_path
    args = [
        str(tmp_path / "other.db") if previous == "--workspace" else word
        for previous, word in zip(["", *rest], rest, strict=False)
    ]
    assert_refusals_change_nothing(ready, (*ENDPOINTS_LISTED, *secrets_listed(SCOPE)), ((group, *args), b""))


# ------------------------------------------------------------------------------- settings and themes


def toml_text(template: dict[str, Any]) -> st.SearchStrategy[str]:
    """TOML with the real names (and others) holding any values, written with the settings' own writer."""
    return (
        mutated(template).filter(lambda data: isinstance(data, dict)).map(lambda data: dumps_toml(_without_none(data)))
    )


def _without_none(value: Any) -> Any:
    """TOML has no null: drop None, in lists too (the writer leaves it out of tables only)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value


HOSTILE_TOML = st.one_of(
    st.integers(1, 5000).map(lambda n: "theme = " + "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "a = " + "{x=" * n + "1" + "}" * n),
    st.integers(1, 6000).map(lambda n: "[timeouts]\nread = " + "9" * n),
    st.sampled_from(
        ['theme = "\\u001b]52;c;aGk=\\u0007"', "theme = nan", '[keymap]\n"\\u009b" = 1', "hostname = 1979-05-27"]
    ),
)
SETTINGS_TEXT = st.one_of(toml_text(Settings().model_dump()), HOSTILE_TOML, ANY_TEXT)
SETTINGS_FILES = st.one_of(encoded(SETTINGS_TEXT), BYTES)
ENV_NAMES = [
    "SWITCHBOARD_THEME",
    "SWITCHBOARD_KEYMAP",
    "SWITCHBOARD_TIMEOUTS",
    "SWITCHBOARD_TIMEOUTS__READ",
    "SWITCHBOARD_PLAYGROUND__MAX_PANES",
    "SWITCHBOARD_X__",
    "switchboard_hostname",
]
ENV = st.dictionaries(
    st.sampled_from(ENV_NAMES),
    st.one_of(json_text(JSON), ANY_TEXT).map(lambda t: t.replace("\x00", "")),  # no NUL in a real environment
    max_size=2,
)


def assert_warnings_print_cleanly(warnings: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert all(isinstance(w, str) and w for w in warnings), warnings
    for warning in warnings:
        warn(warning)
    err = capsys.readouterr().err
    assert not has_control(err) and len(err.splitlines()) == len(warnings), err


@fuzz(default=200)
@example(data=b"theme = " + b"[" * 5000 + b"]" * 5000, env={})  # found: RecursionError in tomllib
@example(data=b"[timeouts]\nread = " + b"9" * 5000, env={})  # found: ValueError (int max str digits)
@example(data=b"", env={"SWITCHBOARD_KEYMAP": '{"a":' * 900 + "1" + "}" * 900})  # found: RecursionError copying it
@given(data=SETTINGS_FILES, env=ENV)
def test_config_files(capsys: pytest.CaptureFixture[str], data: bytes, env: dict[str, str]) -> None:
    count_case()
    path = locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    loaded, warnings = load_settings(env=env)
    assert isinstance(loaded, Settings)
    assert_warnings_print_cleanly(warnings, capsys)


THEME: dict[str, Any] = {
    **dict.fromkeys(COLOUR_FIELDS, "#4FA3E0"),
    "name": "mine",
    "dark": True,
    "luminosity_spread": 0.15,
    "text_alpha": 0.95,
    "ansi": False,
    "variables": {"footer-key-foreground": "#F2A33A", "block-cursor-text-style": "bold", "my-own": "red"},
}
assert set(THEME) == set(ThemeFile.model_fields)
COLOURS = st.sampled_from(
    ["#fff", "#12345678", "red", "rgb(1,2,3)", "hsl(10,20%,30%)", "ansi_red", "transparent", "#GGG", "bold", "$primary"]
)
VARIABLES = st.dictionaries(
    st.sampled_from(["footer-key-foreground", "block-cursor-text-style", "x-background", "my-own", "0"]),
    st.one_of(COLOURS, ANY_TEXT),
    max_size=2,
)
THEME_TEXT = st.one_of(
    toml_text(THEME),
    st.fixed_dictionaries({"primary": COLOURS}, optional={"variables": VARIABLES}).map(dumps_toml),
    HOSTILE_TOML,
    ANY_TEXT,
)


@fuzz(default=100)
@example(files=[b'primary = "#000"\n[variables]\n"0" = ""\n'])  # found: UnresolvedVariableError
@example(files=[b'primary = "#000"\n[variables]\na = "}"\n'])  # found: UnexpectedEnd
@given(files=st.lists(st.one_of(encoded(THEME_TEXT), BYTES), min_size=1, max_size=3))
def test_theme_files(files: list[bytes]) -> None:
    count_case()
    folder = locations.user_themes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for index, data in enumerate(files):
        (folder / f"theme{index}.toml").write_bytes(data)
    loaded = load_user_themes()
    assert len(loaded.themes) + len(loaded.failed) == len(files)
    assert all(isinstance(reason, str) and reason for _, reason in loaded.failed), loaded.failed
