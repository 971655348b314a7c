"""Provider translators, one small module each, looked up by the ``provider`` enum value.

Adding a provider = one new module plus one line here; no other provider changes.
"""

from __future__ import annotations

import importlib

from tui.domain.errors import InvalidParameterValue
from tui.providers.base import Provider

_REGISTRY: dict[str, str] = {
    "openai": "tui.providers.openai:OpenAIProvider",
    "azure": "tui.providers.azure:AzureOpenAIProvider",
    "anthropic": "tui.providers.anthropic:AnthropicProvider",
    "databricks-model-serving": "tui.providers.databricks:DatabricksProvider",
    "custom": "tui.providers.custom:CustomProvider",
    "amazon-bedrock": "tui.providers.bedrock:BedrockProvider",
    "gemini": "tui.providers.gemini:GeminiProvider",
    "google-cloud-vertex-ai": "tui.providers.vertex:VertexAIProvider",
    "cohere": "tui.providers.cohere:CohereProvider",
    "ai21labs": "tui.providers.ai21:AI21Provider",
    "mistral": "tui.providers.mistral:MistralProvider",
}
_cache: dict[str, Provider] = {}


def available_providers() -> list[str]:
    return sorted(_REGISTRY)


def get_provider(name: str) -> Provider:
    """The translator for a ``provider`` value; INVALID_PARAMETER_VALUE when it is not built yet."""
    if name in _cache:
        return _cache[name]
    target = _REGISTRY.get(name)
    if target is None:
        raise InvalidParameterValue(
            f"Provider '{name}' cannot be queried from the local workspace yet "
            f"(available: {', '.join(available_providers())})"
        )
    module, _, cls = target.partition(":")
    provider: Provider = getattr(importlib.import_module(module), cls)()
    _cache[name] = provider
    return provider


def provider_key(provider: str, config: object) -> str:
    """The translator to use: Azure OpenAI is the ``openai`` provider with an Azure ``openai_api_type``."""
    api_type = getattr(config, "api_type", "openai")
    if provider == "openai" and api_type in ("azure", "azuread"):
        return "azure"
    return provider
