"""Copy an endpoint (or a playground pane's last request) as code to run elsewhere.

Formats (:data:`FORMATS`): a ``curl`` command and ``openai`` SDK code straight to the provider, openai SDK
code and an MLflow deployments call through a Databricks workspace, and the ``databricks
serving-endpoints create`` command that makes the endpoint. No snippet holds a secret: credentials are
environment variables named after their field, and the text from outside is quoted for its language.
"""

from __future__ import annotations

from typing import Any

from tui.domain.endpoints import TASK_CHAT, ServingEndpointDetailed
from tui.manage.copy_as_create import create_snippet
from tui.manage.copy_as_provider import Direct, comment, direct_target, quoted, served_model
from tui.manage.copy_as_python import mlflow_snippet, openai_databricks_snippet, openai_provider_snippet
from tui.manage.copy_as_shell import curl_snippet
from tui.playground.model import is_chat
from tui.playground.requests import build_request, user_turn

FORMATS: dict[str, str] = {
    "curl": "curl · straight to the provider",
    "openai": "Python · openai SDK, straight to the provider",
    "openai-databricks": "Python · openai SDK, through Databricks",
    "mlflow": "Python · MLflow deployments client",
    "create": "Shell · databricks serving-endpoints create",
}
"""Format id -> what the user picks."""
LANGUAGES: dict[str, str] = {
    "curl": "bash",
    "openai": "python",
    "openai-databricks": "python",
    "mlflow": "python",
    "create": "bash",
}
"""Format id -> the language of its text (for highlighting)."""
SAMPLE_TEXT = "Hello! What can you do?"


def sample_request(task: str) -> dict[str, Any]:
    """What an endpoint's snippets send when no request is given: a short greeting."""
    conversation = [user_turn(SAMPLE_TEXT)] if is_chat(task) else []
    return build_request(task, SAMPLE_TEXT, {"max_tokens": 256}, conversation)


def _task(endpoint: ServingEndpointDetailed) -> str:
    model, _ = served_model(endpoint)
    return endpoint.task or (model.task if model else None) or TASK_CHAT


def _target(endpoint: ServingEndpointDetailed) -> Direct | None:
    model, _ = served_model(endpoint)
    return direct_target(model) if model is not None else None


def available_formats(endpoint: ServingEndpointDetailed, *, for_request: bool = False) -> list[str]:
    """The formats ``endpoint`` can be copied as, in :data:`FORMATS` order (a request: no "create").
    Straight to the provider needs a provider these snippets speak (openai SDK: an OpenAI-like one)."""
    target = _target(endpoint)
    usable = {
        "curl": target is not None,
        "openai": target is not None and target.openai_like,
        "openai-databricks": True,
        "mlflow": True,
        "create": not for_request,
    }
    return [fmt for fmt in FORMATS if usable[fmt]]


def endpoint_snippet(fmt: str, endpoint: ServingEndpointDetailed) -> str:
    """``endpoint`` as ``fmt``; the request formats send :func:`sample_request`."""
    if fmt == "create":
        return create_snippet(endpoint)
    return request_snippet(fmt, endpoint, sample_request(_task(endpoint)))


def request_snippet(fmt: str, endpoint: ServingEndpointDetailed, request: dict[str, Any]) -> str:
    """``request`` (a standard request, as a playground pane sent it) to ``endpoint`` as ``fmt``.

    Raises ValueError for a format ``endpoint`` cannot be copied as (see :func:`available_formats`).
    """
    if fmt not in available_formats(endpoint, for_request=True):
        raise ValueError(f"endpoint {endpoint.name!r} cannot be copied as {fmt!r}")
    task = _task(endpoint)
    if fmt == "mlflow":
        return mlflow_snippet(endpoint.name, request)
    if fmt == "openai-databricks":
        return openai_databricks_snippet(endpoint.name, task, request)
    target = _target(endpoint)
    assert target is not None  # available_formats said so
    notes = _provider_notes(endpoint, target)
    if fmt == "curl":
        return curl_snippet(target, task, request, notes)
    return openai_provider_snippet(target, task, request, notes)


def _provider_notes(endpoint: ServingEndpointDetailed, target: Direct) -> list[str]:
    """Comment lines for a snippet that bypasses the endpoint: which model it calls, where the key is."""
    model, count = served_model(endpoint)
    notes = [comment(target.key_note)]
    if count > 1 and model is not None:
        notes.append(
            comment(f"the endpoint shares its traffic between {count} models; this calls {quoted(model.name)}")
        )
    return notes


def endpoint_snippets(endpoint: ServingEndpointDetailed) -> dict[str, str]:
    """Every format ``endpoint`` can be copied as: label -> text."""
    return {FORMATS[fmt]: endpoint_snippet(fmt, endpoint) for fmt in available_formats(endpoint)}


def request_snippets(endpoint: ServingEndpointDetailed, request: dict[str, Any]) -> dict[str, str]:
    """``request`` to ``endpoint`` in every format it can be copied as: label -> text."""
    formats = available_formats(endpoint, for_request=True)
    return {FORMATS[fmt]: request_snippet(fmt, endpoint, request) for fmt in formats}


def label_languages() -> dict[str, str]:
    """Label -> language, for a dialog that shows the snippets of :func:`endpoint_snippets`."""
    return {FORMATS[fmt]: language for fmt, language in LANGUAGES.items()}
