"""The rate-limit form's rules, edits against the stored list, and this minute's use matched to its limit."""

from __future__ import annotations

import pytest

from tui.domain.base import parse_stored
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.gateway import AiGatewayConfig, AiGatewayRateLimit, RateLimit, UsageTrackingConfig
from tui.manage.limits import (
    NOT_COUNTED,
    ChangedElsewhere,
    LimitEdit,
    LimitForm,
    busiest_text,
    check_limit,
    describe,
    edited,
    endpoint_limits,
    form_of,
    meter,
    pair_usage,
    per_text,
    use_text,
    with_gateway_limits,
)
from tui.workspace.usage import LimitStatus


def _status(label: str, calls: int | None, tokens: int | None = None, used: int = 0) -> LimitStatus:
    return LimitStatus(label=label, calls=used, calls_limit=calls, tokens=0, tokens_limit=tokens)


def test_a_legacy_limit_of_20_calls_per_user() -> None:
    limit, errors = check_limit(LimitForm("legacy", calls=" 20 ", key="user"))
    assert errors == {}
    assert limit == RateLimit(calls=20, key="user", renewal_period="minute")


def test_a_gateway_limit_on_tokens_for_a_group() -> None:
    limit, errors = check_limit(LimitForm("gateway", tokens="5000", key="user_group", principal="data-team"))
    assert errors == {}
    assert limit == AiGatewayRateLimit(tokens=5000, key="user_group", principal="data-team", renewal_period="minute")


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (LimitForm("legacy", calls="0"), "calls", "1 or more"),
        (LimitForm("legacy", calls="-3"), "calls", "1 or more"),
        (LimitForm("legacy", calls="twenty"), "calls", "whole number"),
        (LimitForm("legacy", calls="1.5"), "calls", "whole number"),
        (LimitForm("legacy", calls=""), "calls", "is required"),
        (LimitForm("legacy", calls=str(2**63)), "calls", "at most"),
        (LimitForm("gateway", tokens="0"), "tokens", "1 or more"),
        (LimitForm("gateway"), "calls", "give 'calls', 'tokens' or both"),
        (LimitForm("gateway", calls="5", key="user_group"), "principal", "needs a 'principal'"),
        (LimitForm("gateway", calls="5", key="service_principal", principal="  "), "principal", "needs a 'principal'"),
        (LimitForm("gateway", calls="5", key="endpoint", principal="x"), "principal", "takes no 'principal'"),
        (LimitForm("gateway", calls="5", key="user", principal="a\x1b[2Jb"), "principal", "control character"),
        (LimitForm("gateway", calls="5", key="team"), "key", "must be one of"),
        (LimitForm("legacy", calls="5", key="user_group"), "key", "must be one of 'user', 'endpoint'"),
    ],
)
def test_each_bad_input_is_named_at_its_field(form: LimitForm, field: str, words: str) -> None:
    limit, errors = check_limit(form)
    assert limit is None
    assert words in errors[field]


def test_several_problems_each_at_their_own_field() -> None:
    _, errors = check_limit(LimitForm("gateway", calls="0", tokens="x", key="user_group"))
    assert set(errors) == {"calls", "tokens", "principal"}


def test_a_form_shows_the_limit_it_edits() -> None:
    gateway = AiGatewayRateLimit(calls=5, tokens=100, key="service_principal", principal="app-1")
    assert form_of(gateway) == LimitForm("gateway", "5", "100", "service_principal", "app-1")
    assert check_limit(form_of(gateway))[0] == gateway
    assert form_of(RateLimit(calls=3)) == LimitForm("legacy", calls="3", key="endpoint")


def test_limits_read_in_words() -> None:
    assert describe(RateLimit(calls=20, key="user")) == "20 calls/minute per user"
    both = AiGatewayRateLimit(calls=100, tokens=5000, key="user_group", principal="data-team")
    assert describe(both) == "100 calls and 5,000 tokens/minute per user_group data-team"
    assert per_text(both) == "group data-team"
    assert per_text(AiGatewayRateLimit(calls=1)) == "the whole endpoint"
    assert per_text(AiGatewayRateLimit(calls=1, key="user", principal="ann@x.org")) == "user ann@x.org"


def test_the_meter_fills_with_use() -> None:
    assert meter(0, 20, width=4) == "░░░░ 0/20"
    assert meter(10, 20, width=4) == "██░░ 10/20"
    assert meter(30, 20, width=4) == "████ 30/20"
    assert meter(7, None) == "7"


def test_use_is_matched_to_its_limit_and_a_limit_counting_others_has_none() -> None:
    legacy = [RateLimit(calls=20, key="user")]
    gateway = [
        AiGatewayRateLimit(calls=10, key="user_group", principal="team"),
        AiGatewayRateLimit(calls=10, tokens=500, key="user"),
        AiGatewayRateLimit(tokens=900, key="endpoint"),
    ]
    statuses = [
        _status("20 calls/minute per user", 20, used=3),
        _status("10 calls and 500 tokens/minute per user", 10, 500, used=2),
        _status("900 tokens/minute per endpoint", None, 900, used=1),
    ]
    legacy_use, gateway_use = pair_usage(legacy, gateway, statuses)
    assert legacy_use == [statuses[0]]
    assert gateway_use == [None, statuses[1], statuses[2]]


def test_an_edit_applies_to_the_list_as_stored_now() -> None:
    one, two = RateLimit(calls=1), RateLimit(calls=2)
    assert edited([one], LimitEdit("legacy", after=two)) == [one, two]
    assert edited([one, two], LimitEdit("legacy", 1, two, RateLimit(calls=3))) == [one, RateLimit(calls=3)]
    assert edited([one, two], LimitEdit("legacy", 0, one)) == [two]


@pytest.mark.parametrize("index", [0, 5])
def test_an_edit_of_a_limit_changed_elsewhere_is_refused(index: int) -> None:
    with pytest.raises(ChangedElsewhere):
        edited([RateLimit(calls=9)], LimitEdit("legacy", index, RateLimit(calls=1)))


def test_gateway_limits_keep_the_other_settings() -> None:
    stored = AiGatewayConfig(usage_tracking_config=UsageTrackingConfig(enabled=True))
    limit = AiGatewayRateLimit(calls=1)
    updated = with_gateway_limits(stored, [limit])
    assert updated.rate_limits == [limit]
    assert updated.usage_tracking_config == stored.usage_tracking_config
    assert with_gateway_limits(updated, []).to_json() == {"usage_tracking_config": {"enabled": True}}


def test_a_bad_number_is_reported_alone_not_as_a_missing_one() -> None:
    _, errors = check_limit(LimitForm("gateway", tokens="0"))
    assert set(errors) == {"tokens"}


def test_the_use_of_each_measure_reads_as_a_meter() -> None:
    status = _status("5 calls and 100 tokens/minute per user", 5, 100, used=5)
    assert use_text(status, "calls") == "████████████ 5/5"
    assert use_text(status, "tokens") == "░░░░░░░░░░░░ 0/100"
    assert use_text(_status("100 tokens/minute per user", None, 100), "calls") == "-"
    assert use_text(None, "calls") == NOT_COUNTED
    assert busiest_text(status) == "██████ 5/5 calls"
    assert busiest_text(None) == "-"


def test_an_endpoint_reads_as_its_limits_and_the_one_closest_to_running_out() -> None:
    stored = parse_stored(
        ServingEndpointDetailed,
        {
            "name": "e",
            "rate_limits": [{"calls": 10, "key": "user"}],
            "ai_gateway": {"rate_limits": [{"tokens": 100, "key": "endpoint"}, {"calls": 1, "key": "user_group"}]},
        },
    )
    calls = _status("10 calls/minute per user", 10, used=2)
    tokens = _status("100 tokens/minute per endpoint", None, 100)
    tokens["tokens"] = 90
    limits = endpoint_limits(stored, [calls, tokens])
    assert limits.summary == "1 legacy, 2 gateway"
    assert limits.gateway_use == [tokens, None]
    assert limits.busiest == tokens
    bare = endpoint_limits(parse_stored(ServingEndpointDetailed, {"name": "bare"}), [])
    assert (bare.summary, bare.busiest, bare.served_entities) == ("none", None, 0)
