"""What only the local workspace understands, refused before a request would reach Databricks."""

from __future__ import annotations

from tui.domain.endpoints import EndpointCoreConfigInput
from tui.domain.errors import InvalidParameterValue
from tui.domain.provider_configs import LOCAL_ONLY_PROVIDERS


def refuse_local_only(config: EndpointCoreConfigInput | None) -> None:
    """Raise INVALID_PARAMETER_VALUE naming every local-only provider or field ``config`` uses."""
    problems: list[str] = []
    for i, entity in enumerate((config.served_entities or []) if config else []):
        model = entity.external_model
        if model is None:
            continue
        where = f"served_entities[{i}].external_model"
        if model.provider in LOCAL_ONLY_PROVIDERS:
            problems.append(f"{where}.provider '{model.provider}' is served only by the local workspace")
        problems += [f"{where}.{name}" for name in model.LOCAL_ONLY if getattr(model, name) is not None]
        provider_config = model.provider_config()
        if provider_config is not None:
            problems += [
                f"{where}.{model.config_key}.{name}"
                for name in provider_config.LOCAL_ONLY
                if getattr(provider_config, name, None) is not None
            ]
    if problems:
        raise InvalidParameterValue(
            "A Databricks workspace does not know these Switchboard-only settings; remove them: " + "; ".join(problems)
        )
