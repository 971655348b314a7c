"""Google Cloud Vertex AI (providers.md §5): Gemini models under a project and region, a bearer token
from the service account's JWT grant (see :mod:`tui.providers.vertex_auth`).

``POST {host}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent``
(streams ``:streamGenerateContent?alt=sse``), the host ``https://{region}-aiplatform.googleapis.com`` or,
for region ``global``, ``https://aiplatform.googleapis.com``. Bodies and answers are Gemini's; embeddings
go through ``:predict`` and report their token counts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tui.domain.endpoints import TASK_EMBEDDINGS
from tui.domain.errors import ProviderProtocolError
from tui.domain.provider_configs import GoogleCloudVertexAiConfig, ProviderConfig
from tui.providers.base import Call, Provider, StreamMapper, TokenGrant, credential, embedding_texts, embeddings_answer
from tui.providers.gemini_wire import (
    GeminiStreamMapper,
    generate_request,
    parse_generate,
    versioned,
)
from tui.providers.vertex_auth import GOOGLE_OAUTH, VertexGrants
from tui.transport.messages import HttpRequest

VERTEX_VERSION = "v1"


def vertex_host(region: str) -> str:
    return "https://aiplatform.googleapis.com" if region == "global" else f"https://{region}-aiplatform.googleapis.com"


class VertexAIProvider(Provider):
    name: ClassVar[str] = "google-cloud-vertex-ai"
    label: ClassVar[str] = "Vertex AI"

    def __init__(self) -> None:
        self.grants = VertexGrants()

    def token_grants(self, config: ProviderConfig) -> tuple[TokenGrant, ...]:
        assert isinstance(config, GoogleCloudVertexAiConfig)
        return (self.grants.get(credential(config, "private_key"), config.vertex_token_uri, self.label),)

    def build(self, call: Call) -> HttpRequest:
        self.check_task(call.task)
        config = call.config
        assert isinstance(config, GoogleCloudVertexAiConfig)
        region = config.region or "global"
        base = versioned(config.vertex_api_base or vertex_host(region), VERTEX_VERSION)
        model = f"{base}/projects/{config.project_id}/locations/{region}/publishers/google/models/{call.model}"
        headers = {"authorization": f"Bearer {call.tokens[GOOGLE_OAUTH]}"}
        if call.task == TASK_EMBEDDINGS:
            parameters: dict[str, Any] = {"autoTruncate": True}
            if call.request.get("dimensions") is not None:
                parameters["outputDimensionality"] = call.request["dimensions"]
            parameters.update(call.request.get("extra_params") or {})
            instances = [{"content": text} for text in embedding_texts(call, self.label)]
            return HttpRequest("POST", f"{model}:predict", headers, {"instances": instances, "parameters": parameters})
        return generate_request(self, call, model, headers)

    def parse(self, call: Call, body: Any) -> dict[str, Any]:
        if call.task != TASK_EMBEDDINGS:
            return parse_generate(call, body, self.label)
        predictions = body.get("predictions") if isinstance(body, dict) else None
        if not isinstance(predictions, list):
            raise ProviderProtocolError(f"{self.label} answered without 'predictions'", provider=self.label)
        vectors: list[list[float]] = []
        tokens = 0
        for prediction in predictions:
            embedding = prediction.get("embeddings") if isinstance(prediction, dict) else None
            if not isinstance(embedding, dict) or not isinstance(embedding.get("values"), list):
                raise ProviderProtocolError(f"{self.label} answered a prediction without values", provider=self.label)
            vectors.append(list(embedding["values"]))
            tokens += int((embedding.get("statistics") or {}).get("token_count") or 0)
        return embeddings_answer(call, vectors, tokens)

    def stream_mapper(self, call: Call) -> StreamMapper:
        return GeminiStreamMapper(call, self.label)
