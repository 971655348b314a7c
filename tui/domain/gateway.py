"""Rate limits (legacy and AI gateway), AI gateway settings and tags."""

from __future__ import annotations

from pydantic import ValidationInfo, model_validator

from tui.domain.base import DatabricksModel, choice, is_user_input, plain_text
from tui.domain.checks import TAG_MAX

RATE_LIMIT_KEYS = ("user", "endpoint", "user_group", "service_principal")


class RateLimit(DatabricksModel):
    """Legacy endpoint rate limit: ``calls`` per ``renewal_period`` for each ``key``."""

    calls: int
    key: choice("user", "endpoint") | None = None  # type: ignore[valid-type]
    renewal_period: choice("minute") = "minute"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> RateLimit:
        if is_user_input(info) and self.calls < 0:
            raise ValueError("'calls' must be 0 or more")
        return self

    @property
    def effective_key(self) -> str:
        return self.key or "endpoint"


class AiGatewayRateLimit(DatabricksModel):
    """AI gateway rate limit: calls and/or tokens per minute, per user, group, principal or endpoint."""

    calls: int | None = None
    tokens: int | None = None
    key: choice(*RATE_LIMIT_KEYS) | None = None  # type: ignore[valid-type]
    principal: str | None = None
    renewal_period: choice("minute") = "minute"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> AiGatewayRateLimit:
        if not is_user_input(info):
            return self
        problems = []
        if self.calls is None and self.tokens is None:
            problems.append("give 'calls', 'tokens' or both")
        for field in ("calls", "tokens"):
            value = getattr(self, field)
            if value is not None and value < 0:
                problems.append(f"'{field}' must be 0 or more")
        if self.effective_key in ("user_group", "service_principal") and not self.principal:
            problems.append(
                f"key '{self.effective_key}' needs a 'principal' (the group or service principal it limits)"
            )
        if self.effective_key == "endpoint" and self.principal:
            problems.append("key 'endpoint' limits the whole endpoint and takes no 'principal'")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def effective_key(self) -> str:
        return self.key or "endpoint"


class UsageTrackingConfig(DatabricksModel):
    enabled: bool | None = None


class InferenceTableConfig(DatabricksModel):
    enabled: bool | None = None
    catalog_name: str | None = None
    schema_name: str | None = None
    table_name_prefix: str | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> InferenceTableConfig:
        if is_user_input(info) and self.enabled:
            missing = [f for f in ("catalog_name", "schema_name") if not getattr(self, f)]
            if missing:
                raise ValueError(f"enabling the inference table needs {' and '.join(repr(m) for m in missing)}")
        return self


class PiiGuardrail(DatabricksModel):
    behavior: choice("NONE", "BLOCK", "MASK") | None = None  # type: ignore[valid-type]


class GuardrailParameters(DatabricksModel):
    safety: bool | None = None
    pii: PiiGuardrail | None = None
    invalid_keywords: list[str] | None = None
    valid_topics: list[str] | None = None


class Guardrails(DatabricksModel):
    input: GuardrailParameters | None = None
    output: GuardrailParameters | None = None


class FallbackConfig(DatabricksModel):
    enabled: bool


class AiGatewayConfig(DatabricksModel):
    rate_limits: list[AiGatewayRateLimit] | None = None
    usage_tracking_config: UsageTrackingConfig | None = None
    inference_table_config: InferenceTableConfig | None = None
    guardrails: Guardrails | None = None
    fallback_config: FallbackConfig | None = None


class RateLimitsRequest(DatabricksModel):
    """Body of PUT .../rate-limits."""

    rate_limits: list[RateLimit] = []


TagText = plain_text(TAG_MAX)


class Tag(DatabricksModel):
    key: TagText  # type: ignore[valid-type]
    value: TagText | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Tag:
        if is_user_input(info) and not str(self.key).strip():
            raise ValueError("tag 'key' must not be empty")
        return self


class PatchTagsRequest(DatabricksModel):
    """Body of PATCH .../tags."""

    add_tags: list[Tag] | None = None
    delete_tags: list[TagText] | None = None  # type: ignore[valid-type]
