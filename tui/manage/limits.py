"""Rate limits as the F5 screen edits them, with no UI: a form's text checked by the domain's own rules
and the form's stricter ones, an edit applied to the list as it is stored now, and this minute's use
matched to the limit it counts against.

Two kinds of limit live on an endpoint: the legacy ``rate_limits`` (calls per user or per endpoint,
:class:`RateLimit`) and the AI gateway's (calls and/or tokens per user, group, service principal or
endpoint, :class:`AiGatewayRateLimit`). Each is stored by replacing the whole list in one call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar, cast

from tui.domain.base import Problem, check_user_input
from tui.domain.checks import plain_text_problem
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.gateway import RATE_LIMIT_KEYS, AiGatewayConfig, AiGatewayRateLimit, RateLimit
from tui.workspace.usage import LimitStatus

Kind = Literal["legacy", "gateway"]
AnyLimit = RateLimit | AiGatewayRateLimit
L = TypeVar("L", RateLimit, AiGatewayRateLimit)

LEGACY_KEYS = ("user", "endpoint")
GATEWAY_KEYS = RATE_LIMIT_KEYS
PRINCIPAL_KEYS = ("user", "user_group", "service_principal")
"""Keys that take a principal: required for a group or a service principal, optional for a user."""
NUMBER_MAX = 2**63 - 1
"""Databricks stores limits as 64-bit integers."""
PRINCIPAL_MAX = 512
"""An email, a group name or an application id; real ones are far shorter."""

FieldErrors = dict[str, str]
"""Field name (a JSON path such as ``calls`` or ``guardrails.input.pii.behavior``; ``""`` for the form
as a whole) -> what is wrong with it, in words."""

_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def kind_of(limit: AnyLimit) -> Kind:
    return "legacy" if isinstance(limit, RateLimit) else "gateway"


# -- the form of one limit


@dataclass(frozen=True)
class LimitForm:
    """What the limit dialog holds, as typed: numbers are text until checked."""

    kind: Kind = "gateway"
    calls: str = ""
    tokens: str = ""
    key: str = "user"
    principal: str = ""


def form_of(limit: AnyLimit) -> LimitForm:
    """The form showing ``limit``, for editing it."""
    if isinstance(limit, RateLimit):
        return LimitForm("legacy", calls=str(limit.calls), key=limit.effective_key)
    return LimitForm(
        "gateway",
        calls="" if limit.calls is None else str(limit.calls),
        tokens="" if limit.tokens is None else str(limit.tokens),
        key=limit.effective_key,
        principal=limit.principal or "",
    )


def check_limit(form: LimitForm) -> tuple[AnyLimit | None, FieldErrors]:
    """The limit the form describes, or None and what is wrong, per field.

    On top of the domain's rules: numbers are whole numbers of at least 1 (a limit of 0 refuses every
    call: remove the limit instead) that fit in 64 bits, and a principal is printable text.
    """
    errors: FieldErrors = {}
    data: dict[str, object] = {"renewal_period": "minute", "key": form.key}
    numbers = ("calls",) if form.kind == "legacy" else ("calls", "tokens")
    for field in numbers:
        text = getattr(form, field).strip()
        if not text:
            continue
        if problem := number_text_problem(text):
            errors[field] = problem
            data[field] = 1  # a stand-in, so the rules across fields judge the rest as if it were right
            continue
        data[field] = int(text)
    principal = form.principal.strip()
    if form.kind == "gateway" and principal:
        if problem := plain_text_problem(principal, PRINCIPAL_MAX):
            errors["principal"] = problem
        else:
            data["principal"] = principal
    model: type[AnyLimit] = RateLimit if form.kind == "legacy" else AiGatewayRateLimit
    limit, problems = check_user_input(model, data)
    for field, message in field_messages(problems, {"calls", "tokens", "key", "principal"}):
        errors.setdefault(field, message)
    if errors:
        return None, errors
    return limit, {}


def number_text_problem(text: str) -> str | None:
    """Why ``text`` is not a limit: not a whole number, less than 1 or too large."""
    if not _WHOLE_NUMBER.fullmatch(text):
        return f"must be a whole number such as 20, not {text!r}"
    value = int(text)
    if value < 1:
        return "must be 1 or more"
    if value > NUMBER_MAX:
        return f"must be at most {NUMBER_MAX:,}"
    return None


def field_messages(problems: Sequence[Problem], fields: set[str]) -> list[tuple[str, str]]:
    """(field, message) for every problem the domain found, each placed at the field it names.

    A rule across fields reports at the model (an empty path) and may name several problems, joined by
    "; "; each part goes to the first field it quotes (``key 'user_group' needs a 'principal'`` goes to
    ``principal``). A path deeper than any field goes to its nearest known ancestor; the rest to ``""``.
    """
    placed = []
    for problem in problems:
        base = ".".join(str(part) for part in problem.path)
        for part in problem.message.split("; "):
            field = base
            for quoted in re.findall(r"'([A-Za-z_]+)'", part):
                candidate = f"{base}.{quoted}" if base else quoted
                if candidate in fields:
                    field = candidate
                    break
            while field and field not in fields:
                field = field.rpartition(".")[0]
            placed.append((field, part))
    return placed


# -- reading and describing limits


def describe(limit: AnyLimit) -> str:
    """One line: ``20 calls/minute per user``, ``100 calls and 5,000 tokens/minute per user_group data-team``."""
    if isinstance(limit, RateLimit):
        return f"{limit.calls:,} calls/minute per {limit.effective_key}"
    amounts = [f"{n:,} {what}" for n, what in ((limit.calls, "calls"), (limit.tokens, "tokens")) if n is not None]
    per = limit.effective_key + (f" {limit.principal}" if limit.principal else "")
    return f"{' and '.join(amounts)}/minute per {per}"


def per_text(limit: AnyLimit) -> str:
    """Who a limit counts, in words."""
    key = limit.effective_key
    principal = limit.principal if isinstance(limit, AiGatewayRateLimit) else None
    if key == "endpoint":
        return "the whole endpoint"
    if key == "user":
        return f"user {principal}" if principal else "each user"
    return f"{'group' if key == 'user_group' else 'service principal'} {principal or '?'}"


def meter(used: int, limit: int | None, width: int = 12) -> str:
    """``████░░░░ 8/20``: this minute's use against a limit (the bare count when there is no limit)."""
    if not limit:
        return f"{used:,}"
    filled = min(width, round(width * used / limit))
    return f"{'█' * filled}{'░' * (width - filled)} {used:,}/{limit:,}"


NOT_COUNTED = "counts others"
"""The use of a limit that does not count the current user (a group they are not known to be in)."""


def amount(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def use_text(status: LimitStatus | None, what: str) -> str:
    """This minute's use of one measure against its limit, or why there is none to show."""
    if status is None:
        return NOT_COUNTED
    limit = status["calls_limit"] if what == "calls" else status["tokens_limit"]
    return meter(status["calls"] if what == "calls" else status["tokens"], limit) if limit else "-"


def busiest_text(status: LimitStatus | None) -> str:
    """The fullest limit of an endpoint, short enough for the list beside the details: ``███░░░ 3/5 calls``."""
    if status is None:
        return "-"
    what = "calls" if status["calls_limit"] else "tokens"
    used, limit = (
        (status["calls"], status["calls_limit"]) if what == "calls" else (status["tokens"], status["tokens_limit"])
    )
    return f"{meter(used, limit, width=6)} {what}"


def share(status: LimitStatus) -> float:
    """How much of its limit this minute has used: the fuller of calls and tokens (0 to 1 and more)."""
    parts = [
        used / size
        for used, size in ((status["calls"], status["calls_limit"]), (status["tokens"], status["tokens_limit"]))
        if size
    ]
    return max(parts, default=0.0)


@dataclass(frozen=True)
class EndpointLimits:
    """One endpoint's limits and gateway settings, with this minute's use of each limit that counts the
    current user (None for a limit that counts others, e.g. a group the user is not known to be in)."""

    name: str
    legacy: list[RateLimit]
    gateway: AiGatewayConfig | None
    legacy_use: list[LimitStatus | None]
    gateway_use: list[LimitStatus | None]
    served_entities: int

    @property
    def gateway_limits(self) -> list[AiGatewayRateLimit]:
        return list(self.gateway.rate_limits or []) if self.gateway else []

    @property
    def summary(self) -> str:
        """``1 legacy, 2 gateway`` or ``none``."""
        counts = [(len(self.legacy), "legacy"), (len(self.gateway_limits), "gateway")]
        return ", ".join(f"{n} {what}" for n, what in counts if n) or "none"

    @property
    def busiest(self) -> LimitStatus | None:
        """The limit closest to running out this minute."""
        statuses = [s for s in (*self.legacy_use, *self.gateway_use) if s is not None]
        return max(statuses, key=share, default=None)


def endpoint_limits(endpoint: ServingEndpointDetailed, statuses: Sequence[LimitStatus]) -> EndpointLimits:
    legacy = list(endpoint.rate_limits or [])
    gateway_limits = list(endpoint.ai_gateway.rate_limits or []) if endpoint.ai_gateway else []
    legacy_use, gateway_use = pair_usage(legacy, gateway_limits, statuses)
    served = len(endpoint.config.served_entities or []) if endpoint.config else 0
    return EndpointLimits(endpoint.name, legacy, endpoint.ai_gateway, legacy_use, gateway_use, served)


def pair_usage(
    legacy: Sequence[RateLimit], gateway: Sequence[AiGatewayRateLimit], statuses: Sequence[LimitStatus]
) -> tuple[list[LimitStatus | None], list[LimitStatus | None]]:
    """Each limit's status, matched in order.

    A workspace reports the limits that count the current user, legacy first, each list in its stored
    order, skipping the ones that count others. A status belongs to the next limit of the same sizes
    whose key its label names; a limit passed over has no status.
    """
    pending = list(statuses)

    def take(limit: AnyLimit) -> LimitStatus | None:
        calls = limit.calls
        tokens = limit.tokens if isinstance(limit, AiGatewayRateLimit) else None
        for i, status in enumerate(pending):
            if (
                status["calls_limit"] == calls
                and status["tokens_limit"] == tokens
                and f"per {limit.effective_key}" in status["label"]
            ):
                del pending[: i + 1]
                return status
        return None

    return [take(limit) for limit in legacy], [take(limit) for limit in gateway]


# -- changing the stored lists


class ChangedElsewhere(Exception):
    """The limit being edited is no longer where it was (another window or process changed the list)."""


@dataclass(frozen=True)
class LimitEdit:
    """Add (``index`` None), change (``before`` and ``after``) or remove (``after`` None) one limit."""

    kind: Kind
    index: int | None = None
    before: AnyLimit | None = None
    after: AnyLimit | None = None


def edited(current: Sequence[L], edit: LimitEdit) -> list[L]:
    """``current`` (the list as stored now) with ``edit`` made; raises :class:`ChangedElsewhere` when the
    limit at ``edit.index`` is not the one the edit was made from."""
    items = list(current)
    if edit.index is None:
        if edit.after is not None:
            items.append(cast(L, edit.after))
        return items
    if edit.index >= len(items) or items[edit.index] != edit.before:
        raise ChangedElsewhere("These limits were changed elsewhere meanwhile; look again and retry (press r).")
    if edit.after is None:
        del items[edit.index]
    else:
        items[edit.index] = cast(L, edit.after)
    return items


def with_gateway_limits(gateway: AiGatewayConfig | None, limits: list[AiGatewayRateLimit]) -> AiGatewayConfig:
    """The gateway config with these rate limits and every other setting as it was."""
    return (gateway or AiGatewayConfig()).model_copy(update={"rate_limits": limits or None})
