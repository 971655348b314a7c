"""Any OpenAI-compatible server (vLLM, llama.cpp, Ollama ``/v1``, LM Studio) at ``custom_provider_url``.

The URL may be the server's base (``http://host:8000/v1``, or the bare host ``http://host:8000``, which gets
``/v1``: the task path is appended) or the full URL of one task (ending in ``/chat/completions``,
``/completions`` or ``/embeddings``: used as is).
"""

from __future__ import annotations

from typing import ClassVar

from tui.domain.provider_configs import CustomProviderConfig
from tui.domain.provider_wire import OPENAI_TASK_PATHS
from tui.providers.base import Call
from tui.providers.openai_compat import OpenAICompatible, openai_body
from tui.transport.messages import HttpRequest


class CustomProvider(OpenAICompatible):
    name: ClassVar[str] = "custom"
    label: ClassVar[str] = "OpenAI-compatible server"

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        assert isinstance(config, CustomProviderConfig)
        url = self.base_url(call)
        if not url.endswith(tuple(OPENAI_TASK_PATHS.values())):
            url += OPENAI_TASK_PATHS[call.task]
        headers: dict[str, str] = {}
        if config.bearer_token_auth is not None:
            token = config.bearer_token_auth.token or config.bearer_token_auth.token_plaintext or ""
            headers["authorization"] = f"Bearer {token}"
        elif config.api_key_auth is not None:
            value = config.api_key_auth.value or config.api_key_auth.value_plaintext or ""
            headers[(config.api_key_auth.key or "api-key").lower()] = value
        return HttpRequest("POST", url, headers, openai_body(self, call, with_model=True))
