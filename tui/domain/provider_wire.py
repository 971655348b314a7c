"""Facts about the providers' own APIs that more than one layer needs: the translators that call them and
"copy as", which writes commands that call them directly (and may not import the translators)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS

OPENAI_BASE = "https://api.openai.com/v1"
ANTHROPIC_BASE = "https://api.anthropic.com/v1"
ANTHROPIC_VERSION = "2023-06-01"
ANTHROPIC_DEFAULT_MAX_TOKENS = 4096
"""Anthropic requires ``max_tokens``; a request without one gets this."""
ENTRA_RESOURCE = "https://cognitiveservices.azure.com"
ENTRA_SCOPE = f"{ENTRA_RESOURCE}/.default"
"""What an Entra ID token for Azure OpenAI is asked for."""
OPENAI_TASK_PATHS = {TASK_CHAT: "/chat/completions", TASK_COMPLETIONS: "/completions", TASK_EMBEDDINGS: "/embeddings"}
"""The path of each task under an OpenAI-compatible base URL."""


# -- base URLs. Each provider family accepts its base URL in every form its own SDK or docs use, with or
# without a trailing slash, and the translators and "copy as" read it through the one function below.


def openai_base(url: str | None) -> str:
    """An OpenAI-compatible base URL: the openai SDK's ``base_url`` includes ``/v1``
    (``https://api.openai.com/v1``, ``http://host:8000/v1``); a bare host (``https://api.openai.com``) gets
    ``/v1``. Any other path is the server's own (a gateway's ``.../openai``) and is kept as is."""
    base = (url or OPENAI_BASE).rstrip("/")
    return base if urlsplit(base).path else base + "/v1"


def anthropic_base(url: str | None) -> str:
    """Anthropic's base URL with its ``/v1``: the Anthropic SDK's ``base_url`` has none
    (``https://api.anthropic.com``, it appends ``/v1/messages``), MLflow's and Databricks' does."""
    base = (url or ANTHROPIC_BASE).rstrip("/")
    return base if base.endswith("/v1") else base + "/v1"


_AZURE_SUFFIX = re.compile(r"/openai(?:/v1|/deployments/[^/]+)?$")


def azure_resource(url: str | None) -> str:
    """The Azure OpenAI resource root (the SDK's ``azure_endpoint``, ``https://myres.openai.azure.com``),
    also from the forms that go on past it: ``.../openai``, ``.../openai/v1`` (the openai SDK's
    ``base_url`` for Azure's v1 API) and ``.../openai/deployments/<name>``."""
    return _AZURE_SUFFIX.sub("", (url or "").rstrip("/"))


def databricks_workspace(url: str | None) -> str:
    """The Databricks workspace URL (``https://adb-123.azuredatabricks.net``), also from the address bar's
    ``/?o=<workspace id>`` and from the openai SDK's ``base_url`` for Databricks (``<workspace>/serving-endpoints``)."""
    parts = urlsplit((url or "").strip())
    path = parts.path.rstrip("/").removesuffix("/serving-endpoints")
    return parts._replace(path=path, query="", fragment="").geturl()
