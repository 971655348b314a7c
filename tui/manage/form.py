"""The endpoint form's fields, derived from the domain models rather than written per provider.

A provider's section lists the fields of its ``<provider>_config`` model (``PROVIDER_CONFIGS``), so a
provider added to the domain gets its form for free: a credential pair ``x`` / ``x_plaintext``
becomes one *secret* field, a :data:`~tui.domain.base.Url` a *url* field, a ``choice(...)`` a
*choice*, a nested auth block (``custom_provider_config.api_key_auth``) a group of fields.
What is required comes from the model's own ``required_fields()`` / ``key_pairs()`` for the values
given so far. The one thing the models state only in validators is which fields go with which
``openai_api_type``; :data:`VARIANTS` writes that down (see :class:`Variant`).
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import textwrap
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tui.domain.base import Choices, Url
from tui.domain.endpoints import ExternalModel, ServedEntityInput
from tui.domain.provider_configs import PLAINTEXT_SUFFIX, PROVIDER_CONFIGS, OpenAIConfig, ProviderConfig

FieldKind = Literal["text", "number", "bool", "choice", "secret", "url"]

SECRET_HELP = "a secret reference {{secrets/<scope>/<key>}}, or the key itself in plaintext (discouraged)"
LOCAL_ONLY_HELP = "Switchboard only: a Databricks workspace does not know this field"
MODEL_HELP = {
    "name": "the provider's model id, e.g. gpt-4o-mini (an Azure deployment's model)",
    "provider": "who serves the model; the section below shows its fields",
    "task": "what the endpoint does: chat, completions or embeddings (the same for every served entity)",
}
"""Help for the external model's own fields, which carry no description in the domain."""
API_BASE_HELP = "overrides the provider's base URL (a proxy, a local server, the simulator)"


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form: where it goes in its JSON block, how it is edited and what it means."""

    name: str
    """Dotted path inside its block: ``openai_api_key``, ``bearer_token_auth.token``."""
    kind: FieldKind
    required: bool = False
    """Required now (within its group, for a field of a nested group)."""
    choices: tuple[str, ...] = ()
    help: str = ""
    group: str | None = None
    """The nested block the field belongs to (``api_key_auth``), None at the top of the section."""

    @property
    def label(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def plaintext_name(self) -> str:
        """Where a secret field's plaintext value goes."""
        return self.name + PLAINTEXT_SUFFIX


@dataclass(frozen=True)
class Variant:
    """A choice field that decides which other fields of a block apply (``openai_api_type``).

    ``only`` maps a field to the values it goes with; fields not listed go with every value. For
    ``openai_config`` the validators say: ``openai_organization`` applies only to ``openai``,
    ``openai_deployment_name`` not to ``openai``, ``azuread`` takes no ``openai_api_key`` (its key is
    fetched with the ``microsoft_entra_*`` fields, which mean nothing to the other two).
    """

    field: str
    default: str
    only: Mapping[str, frozenset[str]]

    def value(self, block: Mapping[str, Any]) -> str:
        return str(block.get(self.field) or self.default).lower()

    def applies(self, name: str, value: str) -> bool:
        allowed = self.only.get(name.split(".", 1)[0])
        return allowed is None or value in allowed


_AZURE = frozenset({"azure", "azuread"})
_ENTRA = frozenset({"azuread"})
VARIANTS: dict[type[ProviderConfig], Variant] = {
    OpenAIConfig: Variant(
        "openai_api_type",
        "openai",
        {
            "openai_organization": frozenset({"openai"}),
            "openai_deployment_name": _AZURE,
            "openai_api_key": frozenset({"openai", "azure"}),
            "microsoft_entra_client_id": _ENTRA,
            "microsoft_entra_client_secret": _ENTRA,
            "microsoft_entra_tenant_id": _ENTRA,
            "microsoft_entra_authority": _ENTRA,
        },
    )
}


def config_model(provider: str) -> tuple[str, type[ProviderConfig]] | None:
    """(config key, config model) of ``provider``, None for a provider the domain does not know."""
    return PROVIDER_CONFIGS.get(provider)


def variant_of(provider: str) -> Variant | None:
    found = config_model(provider)
    return VARIANTS.get(found[1]) if found else None


def provider_fields(provider: str, block: Mapping[str, Any]) -> list[FieldSpec]:
    """The fields of ``provider``'s config section for the values in ``block`` so far (its variant, and
    what they make required). Empty for an unknown provider."""
    found = config_model(provider)
    if found is None:
        return []
    model = found[1]
    specs = _block_specs(model, block, group=None)
    variant = VARIANTS.get(model)
    if variant is not None:
        value = variant.value(block)
        specs = [s for s in specs if variant.applies(s.name, value)]
        specs.sort(key=lambda s: s.name != variant.field)  # the field that decides the others comes first
    return specs


def _block_specs(model: type[ProviderConfig], block: Mapping[str, Any], group: str | None) -> list[FieldSpec]:
    current = model.model_construct(**{k: v for k, v in block.items() if k in model.model_fields})
    required = {*current.required_fields(), *current.key_pairs()}
    notes = _attribute_docs(model)
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        if name.endswith(PLAINTEXT_SUFFIX) and name.removesuffix(PLAINTEXT_SUFFIX) in model.model_fields:
            continue  # the plaintext half of a credential pair: part of the secret field
        nested = nested_block(info.annotation)
        if nested is not None:
            inner = block.get(name)
            for spec in _block_specs(nested, inner if isinstance(inner, Mapping) else {}, group=name):
                specs.append(
                    FieldSpec(f"{name}.{spec.name}", spec.kind, spec.required, spec.choices, spec.help, group=name)
                )
            continue
        kind, choices = _kind(info, secret=name + PLAINTEXT_SUFFIX in model.model_fields)
        help_parts = [info.description or notes.get(name, "")]
        if kind == "secret":
            help_parts.append(SECRET_HELP)
        if name == model.API_BASE:
            help_parts.append(API_BASE_HELP)
        if name in model.LOCAL_ONLY:
            help_parts.append(LOCAL_ONLY_HELP)
        specs.append(FieldSpec(name, kind, name in required, choices, _sentence(help_parts), group))
    return specs


def group_help(provider: str, group: str) -> str:
    """What a nested group (``api_key_auth``) is, from its model's docstring."""
    found = config_model(provider)
    info = found[1].model_fields.get(group) if found else None
    nested = nested_block(info.annotation) if info else None
    return inspect.cleandoc(nested.__doc__ or "") if nested else ""


def model_fields() -> list[FieldSpec]:
    """The external model's own fields (name, provider, task, ...), all but the provider config blocks."""
    config_keys = {key for key, _ in PROVIDER_CONFIGS.values()}
    notes = _attribute_docs(ExternalModel)
    specs = []
    for name, info in ExternalModel.model_fields.items():
        if name in config_keys:
            continue
        kind, choices = _kind(info, secret=False)
        help_parts = [info.description or notes.get(name, "") or MODEL_HELP.get(name, "")]
        if name in ExternalModel.LOCAL_ONLY:
            help_parts.append(LOCAL_ONLY_HELP)
        specs.append(FieldSpec(name, kind, info.is_required(), choices, _sentence(help_parts)))
    return specs


def entity_name_field() -> FieldSpec:
    info = ServedEntityInput.model_fields["name"]
    help_text = info.description or "unique in the endpoint; blank: the model name with '.' and ':' as '-'"
    return FieldSpec("name", "text", False, (), help_text)


# ---- reading the models -----------------------------------------------------------------------


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types of an Optional/Union annotation, None left out (the annotation itself otherwise)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def nested_block(annotation: Any) -> type[ProviderConfig] | None:
    """The block model a field holds (``ApiKeyAuth`` for ``api_key_auth``), None for a plain value."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, ProviderConfig):
            return member
    return None


def _kind(info: FieldInfo, *, secret: bool) -> tuple[FieldKind, tuple[str, ...]]:
    if secret:
        return "secret", ()
    members = _members(info.annotation)
    if Url in members:
        return "url", ()
    # pydantic keeps the rules of a bare ``Annotated[str, ...]`` field in its metadata, of an Optional in the type
    for rules in (tuple(info.metadata), *(getattr(m, "__metadata__", ()) for m in members)):
        if choices := choices_of(rules):
            return "choice", choices
    base = members[0] if len(members) == 1 else None
    if base is bool:
        return "bool", ()
    if base in (int, float):
        return "number", ()
    return "text", ()


def choices_of(rules: tuple[Any, ...]) -> tuple[str, ...]:
    """The values a :func:`tui.domain.base.choice` field allows, given its rules (``Annotated`` metadata);
    () for any other field."""
    return next((meta.allowed for meta in rules if isinstance(meta, Choices)), ())


@functools.cache
def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Field docstrings (a string right under a field, as ``n_strategy`` has) by field name."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(model)))
    except (OSError, TypeError, SyntaxError):
        return {}
    docs: dict[str, str] = {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(after.value.value).replace("``", "")
    return docs


def _sentence(parts: list[str]) -> str:
    return "; ".join(p.rstrip(".") for p in parts if p)
