"""Facts about the providers' own APIs that more than one layer needs: the translators that call them and
"copy as", which writes commands that call them directly (and may not import the translators)."""

from __future__ import annotations

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
