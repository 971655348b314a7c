"""Databricks model serving: ``POST {workspace}/serving-endpoints/{name}/invocations`` with a bearer token."""

from __future__ import annotations

from typing import ClassVar

from tui.domain.provider_wire import databricks_workspace
from tui.providers.base import Call, credential
from tui.providers.openai_compat import OpenAICompatible, openai_body
from tui.transport.messages import HttpRequest


class DatabricksProvider(OpenAICompatible):
    name: ClassVar[str] = "databricks-model-serving"
    label: ClassVar[str] = "Databricks"

    def base_url(self, call: Call) -> str:
        return databricks_workspace(call.config.api_base())

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        url = f"{self.base_url(call)}/serving-endpoints/{call.model}/invocations"
        headers = {"authorization": f"Bearer {credential(call.config, 'databricks_api_token')}"}
        return HttpRequest("POST", url, headers, openai_body(self, call, with_model=False, stream_usage=False))
