"""Which rate limits count a call: buckets per endpoint, user, group and service principal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.domain.gateway import AiGatewayRateLimit, RateLimit
from tui.workspace.local.limits import Caller, applicable_limits
from tui.workspace.local.ratelimit import RateLimiter
from tui.workspace.local.store import Store

NOW = 1_700_000_000.0

ALICE = Caller(user="alice@example.com", groups=("data-team",))
BOB = Caller(user="bob@example.com", groups=("data-team", "admins"))
CAROL = Caller(user="carol@example.com")
ROBOT = Caller(user="robot", service_principal="sp-1234")
OTHER_ROBOT = Caller(user="other-robot", service_principal="sp-9999")


def buckets(caller: Caller, **kwargs) -> list[str]:
    return [limit.bucket for limit in applicable_limits("ep", caller, **kwargs)]


# --- legacy limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["endpoint", None])
def test_legacy_endpoint_key_is_one_bucket_for_everyone(key: str | None) -> None:
    legacy = [RateLimit(calls=10, key=key)]
    for_alice = applicable_limits("ep", ALICE, legacy=legacy)
    for_bob = applicable_limits("ep", BOB, legacy=legacy)
    assert len(for_alice) == len(for_bob) == 1
    assert for_alice[0].bucket == for_bob[0].bucket
    assert for_alice[0].calls == 10 and for_alice[0].tokens is None


def test_legacy_user_key_is_one_bucket_per_user() -> None:
    legacy = [RateLimit(calls=3, key="user")]
    alice, bob = buckets(ALICE, legacy=legacy), buckets(BOB, legacy=legacy)
    assert len(alice) == len(bob) == 1
    assert alice != bob
    assert buckets(ALICE, legacy=legacy) == alice  # stable for the same user


# --- gateway limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["endpoint", None])
def test_gateway_endpoint_key_is_one_bucket_for_everyone(key: str | None) -> None:
    gateway = [AiGatewayRateLimit(calls=5, tokens=1000, key=key)]
    per_caller = [applicable_limits("ep", c, gateway=gateway) for c in (ALICE, BOB, CAROL, ROBOT)]
    assert all(len(limits) == 1 for limits in per_caller)
    assert len({limits[0].bucket for limits in per_caller}) == 1
    assert per_caller[0][0].calls == 5 and per_caller[0][0].tokens == 1000


def test_gateway_user_key_is_one_bucket_per_user() -> None:
    gateway = [AiGatewayRateLimit(tokens=500, key="user")]
    all_buckets = [buckets(c, gateway=gateway) for c in (ALICE, BOB, CAROL, ROBOT)]
    assert all(len(b) == 1 for b in all_buckets)
    assert len({b[0] for b in all_buckets}) == 4


def test_gateway_user_key_with_a_principal_applies_only_to_that_user() -> None:
    gateway = [AiGatewayRateLimit(calls=2, key="user", principal=ALICE.user)]
    limits = applicable_limits("ep", ALICE, gateway=gateway)
    assert len(limits) == 1 and limits[0].calls == 2
    assert applicable_limits("ep", BOB, gateway=gateway) == []
    assert applicable_limits("ep", CAROL, gateway=gateway) == []


def test_gateway_user_group_key_applies_only_to_members() -> None:
    gateway = [AiGatewayRateLimit(calls=7, key="user_group", principal="admins")]
    assert applicable_limits("ep", ALICE, gateway=gateway) == []  # in data-team, not admins
    assert applicable_limits("ep", CAROL, gateway=gateway) == []
    bob = applicable_limits("ep", BOB, gateway=gateway)
    assert len(bob) == 1 and bob[0].calls == 7
    # the group shares one bucket: a second member counts in the same one
    dave = Caller(user="dave@example.com", groups=("admins",))
    assert buckets(dave, gateway=gateway) == [bob[0].bucket]
    # a group named like the user is not membership
    assert applicable_limits("ep", Caller(user="admins"), gateway=gateway) == []


def test_gateway_service_principal_key_applies_only_to_that_principal() -> None:
    gateway = [AiGatewayRateLimit(calls=100, key="service_principal", principal="sp-1234")]
    robot = applicable_limits("ep", ROBOT, gateway=gateway)
    assert len(robot) == 1 and robot[0].calls == 100
    assert applicable_limits("ep", OTHER_ROBOT, gateway=gateway) == []
    assert applicable_limits("ep", ALICE, gateway=gateway) == []
    # a user whose name happens to be the principal's id is not that service principal
    assert applicable_limits("ep", Caller(user="sp-1234"), gateway=gateway) == []


def test_legacy_and_gateway_limits_coexist_in_distinct_buckets() -> None:
    legacy = [RateLimit(calls=10, key="endpoint"), RateLimit(calls=3, key="user")]
    gateway = [
        AiGatewayRateLimit(calls=5, key="endpoint"),
        AiGatewayRateLimit(tokens=1000, key="user"),
        AiGatewayRateLimit(calls=1, key="user_group", principal="nobody-here"),
    ]
    limits = applicable_limits("ep", ALICE, legacy=legacy, gateway=gateway)
    assert [(lim.calls, lim.tokens) for lim in limits] == [(10, None), (3, None), (5, None), (None, 1000)]
    assert len({lim.bucket for lim in limits}) == 4  # the same key in legacy and gateway does not share
    assert applicable_limits("ep", ALICE) == []
    assert applicable_limits("ep", ALICE, legacy=[], gateway=[]) == []


def test_two_identical_gateway_limits_count_separately() -> None:
    gateway = [AiGatewayRateLimit(calls=5, key="endpoint"), AiGatewayRateLimit(calls=5, key="endpoint")]
    assert len(set(buckets(ALICE, gateway=gateway))) == 2


def test_endpoints_never_share_buckets() -> None:
    legacy = [RateLimit(calls=1, key="endpoint"), RateLimit(calls=1, key="user")]
    gateway = [AiGatewayRateLimit(calls=1, key="endpoint"), AiGatewayRateLimit(calls=1, key="user")]
    one = {lim.bucket for lim in applicable_limits("one", ALICE, legacy=legacy, gateway=gateway)}
    two = {lim.bucket for lim in applicable_limits("two", ALICE, legacy=legacy, gateway=gateway)}
    assert one.isdisjoint(two)


def test_labels_are_readable() -> None:
    legacy = [RateLimit(calls=10), RateLimit(calls=3, key="user")]
    gateway = [
        AiGatewayRateLimit(calls=5, tokens=2000, key="user"),
        AiGatewayRateLimit(tokens=300, key="user_group", principal="data-team"),
        AiGatewayRateLimit(calls=7),
    ]
    labels = [lim.label for lim in applicable_limits("ep", ALICE, legacy=legacy, gateway=gateway)]
    assert labels == [
        "10 calls/minute per endpoint",
        "3 calls/minute per user",
        "5 calls and 2000 tokens/minute per user",
        "300 tokens/minute per user_group data-team",
        "7 calls/minute per endpoint",
    ]
    for label in labels:
        assert "None" not in label and "|" not in label and " and /" not in label and "/minute per " in label


# --- a property over random callers -------------------------------------------------------------

users = st.sampled_from(["u1", "u2", "u3"])
groups = st.lists(st.sampled_from(["g1", "g2"]), unique=True, max_size=2).map(tuple)
callers = st.builds(Caller, user=users, groups=groups, service_principal=st.none() | st.sampled_from(["sp1", "sp2"]))
gateway_limits = st.one_of(
    st.builds(AiGatewayRateLimit, calls=st.integers(0, 9), key=st.sampled_from([None, "endpoint"])),
    st.builds(AiGatewayRateLimit, calls=st.integers(0, 9), key=st.just("user"), principal=st.none() | users),
    st.builds(
        AiGatewayRateLimit, calls=st.integers(0, 9), key=st.just("user_group"), principal=st.sampled_from(["g1", "g2"])
    ),
    st.builds(
        AiGatewayRateLimit,
        calls=st.integers(0, 9),
        key=st.just("service_principal"),
        principal=st.sampled_from(["sp1", "sp2"]),
    ),
)


def applies(gl: AiGatewayRateLimit, c: Caller) -> bool:
    key = gl.key or "endpoint"
    return (
        key == "endpoint"
        or (key == "user" and gl.principal in (None, c.user))
        or (key == "user_group" and gl.principal in c.groups)
        or (key == "service_principal" and gl.principal == c.service_principal)
    )


def same_subject(gl: AiGatewayRateLimit, a: Caller, b: Caller) -> bool:
    """Whether two callers, both counted by ``gl``, count in the same bucket."""
    return (gl.key or "endpoint") != "user" or a.user == b.user


@settings(max_examples=100, deadline=None)
@given(gl=gateway_limits, a=callers, b=callers)
def test_gateway_limit_applies_and_shares_exactly_as_documented(gl: AiGatewayRateLimit, a: Caller, b: Caller) -> None:
    for_a = applicable_limits("ep", a, gateway=[gl])
    for_b = applicable_limits("ep", b, gateway=[gl])
    assert len(for_a) == applies(gl, a) and len(for_b) == applies(gl, b)
    if for_a and for_b:
        assert (for_a[0].bucket == for_b[0].bucket) == same_subject(gl, a, b)


# --- through the rate limiter ----------------------------------------------------------------------


def test_each_user_gets_their_own_user_quota(tmp_path: Path) -> None:
    limiter = RateLimiter(Store(tmp_path / "q.db"))
    gateway = [AiGatewayRateLimit(calls=2, key="user")]
    alice = applicable_limits("ep", ALICE, gateway=gateway)
    bob = applicable_limits("ep", BOB, gateway=gateway)
    assert [limiter.reserve(alice, now=NOW).admitted for _ in range(3)] == [True, True, False]
    # alice being out of quota does not touch bob's
    assert [limiter.reserve(bob, now=NOW).admitted for _ in range(3)] == [True, True, False]
    refused = limiter.reserve(alice, now=NOW + 1)
    assert not refused.admitted and refused.refused_by == alice[0]
    assert refused.refused_by.label == "2 calls/minute per user"
    assert limiter.usage(alice[0], now=NOW) == (2, 0)
    assert limiter.usage(bob[0], now=NOW) == (2, 0)


def test_a_shared_endpoint_quota_and_personal_quotas_together(tmp_path: Path) -> None:
    limiter = RateLimiter(Store(tmp_path / "q.db"))
    legacy = [RateLimit(calls=3, key="endpoint")]
    gateway = [AiGatewayRateLimit(calls=2, key="user")]
    alice = applicable_limits("ep", ALICE, legacy=legacy, gateway=gateway)
    bob = applicable_limits("ep", BOB, legacy=legacy, gateway=gateway)
    assert limiter.reserve(alice, now=NOW).admitted
    assert limiter.reserve(alice, now=NOW).admitted
    assert limiter.reserve(bob, now=NOW).admitted
    refused = limiter.reserve(bob, now=NOW)  # bob has quota left, the endpoint has not
    assert not refused.admitted
    assert refused.refused_by is not None and refused.refused_by.label == "3 calls/minute per endpoint"
    assert limiter.usage(bob[1], now=NOW) == (1, 0)  # and bob's own bucket recorded nothing for it
