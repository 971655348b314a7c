"""Google Gemini API (Generative Language API, providers.md §4): ``x-goog-api-key``, the model in the path.

Chat and completions: ``POST {base}/models/{model}:generateContent``, streams ``:streamGenerateContent?alt=sse``.
Embeddings: ``:embedContent`` for one text, ``:batchEmbedContents`` for several (Gemini reports no usage).
"""

from __future__ import annotations

from typing import Any, ClassVar

from tui.domain.endpoints import TASK_EMBEDDINGS
from tui.domain.errors import ProviderProtocolError
from tui.providers.base import Call, Provider, StreamMapper, credential, embedding_texts, embeddings_answer
from tui.providers.gemini_wire import (
    GeminiStreamMapper,
    generate_request,
    parse_generate,
    versioned,
)
from tui.transport.messages import HttpRequest

GEMINI_HOST = "https://generativelanguage.googleapis.com"
GEMINI_VERSION = "v1beta"


class GeminiProvider(Provider):
    name: ClassVar[str] = "gemini"
    label: ClassVar[str] = "Google Gemini"
    default_base: ClassVar[str] = GEMINI_HOST

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        headers = {"x-goog-api-key": credential(call.config, "gemini_api_key")}
        models = f"{versioned(self.base_url(call), GEMINI_VERSION)}/models/{call.model}"
        if call.task == TASK_EMBEDDINGS:
            texts = embedding_texts(call, self.label)
            options = _embed_options(call.request)
            if len(texts) == 1:
                body = {"content": {"parts": [{"text": texts[0]}]}, **options}
                return HttpRequest("POST", f"{models}:embedContent", headers, body)
            requests = [
                {"model": f"models/{call.model}", "content": {"parts": [{"text": t}]}, **options} for t in texts
            ]
            return HttpRequest("POST", f"{models}:batchEmbedContents", headers, {"requests": requests})
        return generate_request(self, call, models, headers)

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if call.task != TASK_EMBEDDINGS:
            return parse_generate(call, body, self.label)
        data = body if isinstance(body, dict) else {}
        items = data.get("embeddings") if "embeddings" in data else [data.get("embedding")]
        if not isinstance(items, list) or not all(isinstance(i, dict) and "values" in i for i in items):
            raise ProviderProtocolError(f"{self.label} answered without embedding values", provider=self.label)
        return embeddings_answer(call, [list(i["values"]) for i in items])

    def stream_mapper(self, call: Call) -> StreamMapper:
        return GeminiStreamMapper(call, self.label)


def _embed_options(request: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = dict(request.get("extra_params") or {})
    if request.get("dimensions") is not None:
        options["outputDimensionality"] = request["dimensions"]
    return options
