"""check_user_input: the domain's rules as one problem per field path, for forms that show them in place."""

from __future__ import annotations

from typing import Any

import pytest

from tui.domain.base import Problem, check_user_input, parse_user_input
from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import InvalidParameterValue
from tui.simulator.endpoints import endpoint_body

BASE = "http://127.0.0.1:9"


def _body(**changes: Any) -> dict[str, Any]:
    body = endpoint_body(BASE, "openai", "chat", name="ok-name")
    body.update(changes)
    return body


def test_valid_body_gives_the_model_and_no_problem() -> None:
    model, problems = check_user_input(CreateServingEndpoint, _body())
    assert problems == []
    assert model is not None and model.name == "ok-name"


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (_body(name="bad name!"), ("name",), "name"),
        (_body(nmae="x"), (), "did you mean 'name'"),
        ({"config": _body()["config"]}, ("name",), "is required"),
        (_body(tags="x"), ("tags",), ""),
    ],
)
def test_each_problem_names_its_field(body: dict[str, Any], path: tuple[Any, ...], words: str) -> None:
    model, problems = check_user_input(CreateServingEndpoint, body)
    assert model is None
    assert any(p.path == path and words in p.message for p in problems), problems


def test_a_nested_problem_has_the_full_path_and_reads_as_json() -> None:
    body = _body()
    body["config"]["served_entities"][0]["external_model"]["openai_config"]["openai_api_base"] = "ftp://x"
    _, problems = check_user_input(CreateServingEndpoint, body)
    where = [p.where for p in problems]
    assert "config.served_entities[0].external_model.openai_config.openai_api_base" in where, where


def test_not_an_object_and_too_deep_are_problems_not_exceptions() -> None:
    assert check_user_input(CreateServingEndpoint, [1])[1] == [Problem((), "expected a JSON object, got list")]
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100):
        node["x"] = {}
        node = node["x"]
    model, problems = check_user_input(CreateServingEndpoint, deep)
    assert model is None and "deep" in problems[0].message


def test_the_cli_message_is_the_same_problems_joined() -> None:
    body = _body(name="bad name!", nmae="x")
    _, problems = check_user_input(CreateServingEndpoint, body)
    with pytest.raises(InvalidParameterValue) as caught:
        parse_user_input(CreateServingEndpoint, body, "endpoint")
    assert caught.value.message == "Invalid endpoint: " + "; ".join(str(p) for p in problems)
