"""OpenAI's request validation, worded as the API words it (``param``, ``code`` and the sentence).

Shared by every OpenAI-shaped dialect (OpenAI, Azure OpenAI, Databricks); each passes what differs,
such as the largest ``n``.
"""

from __future__ import annotations

from typing import Any

from tui.simulator.dialects.base import ApiError
from tui.simulator.dialects.request_values import is_int, is_number, json_type

CHAT_ROLES = ("system", "assistant", "user", "function", "tool", "developer")
BAD_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."


def _missing(name: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")


def _invalid_value(param: str, message: str) -> ApiError:
    return ApiError(400, message, param=param, code="invalid_value")


def check_messages(body: dict[str, Any]) -> None:
    """A chat body's ``messages``: a non-empty array of objects, each with a known ``role``."""
    messages = body.get("messages")
    if messages is None:
        raise _missing("messages")
    if not isinstance(messages, list):
        raise ApiError(
            400,
            f"Invalid type for 'messages': expected an array, but got {json_type(messages)} instead.",
            param="messages",
            code="invalid_type",
        )
    if not messages:
        raise ApiError(
            400,
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param="messages",
            code="empty_array",
        )
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise ApiError(
                400,
                f"Invalid type for 'messages[{i}]': expected an object, but got {json_type(message)} instead.",
                param=f"messages[{i}]",
                code="invalid_type",
            )
        role = message.get("role")
        if role is None:
            raise _missing(f"messages[{i}].role")
        if role not in CHAT_ROLES:
            raise _invalid_value(
                f"messages[{i}].role",
                f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', "
                "'tool', and 'developer'.",
            )


def check_prompt(body: dict[str, Any]) -> None:
    """A completions body's ``prompt``: a string or a non-empty array."""
    prompt = body.get("prompt")
    if prompt is None:
        raise _missing("prompt")
    if not (isinstance(prompt, str) or (isinstance(prompt, list) and prompt)):
        raise ApiError(400, "Invalid 'prompt': expected a string or a non-empty array.", param="prompt")


def check_sampling(body: dict[str, Any], max_n: int) -> None:
    """The sampling knobs of a chat or completions body: ``n``, token limits, temperature, top_p, stop."""
    n = body.get("n")
    if n is not None and (not is_int(n) or not 1 <= n <= max_n):
        raise ApiError(400, f"Invalid 'n': expected an integer between 1 and {max_n}, got {n!r}.", param="n")
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (not is_int(value) or value < 1):
            raise ApiError(400, f"Invalid '{name}': expected an integer >= 1, but got {value!r} instead.", param=name)
    temperature = body.get("temperature")
    if temperature is not None and (not is_number(temperature) or not 0 <= temperature <= 2):
        raise _invalid_value(
            "temperature", f"Invalid 'temperature': expected a number between 0 and 2, but got {temperature!r} instead."
        )
    top_p = body.get("top_p")
    if top_p is not None and (not is_number(top_p) or not 0 <= top_p <= 1):
        raise ApiError(400, f"Invalid 'top_p': expected a number between 0 and 1, got {top_p!r}.", param="top_p")
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str):
        if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
            raise ApiError(400, "Invalid 'stop': expected a string or an array of strings.", param="stop")
        if len(stop) > 4:
            raise ApiError(
                400,
                f"Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array "
                f"with length {len(stop)} instead.",
                param="stop",
                code="array_above_max_length",
            )
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise ApiError(
            400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param="stream_options"
        )


def check_embeddings(body: dict[str, Any]) -> None:
    """An embeddings body: a non-empty ``input``, a known ``encoding_format``, positive ``dimensions``."""
    value = body.get("input")
    if value is None:
        raise _missing("input")
    empty = value == "" or value == [] or (isinstance(value, list) and any(v == "" or v == [] for v in value))
    if empty or not isinstance(value, (str, list)):
        raise ApiError(400, BAD_INPUT, param="input")
    fmt = body.get("encoding_format")
    if fmt is not None and fmt not in ("float", "base64"):
        raise _invalid_value("encoding_format", f"Invalid value: '{fmt}'. Supported values are: 'float' and 'base64'.")
    dims = body.get("dimensions")
    if dims is not None and (not is_int(dims) or dims < 1):
        raise ApiError(400, f"Invalid 'dimensions': expected an integer >= 1, got {dims!r}.", param="dimensions")
