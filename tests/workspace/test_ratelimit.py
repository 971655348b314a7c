"""The rate limiter: exact under threads and processes, a true sliding window, honest retry hints."""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.workspace.local.ratelimit import WINDOW_MS, Decision, Limit, RateLimiter
from tui.workspace.local.store import Store

# A realistic wall-clock epoch (seconds), so times are floats like 1700000000.123 as time.time() gives.
BASE_MS = 1_700_000_000_000
NOW = BASE_MS / 1000

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fresh_path(tmp_path: Path) -> Path:
    """A new database file per hypothesis example (tmp_path is shared by all examples of one test)."""
    return tmp_path / f"{uuid.uuid4().hex}.db"


@pytest.fixture
def limiter(tmp_path: Path) -> RateLimiter:
    return RateLimiter(Store(tmp_path / "rl.db"))


# ---------------------------------------------------------------------------------------------------
# 1. Exact under concurrency: threads of one process, and two OS processes
# ---------------------------------------------------------------------------------------------------


def _reserve_together(stores: list[Store], limits: list[Limit], tokens: int) -> list[Decision]:
    """Every store's limiter reserves once, all released at the same instant by a barrier."""
    barrier = threading.Barrier(len(stores))

    def one(store: Store) -> Decision:
        barrier.wait(timeout=30)
        return RateLimiter(store).reserve(limits, tokens=tokens, now=NOW)

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        return list(pool.map(one, stores))


@FAST
@given(n=st.integers(1, 24), calls=st.integers(0, 30), shared_connection=st.booleans())
@example(n=24, calls=23, shared_connection=False)
@example(n=24, calls=24, shared_connection=False)
@example(n=24, calls=0, shared_connection=True)
def test_concurrent_threads_admit_exactly_min_of_requests_and_calls_limit(
    tmp_path: Path, n: int, calls: int, shared_connection: bool
) -> None:
    path = fresh_path(tmp_path)
    first = Store(path)
    # either one connection shared by every thread, or one connection (and SQLite lock contention) per thread
    stores = [first] * n if shared_connection else [first] + [Store(path) for _ in range(n - 1)]
    try:
        limit = Limit(bucket="ep|*", calls=calls)
        decisions = _reserve_together(stores, [limit], tokens=0)
        admitted = [d for d in decisions if d.admitted]
        assert len(admitted) == min(n, calls)
        assert all(d.refused_by == limit for d in decisions if not d.admitted)
        # every admitted call got its own event, and the bucket holds exactly those
        ids = [d.event_ids[0] for d in admitted]
        assert len(set(ids)) == len(ids)
        assert RateLimiter(first).usage(limit, now=NOW) == (min(n, calls), 0)
    finally:
        for store in {id(s): s for s in stores}.values():
            store.close()


@FAST
@given(n=st.integers(1, 16), per_call=st.integers(1, 20), budget=st.integers(0, 200))
def test_concurrent_threads_never_exceed_a_tokens_limit(tmp_path: Path, n: int, per_call: int, budget: int) -> None:
    path = fresh_path(tmp_path)
    stores = [Store(path) for _ in range(n)]
    try:
        limit = Limit(bucket="ep|*", tokens=budget)
        decisions = _reserve_together(stores, [limit], tokens=per_call)
        expected = min(n, budget // per_call)
        assert sum(d.admitted for d in decisions) == expected
        assert RateLimiter(stores[0]).usage(limit, now=NOW) == (expected, expected * per_call)
    finally:
        for s in stores:
            s.close()


def _process_worker(path: str, k: int, calls: int, now: float, barrier, out) -> None:
    """Runs in a spawned process: its own Store on the shared file, K reservations at a fixed ``now``."""
    store = Store(Path(path))
    try:
        limiter = RateLimiter(store)
        limit = Limit(bucket="shared|*", calls=calls)
        barrier.wait(timeout=60)
        admitted = 0
        for _ in range(k):
            admitted += limiter.reserve([limit], now=now).admitted
        out.put((os.getpid(), admitted))
    finally:
        store.close()


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(1, 40), calls=st.integers(0, 60))
@example(k=30, calls=45)  # the limit is reached while both processes are still asking
def test_two_processes_admit_exactly_min_of_requests_and_calls_limit(tmp_path: Path, k: int, calls: int) -> None:
    path = fresh_path(tmp_path)
    Store(path).close()  # create and migrate once, so both children only open it
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    out = ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(str(path), k, calls, NOW, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    try:
        results = [out.get(timeout=60) for _ in procs]
    except queue.Empty:  # pragma: no cover - only when a child crashed
        pytest.fail(f"a child process did not report (exit codes {[p.exitcode for p in procs]})")
    finally:
        for p in procs:
            p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    pids = {pid for pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids
    total = sum(admitted for _, admitted in results)
    assert total == min(2 * k, calls)
    store = Store(path)
    try:
        assert RateLimiter(store).usage(Limit(bucket="shared|*", calls=calls), now=NOW) == (total, 0)
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------------
# 2. The sliding window against a reference model
# ---------------------------------------------------------------------------------------------------


class Reference:
    """The documented semantics, written plainly: a list of admitted (t_ms, tokens)."""

    def __init__(self, specs: list[tuple[int | None, int | None]]) -> None:
        self.specs = specs
        self.events: list[tuple[int, int]] = []

    def window(self, t_ms: int) -> list[tuple[int, int]]:
        return [(at, tok) for at, tok in self.events if t_ms - WINDOW_MS < at <= t_ms]

    def fits(self, t_ms: int, tokens: int) -> bool:
        live = self.window(t_ms)
        used = sum(tok for _, tok in live)
        for calls, budget in self.specs:
            if calls is not None and len(live) + 1 > calls:
                return False
            if budget is not None and used + max(tokens, 1) > budget:
                return False
        return True

    def never_fits(self, tokens: int) -> bool:
        return any(
            (calls is not None and calls <= 0) or (budget is not None and max(tokens, 1) > budget)
            for calls, budget in self.specs
        )

    def usage(self, t_ms: int) -> tuple[int, int]:
        live = self.window(t_ms)
        return len(live), sum(tok for _, tok in live)


def make_limits(specs: list[tuple[int | None, int | None]]) -> list[Limit]:
    return [Limit(bucket=f"b{i}", calls=c, tokens=t, label=f"limit {i}") for i, (c, t) in enumerate(specs)]


limit_specs = st.lists(
    st.tuples(st.none() | st.integers(0, 6), st.none() | st.integers(0, 60)).filter(lambda s: s != (None, None)),
    min_size=1,
    max_size=3,
)
gaps_ms = st.sampled_from([0, 1, 999, 1000, 20_000, 30_000, 59_999, 60_000, 60_001]) | st.integers(0, 75_000)
steps = st.lists(st.tuples(gaps_ms, st.integers(0, 25)), min_size=1, max_size=40)


@FAST
@given(specs=limit_specs, plan=steps)
def test_sliding_window_decisions_match_reference_model(
    tmp_path: Path, specs: list[tuple[int | None, int | None]], plan: list[tuple[int, int]]
) -> None:
    store = Store(fresh_path(tmp_path))
    try:
        limiter = RateLimiter(store)
        limits = make_limits(specs)
        ref = Reference(specs)
        t_ms = BASE_MS
        for gap, tokens in plan:
            t_ms += gap
            expected = ref.fits(t_ms, tokens)
            decision = limiter.reserve(limits, tokens=tokens, now=t_ms / 1000)
            assert decision.admitted == expected, (t_ms - BASE_MS, tokens, ref.window(t_ms))
            if expected:
                ref.events.append((t_ms, tokens))
                assert len(decision.event_ids) == len(limits)
            else:
                assert decision.refused_by in limits and decision.event_ids == ()
            for limit in limits:
                assert limiter.usage(limit, now=t_ms / 1000) == ref.usage(t_ms)
    finally:
        store.close()


@FAST
@given(specs=limit_specs, plan=steps, gap=gaps_ms, tokens=st.integers(1, 25))
def test_retry_after_is_exactly_when_the_call_fits(
    tmp_path: Path, specs: list[tuple[int | None, int | None]], plan: list[tuple[int, int]], gap: int, tokens: int
) -> None:
    store = Store(fresh_path(tmp_path))
    try:
        limiter = RateLimiter(store)
        limits = make_limits(specs)
        ref = Reference(specs)
        t_ms = BASE_MS
        for step_gap, step_tokens in plan:  # some history
            t_ms += step_gap
            if limiter.reserve(limits, tokens=step_tokens, now=t_ms / 1000).admitted:
                ref.events.append((t_ms, step_tokens))
        t_ms += gap
        now = t_ms / 1000
        # ask at one instant until refused (each call takes a call and >= 1 token, so this ends)
        for _ in range(200):
            decision = limiter.reserve(limits, tokens=tokens, now=now)
            if not decision.admitted:
                break
            assert ref.fits(t_ms, tokens)
            ref.events.append((t_ms, tokens))
        assert not decision.admitted
        assert not ref.fits(t_ms, tokens)
        if ref.never_fits(tokens):
            assert decision.retry_after is None
            return
        retry = decision.retry_after
        assert retry is not None and retry > 0
        assert ref.fits(t_ms + round(retry * 1000), tokens), "the reference says the call still does not fit then"
        if retry > 0.01:
            assert not limiter.reserve(limits, tokens=tokens, now=now + retry - 0.01).admitted
        assert limiter.reserve(limits, tokens=tokens, now=now + retry).admitted
    finally:
        store.close()


def test_retrying_at_now_plus_retry_after_is_admitted_with_wall_clock_floats(limiter: RateLimiter) -> None:
    """Found by the property above: float seconds must map to the intended millisecond, not 1 ms before."""
    limit = Limit(bucket="b", calls=1)
    assert limiter.reserve([limit], now=(BASE_MS + 58) / 1000).admitted
    now = (BASE_MS + 1057) / 1000  # 1700000001.057
    refused = limiter.reserve([limit], now=now)
    assert not refused.admitted and refused.retry_after == pytest.approx(59.001)
    assert limiter.usage(limit, now=now + refused.retry_after) == (0, 0)
    assert limiter.reserve([limit], now=now + refused.retry_after).admitted


def test_retry_after_covers_every_refusing_limit(limiter: RateLimiter) -> None:
    """Two limits refuse for different lengths of time: the hint must wait for the later one."""
    calls = Limit(bucket="calls", calls=2, label="2 calls")
    tokens = Limit(bucket="tokens", tokens=10, label="10 tokens")
    both = [calls, tokens]
    assert limiter.reserve(both, tokens=1, now=NOW).admitted
    assert limiter.reserve(both, tokens=9, now=NOW + 30).admitted
    refused = limiter.reserve(both, tokens=5, now=NOW + 40)
    assert not refused.admitted
    # the calls limit frees up at +60 (20 s), but the tokens only at +90 (50 s), when the 9 tokens leave
    assert refused.retry_after == pytest.approx(50)
    assert not limiter.reserve(both, tokens=5, now=NOW + 60).admitted
    assert limiter.reserve(both, tokens=5, now=NOW + 90).admitted


def test_retry_after_is_none_when_any_limit_can_never_admit(limiter: RateLimiter) -> None:
    busy = Limit(bucket="busy", calls=1)
    closed = Limit(bucket="closed", calls=0)
    assert limiter.reserve([busy], now=NOW).admitted
    refused = limiter.reserve([busy, closed], now=NOW + 1)
    assert not refused.admitted
    assert refused.retry_after is None  # waiting for 'busy' would not help: 'closed' never admits
    assert refused.refused_by == closed


# ---------------------------------------------------------------------------------------------------
# 3. Edge cases
# ---------------------------------------------------------------------------------------------------


def test_zero_calls_is_refused_for_good(limiter: RateLimiter) -> None:
    limit = Limit(bucket="b", calls=0, label="closed")
    decision = limiter.reserve([limit], now=NOW)
    assert not decision.admitted
    assert decision.refused_by == limit
    assert decision.retry_after is None
    assert decision.event_ids == ()
    assert limiter.usage(limit, now=NOW) == (0, 0)


def test_request_bigger_than_the_whole_token_limit_is_refused_for_good(limiter: RateLimiter) -> None:
    limit = Limit(bucket="b", tokens=100)
    decision = limiter.reserve([limit], tokens=101, now=NOW)
    assert not decision.admitted and decision.retry_after is None and decision.refused_by == limit
    # exactly the limit fits
    assert limiter.reserve([limit], tokens=100, now=NOW).admitted
    # a zero-token limit refuses even a call that will report its tokens later
    zero = Limit(bucket="z", tokens=0)
    later = limiter.reserve([zero], tokens=0, now=NOW)
    assert not later.admitted and later.retry_after is None


def test_all_or_nothing_across_limits(limiter: RateLimiter) -> None:
    first = Limit(bucket="first", calls=5, tokens=1000)
    second = Limit(bucket="second", calls=1)
    assert limiter.reserve([second], now=NOW).admitted  # fills the second bucket
    refused = limiter.reserve([first, second], tokens=7, now=NOW + 1)
    assert not refused.admitted
    assert refused.refused_by == second
    assert refused.retry_after == pytest.approx(59)
    assert limiter.usage(first, now=NOW + 1) == (0, 0)  # nothing recorded in the bucket that said yes
    assert limiter.usage(second, now=NOW + 1) == (1, 0)
    # and when both agree, both record
    admitted = limiter.reserve([first, second], tokens=7, now=NOW + 60)
    assert admitted.admitted and len(admitted.event_ids) == 2
    assert limiter.usage(first, now=NOW + 60) == (1, 7)
    assert limiter.usage(second, now=NOW + 60) == (1, 7)


def test_settle_tokens_updates_usage_and_later_decisions(limiter: RateLimiter) -> None:
    limit = Limit(bucket="b", calls=10, tokens=100)
    other = Limit(bucket="o", tokens=1000)
    decision = limiter.reserve([limit, other], tokens=0, now=NOW)  # tokens unknown until the call ends
    assert decision.admitted
    assert limiter.usage(limit, now=NOW) == (1, 0)
    limiter.settle_tokens(decision, 80)
    assert limiter.usage(limit, now=NOW + 1) == (1, 80)
    assert limiter.usage(other, now=NOW + 1) == (1, 80)
    assert not limiter.reserve([limit], tokens=21, now=NOW + 1).admitted
    assert limiter.reserve([limit], tokens=20, now=NOW + 1).admitted
    # settling again replaces the number (the real count), it does not add
    limiter.settle_tokens(decision, 10)
    assert limiter.usage(limit, now=NOW + 2) == (2, 30)
    # settling a refused decision changes nothing
    refused = limiter.reserve([Limit(bucket="b", calls=0)], now=NOW + 2)
    limiter.settle_tokens(refused, 999)
    assert limiter.usage(limit, now=NOW + 2) == (2, 30)


def test_events_older_than_the_window_do_not_count(limiter: RateLimiter) -> None:
    limit = Limit(bucket="b", calls=1, tokens=10)
    assert limiter.reserve([limit], tokens=10, now=NOW).admitted
    assert limiter.usage(limit, now=NOW + 59.999) == (1, 10)
    refused = limiter.reserve([limit], tokens=1, now=NOW + 59.999)
    assert not refused.admitted and refused.retry_after == pytest.approx(0.001)
    assert limiter.usage(limit, now=NOW + 60) == (0, 0)
    assert limiter.reserve([limit], tokens=10, now=NOW + 60).admitted
    assert limiter.usage(limit, now=NOW + 60) == (1, 10)


def test_empty_limits_admit(limiter: RateLimiter) -> None:
    for _ in range(3):
        decision = limiter.reserve([], tokens=10**9, now=NOW)
        assert decision.admitted and decision.refused_by is None and decision.retry_after is None


def test_buckets_are_independent_and_remaining_is_reported(limiter: RateLimiter) -> None:
    a = Limit(bucket="a", calls=2, tokens=50, label="A")
    b = Limit(bucket="b", calls=1)
    first = limiter.reserve([a], tokens=20, now=NOW)
    assert first.remaining == {"A:calls": 1, "A:tokens": 30}
    assert limiter.reserve([b], now=NOW).remaining == {"b:calls": 0}
    assert limiter.reserve([a], tokens=20, now=NOW).admitted
    assert not limiter.reserve([a], tokens=1, now=NOW).admitted
    assert not limiter.reserve([b], now=NOW).admitted
    assert limiter.usage(a, now=NOW) == (2, 40)
    assert limiter.usage(b, now=NOW) == (1, 0)


def test_default_clock_is_used_when_no_time_is_given(tmp_path: Path) -> None:
    clock = [NOW]
    limiter = RateLimiter(Store(tmp_path / "c.db"), clock=lambda: clock[0])
    limit = Limit(bucket="b", calls=1)
    assert limiter.reserve([limit]).admitted
    assert not limiter.reserve([limit]).admitted
    clock[0] += 60
    assert limiter.usage(limit) == (0, 0)
    assert limiter.reserve([limit]).admitted
