"""Which rate limits apply to one caller of one endpoint, as buckets for the :class:`RateLimiter`."""

from __future__ import annotations

from dataclasses import dataclass

from tui.domain.gateway import AiGatewayRateLimit, RateLimit
from tui.workspace.local.ratelimit import Limit


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user, the groups they belong to, or a service principal."""

    user: str
    groups: tuple[str, ...] = ()
    service_principal: str | None = None


def applicable_limits(
    endpoint: str,
    caller: Caller,
    legacy: list[RateLimit] | None = None,
    gateway: list[AiGatewayRateLimit] | None = None,
) -> list[Limit]:
    """The limits that count this call, each in its own bucket.

    * key ``endpoint``: one bucket for everyone;
    * key ``user``: one bucket per user (or only the named ``principal``);
    * key ``user_group``: one bucket for the group, when the caller is in it;
    * key ``service_principal``: when the caller is that service principal.
    """
    limits: list[Limit] = []
    for i, rl in enumerate(legacy or []):
        subject: str | None = caller.user if rl.effective_key == "user" else "*"
        limits.append(
            Limit(
                bucket=f"{endpoint}|legacy{i}|{rl.effective_key}|{subject}",
                calls=rl.calls,
                label=f"{rl.calls} calls/minute per {rl.effective_key}",
            )
        )
    for i, gl in enumerate(gateway or []):
        subject = _gateway_subject(gl, caller)
        if subject is None:
            continue
        parts = [
            f"{gl.calls} calls" if gl.calls is not None else "",
            f"{gl.tokens} tokens" if gl.tokens is not None else "",
        ]
        per = gl.effective_key + (f" {gl.principal}" if gl.principal else "")
        limits.append(
            Limit(
                bucket=f"{endpoint}|gateway{i}|{gl.effective_key}|{subject}",
                calls=gl.calls,
                tokens=gl.tokens,
                label=f"{' and '.join(p for p in parts if p)}/minute per {per}",
            )
        )
    return limits


def _gateway_subject(limit: AiGatewayRateLimit, caller: Caller) -> str | None:
    """The bucket subject for ``caller`` under ``limit``, or None when the limit does not apply."""
    key = limit.effective_key
    if key == "endpoint":
        return "*"
    if key == "user":
        if limit.principal and limit.principal != caller.user:
            return None
        return caller.user
    if key == "user_group":
        return limit.principal if limit.principal in caller.groups else None
    if key == "service_principal":
        return limit.principal if caller.service_principal and limit.principal == caller.service_principal else None
    return None
