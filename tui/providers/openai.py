"""OpenAI: ``POST {base}/chat/completions | /completions | /embeddings`` with a bearer key."""

from __future__ import annotations

from typing import Any, ClassVar

from tui.domain.provider_configs import OpenAIConfig
from tui.providers.base import Call, Provider, StreamMapper, credential
from tui.providers.openai_compat import TASK_PATHS, OpenAIStreamMapper, normalize_response, openai_body
from tui.transport.client import HttpRequest


class OpenAIProvider(Provider):
    name: ClassVar[str] = "openai"
    label: ClassVar[str] = "OpenAI"
    default_base: ClassVar[str] = "https://api.openai.com/v1"

    async def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        headers = {"authorization": f"Bearer {credential(config, 'openai_api_key')}"}
        if isinstance(config, OpenAIConfig) and config.openai_organization:
            headers["openai-organization"] = config.openai_organization
        return HttpRequest(
            "POST", self.base_url(call) + TASK_PATHS[call.task], headers, openai_body(self, call, with_model=True)
        )

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        return normalize_response(call, body, self.label)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return OpenAIStreamMapper(call, self.label)
