"""Databricks model serving: ``POST {workspace}/serving-endpoints/{name}/invocations`` with a bearer token."""

from __future__ import annotations

from typing import Any, ClassVar

from tui.providers.base import Call, Provider, StreamMapper, credential
from tui.providers.openai_compat import OpenAIStreamMapper, normalize_response, openai_body
from tui.transport.client import HttpRequest


class DatabricksProvider(Provider):
    name: ClassVar[str] = "databricks-model-serving"
    label: ClassVar[str] = "Databricks"

    async def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        url = f"{self.base_url(call)}/serving-endpoints/{call.model}/invocations"
        headers = {"authorization": f"Bearer {credential(call.config, 'databricks_api_token')}"}
        return HttpRequest("POST", url, headers, openai_body(self, call, with_model=False, stream_usage=False))

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        return normalize_response(call, body, self.label)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return OpenAIStreamMapper(call, self.label)
