"""Provider dialects of the simulator. A new provider is one module plus one line in ``DIALECTS``.

Order matters where paths are shared: the first dialect that routes or owns a path answers it
(Anthropic claims ``/v1/*`` only for requests that carry ``anthropic-version``; OpenAI owns the rest of ``/v1``).
"""

from __future__ import annotations

from tui.simulator.dialects.ai21 import AI21Dialect
from tui.simulator.dialects.anthropic import AnthropicDialect
from tui.simulator.dialects.azure import AzureOpenAIDialect
from tui.simulator.dialects.base import ApiError, Call, Dialect, Event, RecordedRequest, Reply, Route, StreamReply
from tui.simulator.dialects.bedrock import BedrockDialect
from tui.simulator.dialects.cohere import CohereDialect
from tui.simulator.dialects.databricks import DatabricksDialect
from tui.simulator.dialects.gemini import GeminiDialect
from tui.simulator.dialects.mistral import MistralDialect
from tui.simulator.dialects.openai import OpenAIDialect
from tui.simulator.dialects.vertex import VertexDialect

DIALECTS: tuple[type[Dialect], ...] = (
    GeminiDialect,
    VertexDialect,
    AnthropicDialect,
    AzureOpenAIDialect,
    DatabricksDialect,
    OpenAIDialect,
    BedrockDialect,
    CohereDialect,
    AI21Dialect,
    MistralDialect,
)

__all__ = [
    "DIALECTS",
    "AI21Dialect",
    "AnthropicDialect",
    "ApiError",
    "AzureOpenAIDialect",
    "BedrockDialect",
    "Call",
    "CohereDialect",
    "DatabricksDialect",
    "Dialect",
    "Event",
    "GeminiDialect",
    "MistralDialect",
    "OpenAIDialect",
    "RecordedRequest",
    "Reply",
    "Route",
    "StreamReply",
    "VertexDialect",
]
