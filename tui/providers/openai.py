"""OpenAI: ``POST {base}/chat/completions | /completions | /embeddings`` with a bearer key."""

from __future__ import annotations

from typing import ClassVar

from tui.domain.provider_configs import OpenAIConfig
from tui.domain.provider_wire import OPENAI_TASK_PATHS
from tui.providers.base import Call, credential
from tui.providers.openai_compat import OpenAICompatible, openai_body
from tui.transport.messages import HttpRequest


class OpenAIProvider(OpenAICompatible):
    name: ClassVar[str] = "openai"
    label: ClassVar[str] = "OpenAI"

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        headers = {"authorization": f"Bearer {credential(config, 'openai_api_key')}"}
        if isinstance(config, OpenAIConfig) and config.openai_organization:
            headers["openai-organization"] = config.openai_organization
        return HttpRequest(
            "POST",
            self.base_url(call) + OPENAI_TASK_PATHS[call.task],
            headers,
            openai_body(self, call, with_model=True),
        )
