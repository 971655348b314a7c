"""Mistral AI (local-only provider ``mistral``): ``POST {base}/chat/completions`` and ``/embeddings`` with a
bearer key (providers.md §9).

OpenAI's shapes with ``seed`` named ``random_seed``; usage on the last stream chunk; finish reason
``model_length`` means ``length`` and ``error`` is raised. There is no generic completions API (only code
FIM), so completions go through chat; unlike MLflow, ``stop``, ``n`` and the temperature are kept as sent.
The base is accepted as the SDK documents it (``https://api.mistral.ai``) or with ``/v1``.
"""

from __future__ import annotations

from typing import ClassVar

from tui.domain.endpoints import TASK_EMBEDDINGS
from tui.providers.base import Call, credential, embedding_texts
from tui.providers.chat_only import ChatOnlyOpenAI
from tui.providers.openai_compat import openai_body
from tui.transport.messages import HttpRequest

MISTRAL_BASE = "https://api.mistral.ai/v1"


class MistralProvider(ChatOnlyOpenAI):
    name: ClassVar[str] = "mistral"
    label: ClassVar[str] = "Mistral"
    default_base: ClassVar[str] = MISTRAL_BASE
    renames: ClassVar[dict[str, str]] = {"seed": "random_seed"}
    finish_reasons: ClassVar[dict[str, str]] = {"model_length": "length"}
    error_finishes: ClassVar[frozenset[str]] = frozenset({"error"})

    def base_url(self, call: Call) -> str:
        base = super().base_url(call)
        return base if base.endswith("/v1") else base + "/v1"

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        headers = {"authorization": f"Bearer {credential(call.config, 'mistral_api_key')}"}
        base = self.base_url(call)
        if call.task != TASK_EMBEDDINGS:
            return HttpRequest("POST", base + "/chat/completions", headers, self.chat_body(call))
        embedding_texts(call, self.label)  # refused before anything is sent: Mistral embeds text only
        body = openai_body(self, call, with_model=True)
        if "dimensions" in body:
            body["output_dimension"] = body.pop("dimensions")
        return HttpRequest("POST", base + "/embeddings", headers, body)
