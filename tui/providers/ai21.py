"""AI21 Labs Jamba: ``POST {base}/chat/completions`` with a bearer key (providers.md §8).

OpenAI's names and shapes; no ``object``/``created``/``model`` in answers (filled in), usage on the last
stream chunk. The legacy J2 ``/{model}/complete`` API is retired, so completions go through chat. The base
is accepted as the SDK documents it (``https://api.ai21.com``) or with its ``/studio/v1`` path; any base
that already ends in a version (``.../v1``) is used as it is.
"""

from __future__ import annotations

from typing import ClassVar

from tui.domain.endpoints import TASK_CHAT, TASK_COMPLETIONS
from tui.providers.base import Call, credential
from tui.providers.chat_only import ChatOnlyOpenAI
from tui.transport.messages import HttpRequest

AI21_BASE = "https://api.ai21.com/studio/v1"
STUDIO_PATH = "/studio/v1"


class AI21Provider(ChatOnlyOpenAI):
    name: ClassVar[str] = "ai21labs"
    label: ClassVar[str] = "AI21 Labs"
    tasks: ClassVar[frozenset[str]] = frozenset({TASK_CHAT, TASK_COMPLETIONS})
    default_base: ClassVar[str] = AI21_BASE

    def base_url(self, call: Call) -> str:
        base = super().base_url(call)
        return base if base.endswith("/v1") else base + STUDIO_PATH

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        headers = {"authorization": f"Bearer {credential(call.config, 'ai21labs_api_key')}"}
        return HttpRequest("POST", self.base_url(call) + "/chat/completions", headers, self.chat_body(call))
