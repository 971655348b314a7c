"""Serving endpoints: create request, config input/output, the endpoint object (ServingEndpointDetailed)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import ValidationInfo, model_validator

from tui.domain.base import DatabricksModel, choice, is_user_input, plain_text, user_rule
from tui.domain.checks import MODEL_NAME_MAX
from tui.domain.gateway import AiGatewayConfig, RateLimit, Tag
from tui.domain.names import default_served_entity_name, endpoint_name_problem
from tui.domain.provider_configs import (
    CONFIG_KEYS,
    PLAINTEXT_SUFFIX,
    PROVIDER_CONFIGS,
    PROVIDER_TASKS,
    PROVIDERS,
    AI21LabsConfig,
    AmazonBedrockConfig,
    AnthropicConfig,
    CohereConfig,
    CustomProviderConfig,
    DatabricksModelServingConfig,
    GeminiConfig,
    GoogleCloudVertexAiConfig,
    MistralConfig,
    OpenAIConfig,
    PaLMConfig,
    ProviderConfig,
    UserChecked,
)

TASK_CHAT = "llm/v1/chat"
TASK_COMPLETIONS = "llm/v1/completions"
TASK_EMBEDDINGS = "llm/v1/embeddings"
TASKS = (TASK_CHAT, TASK_COMPLETIONS, TASK_EMBEDDINGS)
MAX_SERVED_ENTITIES = 10


class ExternalModel(DatabricksModel):
    name: plain_text(MODEL_NAME_MAX)  # type: ignore[valid-type]
    provider: choice(*PROVIDERS)  # type: ignore[valid-type]
    task: choice(*TASKS)  # type: ignore[valid-type]
    openai_config: OpenAIConfig | None = None
    anthropic_config: AnthropicConfig | None = None
    cohere_config: CohereConfig | None = None
    amazon_bedrock_config: AmazonBedrockConfig | None = None
    google_cloud_vertex_ai_config: GoogleCloudVertexAiConfig | None = None
    ai21labs_config: AI21LabsConfig | None = None
    palm_config: PaLMConfig | None = None
    databricks_model_serving_config: DatabricksModelServingConfig | None = None
    custom_provider_config: CustomProviderConfig | None = None
    gemini_config: GeminiConfig | None = None
    mistral_config: MistralConfig | None = None
    n_strategy: choice("reject", "fan_out") | None = None  # type: ignore[valid-type]
    """For providers without a native ``n``: 'fan_out' sends n parallel calls (default 'reject')."""

    LOCAL_ONLY: ClassVar[tuple[str, ...]] = ("n_strategy",)

    @model_validator(mode="after")
    def _one_matching_config(self, info: ValidationInfo) -> ExternalModel:
        if not is_user_input(info):
            return self
        if not self.name.strip():
            raise ValueError("'name' (the provider's model id) must not be empty")
        expected = PROVIDER_CONFIGS[self.provider][0]
        given = [key for key in CONFIG_KEYS if getattr(self, key) is not None]
        wrong = [key for key in given if key != expected]
        if wrong:
            raise ValueError(
                f"{', '.join(repr(w) for w in wrong)} does not match provider '{self.provider}'; give only '{expected}'"
            )
        if not given:
            raise ValueError(f"provider '{self.provider}' needs '{expected}'")
        offered = PROVIDER_TASKS[self.provider]
        if self.task not in offered:
            raise ValueError(
                f"provider '{self.provider}' has no {self.task} API (it offers {', '.join(sorted(offered))})"
            )
        return self

    @property
    def config_key(self) -> str:
        return PROVIDER_CONFIGS.get(self.provider, (f"{self.provider}_config", ProviderConfig))[0]

    def provider_config(self) -> ProviderConfig | None:
        """The config block that matches ``provider`` (None for an unknown provider)."""
        return getattr(self, self.config_key, None)

    @property
    def provider_shown(self) -> str:
        """The provider as a person would name it: ``openai`` with an Azure config is Azure OpenAI."""
        if self.provider == "openai" and self.openai_config is not None and self.openai_config.api_type != "openai":
            return "Azure OpenAI"
        return self.provider


class ServedEntityInput(DatabricksModel):
    """One served entity; the local workspace serves external models only."""

    name: str | None = None
    external_model: ExternalModel | None = None
    entity_name: str | None = None
    entity_version: str | None = None
    workload_size: str | None = None
    workload_type: str | None = None
    scale_to_zero_enabled: bool | None = None
    environment_vars: dict[str, str] | None = None
    instance_profile_arn: str | None = None
    min_provisioned_throughput: int | None = None
    max_provisioned_throughput: int | None = None
    min_provisioned_concurrency: int | None = None
    max_provisioned_concurrency: int | None = None
    provisioned_model_units: int | None = None
    burst_scaling_enabled: bool | None = None

    CUSTOM_MODEL_FIELDS: ClassVar[tuple[str, ...]] = (
        "entity_name",
        "entity_version",
        "workload_size",
        "workload_type",
        "scale_to_zero_enabled",
        "min_provisioned_throughput",
        "max_provisioned_throughput",
        "min_provisioned_concurrency",
        "max_provisioned_concurrency",
        "provisioned_model_units",
        "burst_scaling_enabled",
    )

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> ServedEntityInput:
        if not is_user_input(info):
            return self
        problems = []
        if self.name is not None and (problem := endpoint_name_problem(self.name, "Served entity name")):
            problems.append(problem)
        custom = [f for f in self.CUSTOM_MODEL_FIELDS if getattr(self, f) is not None]
        if self.external_model is not None and custom:
            problems.append(f"'external_model' cannot be combined with {', '.join(repr(c) for c in custom)}")
        if self.external_model is None and not self.entity_name:
            problems.append("give 'external_model' (or 'entity_name' for a model served from a registry)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def effective_name(self) -> str:
        if self.name:
            return self.name
        if self.external_model is not None:
            return default_served_entity_name(self.external_model.name)
        return default_served_entity_name(f"{self.entity_name}-{self.entity_version or '1'}")


class Route(DatabricksModel):
    served_entity_name: str | None = None
    served_model_name: str | None = None
    traffic_percentage: int

    @property
    def target(self) -> str:
        return self.served_entity_name or self.served_model_name or ""


class TrafficConfig(DatabricksModel):
    routes: list[Route] = []


class EndpointCoreConfigInput(UserChecked):
    """``config`` of a create request, and the body of PUT .../config."""

    name: str | None = None  # the databricks-sdk sends it; ignored
    served_entities: list[ServedEntityInput] = []
    traffic_config: TrafficConfig | None = None
    auto_capture_config: dict[str, Any] | None = None
    served_models: list[dict[str, Any]] | None = None  # deprecated

    def problems(self) -> list[str]:
        if self.served_models:
            return ["'served_models' is deprecated and not supported; use 'served_entities'"]
        entities = self.served_entities
        if not entities:
            return ["'served_entities' needs at least one served entity"]
        if len(entities) > MAX_SERVED_ENTITIES:
            return [f"an endpoint serves at most {MAX_SERVED_ENTITIES} entities, not {len(entities)}"]
        problems: list[str] = []
        names = [e.effective_name for e in entities]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(
                f"served entity names must be unique; {', '.join(repr(d) for d in duplicates)} appears "
                "more than once (set 'name' on each served entity)"
            )
        external = [e.external_model for e in entities if e.external_model is not None]
        if external and len(external) != len(entities):
            problems.append("an endpoint cannot mix external models with other served entities")
        tasks = sorted({m.task for m in external})
        if len(tasks) > 1:
            problems.append(f"all external models of an endpoint must have the same task, found {', '.join(tasks)}")
        if self.traffic_config is not None:
            problems += _route_problems(self.traffic_config, names)
        return problems

    def with_defaults(self) -> EndpointCoreConfigInput:
        """A copy with every served entity named and a traffic split (even, when none was given)."""
        entities = [e.model_copy(update={"name": e.effective_name}) for e in self.served_entities]
        traffic = self.traffic_config
        if traffic is None or not traffic.routes:
            traffic = TrafficConfig(routes=even_split([e.effective_name for e in entities]))
        return self.model_copy(update={"served_entities": entities, "traffic_config": traffic, "name": None})

    @property
    def task(self) -> str | None:
        tasks = {e.external_model.task for e in self.served_entities if e.external_model is not None}
        return tasks.pop() if len(tasks) == 1 else None


def _route_problems(traffic: TrafficConfig, names: list[str]) -> list[str]:
    problems = []
    for route in traffic.routes:
        if not route.target:
            problems.append("each route needs 'served_entity_name'")
        elif route.target not in names:
            problems.append(
                f"route refers to served entity '{route.target}', which this config does not have "
                f"(it has {', '.join(repr(n) for n in names)})"
            )
        if not 0 <= route.traffic_percentage <= 100:
            problems.append(f"traffic_percentage must be between 0 and 100, not {route.traffic_percentage}")
    total = sum(r.traffic_percentage for r in traffic.routes)
    if traffic.routes and total != 100:
        problems.append(f"traffic percentages must add up to 100, they add up to {total}")
    return problems


def even_split(names: list[str]) -> list[Route]:
    """Routes that share 100% as evenly as whole percentages allow (the first ones get the remainder)."""
    if not names:
        return []
    share, rest = divmod(100, len(names))
    return [Route(served_entity_name=n, traffic_percentage=share + (1 if i < rest else 0)) for i, n in enumerate(names)]


class CreateServingEndpoint(DatabricksModel):
    """Body of POST /api/2.0/serving-endpoints."""

    name: Annotated[str, user_rule(endpoint_name_problem)]
    config: EndpointCoreConfigInput | None = None
    rate_limits: list[RateLimit] | None = None
    ai_gateway: AiGatewayConfig | None = None
    tags: list[Tag] | None = None
    route_optimized: bool | None = None
    description: str | None = None
    budget_policy_id: str | None = None
    email_notifications: dict[str, Any] | None = None
    telemetry_config: dict[str, Any] | None = None


# ---- what a server answers -------------------------------------------------------------------


class EndpointState(DatabricksModel):
    ready: str | None = None  # READY | NOT_READY
    config_update: str | None = None  # NOT_UPDATING | IN_PROGRESS | UPDATE_FAILED | UPDATE_CANCELED


class ServedEntityState(DatabricksModel):
    deployment: str | None = None
    deployment_state_message: str | None = None


class ServedEntityOutput(ServedEntityInput):
    state: ServedEntityState | None = None
    creator: str | None = None
    creation_timestamp: int | None = None


class EndpointCoreConfigOutput(DatabricksModel):
    served_entities: list[ServedEntityOutput] = []
    traffic_config: TrafficConfig | None = None
    config_version: int | None = None
    auto_capture_config: dict[str, Any] | None = None

    @property
    def task(self) -> str | None:
        tasks = {e.external_model.task for e in self.served_entities if e.external_model is not None}
        return tasks.pop() if len(tasks) == 1 else None


class EndpointPendingConfig(EndpointCoreConfigOutput):
    start_time: int | None = None


class ServingEndpointDetailed(DatabricksModel):
    """The endpoint object of GET /api/2.0/serving-endpoints/{name}."""

    name: str
    id: str | None = None
    creator: str | None = None
    creation_timestamp: int | None = None
    last_updated_timestamp: int | None = None
    state: EndpointState | None = None
    config: EndpointCoreConfigOutput | None = None
    pending_config: EndpointPendingConfig | None = None
    tags: list[Tag] | None = None
    ai_gateway: AiGatewayConfig | None = None
    rate_limits: list[RateLimit] | None = None
    permission_level: str | None = None
    route_optimized: bool | None = None
    endpoint_url: str | None = None
    task: str | None = None
    description: str | None = None
    budget_policy_id: str | None = None
    endpoint_type: str | None = None


def strip_plaintext(data: Any) -> Any:
    """A copy of a JSON value without any ``*_plaintext`` field (they are write-only)."""
    if isinstance(data, dict):
        return {k: strip_plaintext(v) for k, v in data.items() if not str(k).endswith(PLAINTEXT_SUFFIX)}
    if isinstance(data, list):
        return [strip_plaintext(v) for v in data]
    return data


def plaintext_fields(config: EndpointCoreConfigInput) -> list[str]:
    """Where a config holds a key in plaintext, e.g. ``served_entities[0].openai_config.openai_api_key_plaintext``."""
    found = []
    for i, entity in enumerate(config.served_entities):
        model = entity.external_model
        block = model.provider_config() if model else None
        if model is not None and block is not None:
            found += [f"served_entities[{i}].{model.config_key}.{f}" for f in block.plaintext_fields()]
    return found
