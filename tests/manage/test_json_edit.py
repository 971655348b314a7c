"""The JSON view's checks: every problem on the line where a person fixes it, in words."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.payloads import OPENAI_COMPLETIONS, azure_openai
from tui.domain.checks import MAX_JSON_DEPTH
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput
from tui.manage.json_edit import LineProblem, dump, parse_endpoint_json, terminal_safe


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of ``text`` holding ``needle``."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def body() -> dict[str, Any]:
    return copy.deepcopy(OPENAI_COMPLETIONS)


def external_model(data: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = data["config"]["served_entities"][0]["external_model"]
    return model


def only_problem(text: str) -> LineProblem:
    check = parse_endpoint_json(text)
    assert len(check.problems) == 1, check.problems
    assert check.model is None
    return check.problems[0]


# ---- syntax ------------------------------------------------------------------------------------

SYNTAX_ERRORS = [
    pytest.param('{\n  "name": "a"\n  "description": "b"\n}', 2, "missing comma or '}'", id="missing-comma-object"),
    pytest.param(
        '{\n  "tags": [\n    {"key": "a", "value": "b"}\n    {"key": "c", "value": "d"}\n  ]\n}',
        3,
        "missing comma or ']'",
        id="missing-comma-array",
    ),
    pytest.param('{\n  "name": "a",\n}', 2, "trailing comma before '}'", id="trailing-comma-object"),
    pytest.param(
        '{\n  "tags": [\n    {"key": "a", "value": "b"},\n  ]\n}', 3, "trailing comma before ']'", id="trail-arr"
    ),
    pytest.param('{\n  "name" "a"\n}', 2, "missing ':' after the field name", id="missing-colon"),
    pytest.param('{\n  "name": "a,\n  "description": "b"\n}', 2, "not closed on its line", id="string-open-at-eol"),
    pytest.param('{\n  "name": "abc', 2, "no closing double quote", id="unterminated-string"),
    pytest.param("{\n  'name': 'a'\n}", 2, "field names need double quotes", id="single-quoted-name"),
    pytest.param("{\n  \"name\": 'a'\n}", 2, "a string in double quotes, not single", id="single-quoted-value"),
    pytest.param('{\n  "route_optimized": True\n}', 2, "'True' is not one", id="python-constant"),
    pytest.param('{\n  "name": \n}', 2, "missing a value", id="missing-value"),
    pytest.param("[\n  1,\n  ,\n  2\n]", 2, "missing a value", id="two-commas"),
    pytest.param('{\n  "name": "a",\n  "route_optimized": tru\n}', 3, "'tru' is not one", id="typo-true"),
    pytest.param('{\n  "description": "C:\\q"\n}', 2, "unknown escape after a backslash", id="bad-escape"),
    pytest.param('{\n  "description": "\\u12g4"\n}', 2, "four hexadecimal digits", id="bad-unicode-escape"),
    pytest.param('{\n  "description": "a\tb"\n}', 2, "a tab inside a string is written \\t", id="raw-tab"),
    pytest.param('{\n  "description": "\x1b[2J"\n}', 2, "U+001B cannot be inside a string", id="raw-escape"),
    pytest.param('{\n  "name": "a"\n}\n}', 4, "an extra '}'", id="extra-brace"),
    pytest.param('{\n  "name": "a"\n}\nmore', 4, "more text after the end", id="extra-text"),
    pytest.param('{\n  "name": "a",\n  "tags": [\n', 3, "missing ']'", id="ends-in-array"),
    pytest.param('{\n  "name": "a"\n\n', 2, "the text ends before an object is closed (missing '}')", id="unclosed"),
    pytest.param("\ufeff{}", 1, "byte order mark (U+FEFF); delete it", id="bom"),
    pytest.param("", 1, "the text is empty", id="empty"),
    pytest.param("  \n  ", 1, "the text is empty", id="blank"),
    pytest.param('{\n  "name": "a",\n  "name": "b"\n}', 3, "'name' is given twice (first on line 2)", id="duplicate"),
    pytest.param('{\n  "name": "a",\n  "rate_limits": [{"calls": NaN}]\n}', 3, "NaN is not a JSON value", id="nan"),
    pytest.param('{\n  "name": "a",\n  "x": -Infinity\n}', 3, "-Infinity is not a JSON value", id="infinity"),
    pytest.param('{\n  "name": "a",\n  "calls": ' + "9" * 5000 + "\n}", 3, "too many digits", id="huge-integer"),
]


@pytest.mark.parametrize(("text", "line", "words"), SYNTAX_ERRORS)
def test_each_syntax_error_is_on_its_line_in_words(text: str, line: int, words: str) -> None:
    check = parse_endpoint_json(text)
    assert check.model is None
    found = [p for p in check.problems if words in p.message]
    assert found, check.problems
    assert found[0].line == line
    assert not any("Expecting" in p.message for p in check.problems)  # json's own words are not shown


def test_a_syntax_error_leaves_no_data() -> None:
    check = parse_endpoint_json('{"name": "a"')
    assert (check.data, check.model, check.valid) == (None, None, False)


def test_a_missing_comma_points_where_it_goes() -> None:
    problem = only_problem('{\n  "name": "a"\n  "description": "b"\n}')
    assert (problem.line, problem.column) == (2, len('  "name": "a"') + 1)


def test_a_trailing_comma_points_at_the_comma() -> None:
    problem = only_problem('{\n  "name": "a",\n}')
    assert (problem.line, problem.column) == (2, len('  "name": "a",'))


def test_a_duplicate_is_a_problem_even_when_the_body_is_valid() -> None:
    text = dump(body())
    text = text.replace('"name": "openai-completions",', '"name": "openai-completions",\n  "name": "again",', 1)
    check = parse_endpoint_json(text)
    assert check.data is not None and check.model is None
    assert [(p.line, "given twice" in p.message) for p in check.problems] == [(3, True)]


# ---- the domain's rules ------------------------------------------------------------------------


def test_a_valid_body_gives_the_model() -> None:
    check = parse_endpoint_json(dump(body()))
    assert check.problems == [] and check.valid
    assert isinstance(check.model, CreateServingEndpoint)
    assert check.model.name == "openai-completions"
    assert check.data == OPENAI_COMPLETIONS


def test_another_model_is_checked_by_its_rules() -> None:
    config = body()["config"]
    check = parse_endpoint_json(dump(config), EndpointCoreConfigInput)
    assert isinstance(check.model, EndpointCoreConfigInput)
    assert parse_endpoint_json(dump(body()), EndpointCoreConfigInput).problems  # 'name' is not a config field


def test_an_unknown_field_is_on_its_line_with_a_hint() -> None:
    data = body()
    model = external_model(data)
    model["nmae"] = model.pop("name")
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"nmae"')
    assert "unknown field 'nmae' (did you mean 'name'?)" in problem.message
    assert problem.message.startswith("config.served_entities[0].external_model: ")


def test_several_unknown_fields_are_each_on_their_own_line() -> None:
    data = body()
    data["descripton"] = "x"
    data["tagz"] = []
    text = dump(data)
    check = parse_endpoint_json(text)
    assert [p.line for p in check.problems] == [line_of(text, '"descripton"'), line_of(text, '"tagz"')]
    assert "did you mean 'description'?" in check.problems[0].message
    assert "did you mean 'tags'?" in check.problems[1].message


def test_a_bad_choice_is_on_its_line() -> None:
    data = body()
    external_model(data)["task"] = "llm/v1/chatty"
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"task"')
    assert "must be one of 'llm/v1/chat'" in problem.message and "not 'llm/v1/chatty'" in problem.message


def test_a_bad_url_is_on_its_line() -> None:
    data = azure_openai()
    external_model(data)["openai_config"]["openai_api_base"] = "ftp://example.com"
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"openai_api_base"')
    assert "must be an http:// or https:// URL" in problem.message


def test_a_bad_endpoint_name_is_on_its_line() -> None:
    data = body()
    data["name"] = "no spaces allowed"
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"no spaces allowed"')
    assert problem.message.startswith("name: ")


def test_a_missing_field_is_on_the_line_of_the_object_that_lacks_it() -> None:
    data = body()
    del external_model(data)["name"]
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"external_model": {')
    assert problem.message == "config.served_entities[0].external_model.name: is required"


def test_a_missing_top_level_field_is_on_the_first_line() -> None:
    data = body()
    del data["name"]
    text = "\n\n" + dump(data)
    problem = only_problem(text)
    assert (problem.line, problem.message) == (3, "name: is required")


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("rate_limits",), [{"calls": True, "key": "user"}], "calls: must be a number, not true"),
        (("tags",), "team", "tags: Input should be a valid list"),
        (("route_optimized",), "maybe", "route_optimized: Input should be a valid boolean"),
    ],
)
def test_a_wrong_type_is_on_its_line(path: tuple[str, ...], value: Any, words: str) -> None:
    data = body()
    data[path[0]] = value
    text = dump(data)
    problem = only_problem(text)
    needle = '"calls"' if path == ("rate_limits",) else f'"{path[0]}"'
    assert problem.line == line_of(text, needle)
    assert words in problem.message


def test_a_rule_of_a_whole_block_is_on_the_line_of_the_block() -> None:
    data = body()
    external_model(data)["anthropic_config"] = {"anthropic_api_key": "{{secrets/s/k}}"}
    text = dump(data)
    problem = only_problem(text)
    assert problem.line == line_of(text, '"external_model"')
    assert "'anthropic_config' does not match provider 'openai'" in problem.message


def test_problems_come_in_the_order_of_the_text() -> None:
    data = body()
    external_model(data)["task"] = "nope"
    data["rate_limits"] = [{"calls": True}]
    text = dump(data)
    lines = [p.line for p in parse_endpoint_json(text).problems]
    assert lines == sorted(lines) and len(lines) == 2


def test_text_that_is_not_an_object() -> None:
    problem = only_problem('[\n  {"name": "a"}\n]')
    assert (problem.line, problem.message) == (1, "expected a JSON object, got list")
    assert parse_endpoint_json('"just text"').data is None


def nested(levels: int) -> str:
    """A body whose email_notifications holds ``levels`` objects, the innermost on line 4."""
    return '{\n  "name": "deep",\n  "email_notifications":\n' + '{"a": ' * levels + "1" + "}" * levels + "\n}"


def test_nesting_as_deep_as_the_domain_allows_is_fine() -> None:
    assert parse_endpoint_json(nested(MAX_JSON_DEPTH - 1)).valid  # with the body itself: the limit


def test_nesting_too_deep_is_on_its_line() -> None:
    problem = only_problem(nested(MAX_JSON_DEPTH))
    assert problem.line == 4
    assert f"nested too deeply (at most {MAX_JSON_DEPTH} levels" in problem.message


def test_hostile_nesting_is_refused_without_recursion() -> None:
    problem = only_problem("\n" + "[" * 200_000)
    assert problem.line == 2 and "nested too deeply" in problem.message


def test_text_that_cannot_be_encoded_is_on_its_line() -> None:
    text = '{\n  "name": "a",\n  "tags": [\n    {"key": "\\ud800", "value": "x"}\n  ]\n}'
    problem = only_problem(text)
    assert problem.line == 4
    assert problem.message == "tags[0].key: is not valid text (it contains a lone surrogate)"


def test_a_problem_reads_as_its_line() -> None:
    assert str(LineProblem(3, 7, "name: is required")) == "line 3: name: is required"


# ---- dump --------------------------------------------------------------------------------------


def test_dump_indents_by_two_and_keeps_the_order() -> None:
    data = {"zeta": 1, "alpha": {"b": [1, 2], "a": "café"}}
    text = dump(data)
    assert text.splitlines()[:3] == ["{", '  "zeta": 1,', '  "alpha": {']
    assert "café" in text  # not \u00e9
    assert json.loads(text) == data


def test_dump_writes_no_character_that_steers_a_terminal() -> None:
    data = {"description": "\x1b[2J\x9b31m\u202eevil\x7f", "name": "[red]x[/red]"}
    text = dump(data)
    assert all(c.isprintable() or c == "\n" for c in text), text
    assert json.loads(text) == data  # the same value, written as \u escapes


def test_pasted_text_keeps_its_lines_and_loses_its_controls() -> None:
    pasted = '{\r\n\t"description": "\x1b[2J"\r}'
    safe = terminal_safe(pasted)
    assert safe == '{\n\t"description": "\\u001b[2J"\n}'
    assert parse_endpoint_json(safe).data == {"description": "\x1b[2J"}
    assert terminal_safe("plain {}") == "plain {}"
