"""Python for "copy as": the MLflow deployments client and the openai SDK, to the provider or through Databricks.

Every value from outside (names, models, URLs, the request) is written as a Python literal (``repr``
through :func:`pprint.pformat`), so it stays data whatever it holds. Credentials are read from
environment variables, never written.
"""

from __future__ import annotations

import pprint
from typing import Any

from tui.domain.provider_wire import OPENAI_BASE
from tui.manage.copy_as_provider import AZURE_AD_TOKEN, Direct, comment, openai_body, sdk_base
from tui.playground.model import is_chat, is_embeddings

CHAT_ARGS = frozenset(
    {
        "messages", "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens",
        "metadata", "n", "parallel_tool_calls", "presence_penalty", "response_format", "seed", "stop",
        "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user",
    }
)  # fmt: skip
COMPLETIONS_ARGS = frozenset(
    {
        "prompt", "best_of", "echo", "frequency_penalty", "logit_bias", "logprobs", "max_tokens", "n",
        "presence_penalty", "seed", "stop", "suffix", "temperature", "top_p", "user",
    }
)  # fmt: skip
EMBEDDINGS_ARGS = frozenset({"input", "dimensions", "encoding_format", "user"})
"""The keyword arguments of the openai SDK's create methods; any other request field goes in ``extra_body``."""

DATABRICKS_NOTE = comment("DATABRICKS_HOST: the workspace URL (https://...); DATABRICKS_TOKEN: a personal access token")


def literal(value: Any, indent: int = 4) -> str:
    """``value`` as a Python literal, continuation lines indented to sit under the line it starts on."""
    text = pprint.pformat(value, width=100 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def mlflow_snippet(endpoint: str, request: dict[str, Any]) -> str:
    """The request sent to the Databricks endpoint ``endpoint`` with MLflow's deployments client."""
    inputs = {k: v for k, v in request.items() if k != "stream"}
    return "\n".join(
        [
            "from mlflow.deployments import get_deploy_client",
            "",
            comment("the workspace: DATABRICKS_HOST and DATABRICKS_TOKEN, or a profile in ~/.databrickscfg"),
            'client = get_deploy_client("databricks")',
            "response = client.predict(",
            f"    endpoint={literal(endpoint)},",
            f"    inputs={literal(inputs)},",
            ")",
            "print(response)",
            "",
        ]
    )


def openai_databricks_snippet(endpoint: str, task: str, request: dict[str, Any]) -> str:
    """The request sent to the Databricks endpoint ``endpoint`` through the workspace's OpenAI-compatible URL."""
    return "\n".join(
        [
            "import os",
            "",
            "from openai import OpenAI",
            "",
            DATABRICKS_NOTE,
            'host = os.environ["DATABRICKS_HOST"]',
            'client = OpenAI(api_key=os.environ["DATABRICKS_TOKEN"], base_url=f"{host}/serving-endpoints")',
            *_create_call(task, endpoint, request),
        ]
    )


def openai_provider_snippet(target: Direct, task: str, request: dict[str, Any], notes: list[str]) -> str:
    """The request sent straight to an OpenAI-like provider with the openai SDK (``notes``: comment lines)."""
    azure = target.kind == "azure"
    key = f'os.environ["{target.key_env}"]'
    if target.key_header:  # the SDK always sends a bearer key; this provider reads its own header
        arguments = ['api_key="not-used"', f"default_headers={{{literal(target.key_header)}: {key}}}"]
    elif target.key_env == AZURE_AD_TOKEN:
        arguments = [f"azure_ad_token={key}"]
    else:
        arguments = [f"api_key={key}"]
    if azure:
        arguments += [f"azure_endpoint={literal(target.base)}", f"api_version={literal(target.api_version or '')}"]
    elif target.kind != "openai" or sdk_base(target) != OPENAI_BASE:
        arguments.append(f"base_url={literal(sdk_base(target))}")
    if target.organization:
        arguments.append(f"organization={literal(target.organization)}")
    client = "AzureOpenAI" if azure else "OpenAI"
    return "\n".join(
        [
            "import os",
            "",
            f"from openai import {client}",
            "",
            *notes,
            f"client = {client}(",
            *(f"    {argument}," for argument in arguments),
            ")",
            *_create_call(task, target.model, request),
        ]
    )


def _create_call(task: str, model: str, request: dict[str, Any]) -> list[str]:
    if is_embeddings(task):
        method, known, shown = (
            "embeddings.create",
            EMBEDDINGS_ARGS,
            'print(len(response.data[0].embedding), "dimensions")',
        )
    elif is_chat(task):
        method, known, shown = "chat.completions.create", CHAT_ARGS, "print(response.choices[0].message.content)"
    else:
        method, known, shown = "completions.create", COMPLETIONS_ARGS, "print(response.choices[0].text)"
    body = openai_body(request, None)
    arguments: list[tuple[str, Any]] = [("model", model), *((k, v) for k, v in body.items() if k in known)]
    extra = {k: v for k, v in body.items() if k not in known}
    if extra:
        arguments.append(("extra_body", extra))
    return [
        f"response = client.{method}(",
        *(f"    {name}={literal(value)}," for name, value in arguments),
        ")",
        shown,
        "",
    ]
