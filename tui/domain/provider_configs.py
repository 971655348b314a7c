"""The ``<provider>_config`` blocks of an external model, field names exactly as Databricks has them.

Credentials come in pairs: ``<field>`` holds a secret reference ``{{secrets/scope/key}}`` and
``<field>_plaintext`` holds the value itself (write-only, discouraged). Exactly one of each required
pair must be given. Fields marked local-only (``LOCAL_ONLY``) are Switchboard extensions, e.g. a
base-URL override for every provider so any provider can be pointed at a proxy or the simulator.
Every URL field is typed :data:`~tui.domain.base.Url`: from a user, only http(s) with a host.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationInfo, model_validator

from tui.domain.base import DatabricksModel, Url, choice, is_user_input
from tui.domain.secret_refs import secret_ref_problem

PLAINTEXT_SUFFIX = "_plaintext"


class UserChecked(DatabricksModel):
    """A block whose rules are listed by :meth:`problems`; input from a person must break none.

    Data from a server is taken as it is (it may come from a newer Databricks with other rules);
    the endpoint config and every provider config share this one check.
    """

    @model_validator(mode="after")
    def _check_from_user(self, info: ValidationInfo) -> UserChecked:
        if is_user_input(info):
            problems = self.problems()
            if problems:
                raise ValueError("; ".join(problems))
        return self

    def problems(self) -> list[str]:
        """Every rule this block breaks, as sentences (empty when valid)."""
        return []


class ProviderConfig(UserChecked):
    """Shared checks: required fields, secret/plaintext pairs, valid secret references."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()
    KEY_PAIRS: ClassVar[tuple[str, ...]] = ()  # required pairs
    OPTIONAL_PAIRS: ClassVar[tuple[str, ...]] = ()
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ()
    API_BASE: ClassVar[str | None] = None  # the field that overrides the provider's base URL

    def problems(self) -> list[str]:
        problems = [f"'{f}' is required" for f in self.required_fields() if not getattr(self, f, None)]
        for field in self.key_pairs():
            problems += self.pair_problems(field, required=True)
        for field in self.OPTIONAL_PAIRS:
            problems += self.pair_problems(field, required=False)
        return problems

    def required_fields(self) -> tuple[str, ...]:
        return self.REQUIRED

    def key_pairs(self) -> tuple[str, ...]:
        return self.KEY_PAIRS

    def pair_problems(self, field: str, *, required: bool) -> list[str]:
        secret = getattr(self, field, None)
        plain = getattr(self, field + PLAINTEXT_SUFFIX, None)
        if secret and plain:
            return [f"give either '{field}' or '{field}{PLAINTEXT_SUFFIX}', not both"]
        if not secret and not plain:
            if required:
                return [f"'{field}' (a secret reference) or '{field}{PLAINTEXT_SUFFIX}' is required"]
            return []
        if secret:
            problem = secret_ref_problem(secret, field)
            return [f"'{field}' {problem}"] if problem else []
        return []

    def plaintext_fields(self) -> list[str]:
        """Names of the plaintext credential fields that are set (for the 'use a secret' warning)."""
        return [
            name for name in type(self).model_fields if name.endswith(PLAINTEXT_SUFFIX) and getattr(self, name, None)
        ]

    def api_base(self) -> str | None:
        return getattr(self, self.API_BASE, None) if self.API_BASE else None


class OpenAIConfig(ProviderConfig):
    """OpenAI, Azure OpenAI with a key (``azure``) or with Entra ID (``azuread``)."""

    openai_api_key: str | None = None
    openai_api_key_plaintext: str | None = None
    openai_api_type: choice("openai", "azure", "azuread", case_insensitive=True) | None = None  # type: ignore[valid-type]
    openai_api_base: Url | None = None
    openai_api_version: str | None = None
    openai_deployment_name: str | None = None
    openai_organization: str | None = None
    microsoft_entra_client_id: str | None = None
    microsoft_entra_client_secret: str | None = None
    microsoft_entra_client_secret_plaintext: str | None = None
    microsoft_entra_tenant_id: str | None = None
    microsoft_entra_authority: Url | None = None

    API_BASE: ClassVar[str | None] = "openai_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("microsoft_entra_authority",)
    AZURE_REQUIRED: ClassVar[tuple[str, ...]] = ("openai_api_base", "openai_deployment_name", "openai_api_version")

    @property
    def api_type(self) -> str:
        return (self.openai_api_type or "openai").lower()

    def required_fields(self) -> tuple[str, ...]:
        if self.api_type == "azure":
            return self.AZURE_REQUIRED
        if self.api_type == "azuread":
            return (*self.AZURE_REQUIRED, "microsoft_entra_client_id", "microsoft_entra_tenant_id")
        return ()

    def key_pairs(self) -> tuple[str, ...]:
        return ("microsoft_entra_client_secret",) if self.api_type == "azuread" else ("openai_api_key",)

    def problems(self) -> list[str]:
        problems = super().problems()
        if self.api_type == "openai" and self.openai_deployment_name:
            problems.append("'openai_deployment_name' applies only when openai_api_type is 'azure' or 'azuread'")
        if self.api_type != "openai" and self.openai_organization:
            problems.append("'openai_organization' applies only when openai_api_type is 'openai'")
        if self.api_type == "azuread" and (self.openai_api_key or self.openai_api_key_plaintext):
            problems.append(
                "with openai_api_type 'azuread' the key is fetched with the microsoft_entra_* fields; "
                "remove 'openai_api_key'"
            )
        return problems


class AnthropicConfig(ProviderConfig):
    anthropic_api_key: str | None = None
    anthropic_api_key_plaintext: str | None = None
    anthropic_api_base: Url | None = None
    anthropic_version: str | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("anthropic_api_key",)
    API_BASE: ClassVar[str | None] = "anthropic_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("anthropic_api_base", "anthropic_version")


class CohereConfig(ProviderConfig):
    cohere_api_key: str | None = None
    cohere_api_key_plaintext: str | None = None
    cohere_api_base: Url | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("cohere_api_key",)
    API_BASE: ClassVar[str | None] = "cohere_api_base"


class AmazonBedrockConfig(ProviderConfig):
    aws_region: str | None = None
    bedrock_provider: choice("anthropic", "cohere", "ai21labs", "amazon", "grok", case_insensitive=True) | None = None  # type: ignore[valid-type]
    aws_access_key_id: str | None = None
    aws_access_key_id_plaintext: str | None = None
    aws_secret_access_key: str | None = None
    aws_secret_access_key_plaintext: str | None = None
    instance_profile_arn: str | None = None
    uc_service_credential_name: str | None = None
    bedrock_api_base: Url | None = None
    aws_session_token: str | None = None
    aws_session_token_plaintext: str | None = None
    bedrock_api_key: str | None = None
    bedrock_api_key_plaintext: str | None = None

    REQUIRED: ClassVar[tuple[str, ...]] = ("aws_region", "bedrock_provider")
    OPTIONAL_PAIRS: ClassVar[tuple[str, ...]] = ("aws_session_token",)
    API_BASE: ClassVar[str | None] = "bedrock_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = (
        "bedrock_api_base",
        "aws_session_token",
        "aws_session_token_plaintext",
        "bedrock_api_key",
        "bedrock_api_key_plaintext",
    )

    def _uses_access_keys(self) -> bool:
        return any(
            getattr(self, f)
            for f in (
                "aws_access_key_id",
                "aws_access_key_id_plaintext",
                "aws_secret_access_key",
                "aws_secret_access_key_plaintext",
            )
        )

    def _uses_api_key(self) -> bool:
        return bool(self.bedrock_api_key or self.bedrock_api_key_plaintext)

    def key_pairs(self) -> tuple[str, ...]:
        if self._uses_access_keys():
            return ("aws_access_key_id", "aws_secret_access_key")
        return ("bedrock_api_key",) if self._uses_api_key() else ()

    def problems(self) -> list[str]:
        problems = super().problems()
        methods = [
            name
            for name, used in (
                ("access keys", self._uses_access_keys()),
                ("a Bedrock API key", self._uses_api_key()),
                ("'instance_profile_arn'", bool(self.instance_profile_arn)),
                ("'uc_service_credential_name'", bool(self.uc_service_credential_name)),
            )
            if used
        ]
        if not methods:
            problems.append(
                "give one way to authenticate: aws_access_key_id + aws_secret_access_key, "
                "'bedrock_api_key', 'instance_profile_arn' or 'uc_service_credential_name'"
            )
        elif len(methods) > 1:
            problems.append(f"give only one way to authenticate, not {' and '.join(methods)}")
        if (self.aws_session_token or self.aws_session_token_plaintext) and not self._uses_access_keys():
            problems.append("'aws_session_token' goes with aws_access_key_id + aws_secret_access_key")
        return problems


class GoogleCloudVertexAiConfig(ProviderConfig):
    project_id: str | None = None
    region: str | None = None
    private_key: str | None = None
    private_key_plaintext: str | None = None
    vertex_api_base: Url | None = None
    vertex_token_uri: Url | None = None

    REQUIRED: ClassVar[tuple[str, ...]] = ("project_id", "region")
    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("private_key",)
    API_BASE: ClassVar[str | None] = "vertex_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("vertex_api_base", "vertex_token_uri")


class AI21LabsConfig(ProviderConfig):
    ai21labs_api_key: str | None = None
    ai21labs_api_key_plaintext: str | None = None
    ai21labs_api_base: Url | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("ai21labs_api_key",)
    API_BASE: ClassVar[str | None] = "ai21labs_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("ai21labs_api_base",)


class PaLMConfig(ProviderConfig):
    palm_api_key: str | None = None
    palm_api_key_plaintext: str | None = None
    palm_api_base: Url | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("palm_api_key",)
    API_BASE: ClassVar[str | None] = "palm_api_base"
    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("palm_api_base",)


class DatabricksModelServingConfig(ProviderConfig):
    databricks_workspace_url: Url | None = None
    databricks_api_token: str | None = None
    databricks_api_token_plaintext: str | None = None

    REQUIRED: ClassVar[tuple[str, ...]] = ("databricks_workspace_url",)
    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("databricks_api_token",)
    API_BASE: ClassVar[str | None] = "databricks_workspace_url"


class ApiKeyAuth(ProviderConfig):
    """Custom provider auth: header ``<key>: <value>``."""

    key: str | None = None
    value: str | None = None
    value_plaintext: str | None = None

    REQUIRED: ClassVar[tuple[str, ...]] = ("key",)
    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("value",)


class BearerTokenAuth(ProviderConfig):
    """Custom provider auth: ``Authorization: Bearer <token>``."""

    token: str | None = None
    token_plaintext: str | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("token",)


class CustomProviderConfig(ProviderConfig):
    """Any OpenAI-compatible server (vLLM, llama.cpp, Ollama, LM Studio) at ``custom_provider_url``."""

    custom_provider_url: Url | None = None
    api_key_auth: ApiKeyAuth | None = None
    bearer_token_auth: BearerTokenAuth | None = None

    REQUIRED: ClassVar[tuple[str, ...]] = ("custom_provider_url",)
    API_BASE: ClassVar[str | None] = "custom_provider_url"

    def problems(self) -> list[str]:
        problems = super().problems()
        if self.api_key_auth and self.bearer_token_auth:
            problems.append("give either 'api_key_auth' or 'bearer_token_auth', not both")
        elif not self.api_key_auth and not self.bearer_token_auth:
            problems.append("'api_key_auth' or 'bearer_token_auth' is required")
        return problems

    def plaintext_fields(self) -> list[str]:
        fields = []
        if self.api_key_auth and self.api_key_auth.value_plaintext:
            fields.append("api_key_auth.value_plaintext")
        if self.bearer_token_auth and self.bearer_token_auth.token_plaintext:
            fields.append("bearer_token_auth.token_plaintext")
        return fields


class GeminiConfig(ProviderConfig):
    """Google Gemini API (local-only provider; Databricks reaches Gemini through Vertex)."""

    gemini_api_key: str | None = None
    gemini_api_key_plaintext: str | None = None
    gemini_api_base: Url | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("gemini_api_key",)
    API_BASE: ClassVar[str | None] = "gemini_api_base"


class MistralConfig(ProviderConfig):
    """Mistral AI (local-only provider; on Databricks use ``custom``)."""

    mistral_api_key: str | None = None
    mistral_api_key_plaintext: str | None = None
    mistral_api_base: Url | None = None

    KEY_PAIRS: ClassVar[tuple[str, ...]] = ("mistral_api_key",)
    API_BASE: ClassVar[str | None] = "mistral_api_base"


PROVIDER_CONFIGS: dict[str, tuple[str, type[ProviderConfig]]] = {
    "openai": ("openai_config", OpenAIConfig),
    "anthropic": ("anthropic_config", AnthropicConfig),
    "cohere": ("cohere_config", CohereConfig),
    "amazon-bedrock": ("amazon_bedrock_config", AmazonBedrockConfig),
    "google-cloud-vertex-ai": ("google_cloud_vertex_ai_config", GoogleCloudVertexAiConfig),
    "ai21labs": ("ai21labs_config", AI21LabsConfig),
    "palm": ("palm_config", PaLMConfig),
    "databricks-model-serving": ("databricks_model_serving_config", DatabricksModelServingConfig),
    "custom": ("custom_provider_config", CustomProviderConfig),
    "gemini": ("gemini_config", GeminiConfig),
    "mistral": ("mistral_config", MistralConfig),
}
"""provider enum value -> (config key, config model)."""

LOCAL_ONLY_PROVIDERS: frozenset[str] = frozenset({"gemini", "mistral"})
PROVIDERS: tuple[str, ...] = tuple(PROVIDER_CONFIGS)
CONFIG_KEYS: tuple[str, ...] = tuple(key for key, _ in PROVIDER_CONFIGS.values())

_ALL_TASKS = frozenset({"llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"})
PROVIDER_TASKS: dict[str, frozenset[str]] = {
    **{provider: _ALL_TASKS for provider in PROVIDER_CONFIGS},
    "anthropic": frozenset({"llm/v1/chat", "llm/v1/completions"}),
    "ai21labs": frozenset({"llm/v1/chat", "llm/v1/completions"}),
}
"""What each provider's API offers; a task outside it is refused when the endpoint is defined."""
