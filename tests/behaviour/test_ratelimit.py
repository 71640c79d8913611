"""Rate limits: algorithms (memory and Redis alike), the stage, 429 headers, Redis outages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from behaviour_helpers import (
    FakeClock,
    PrivateRedis,
    delete_prefix,
    make_request,
    unique_prefix,
)

from apiward.behaviour.limiter import RateLimitStage
from apiward.behaviour.ratelimit import Limit, MemoryBackend, RedisBackend
from apiward.core import Action, Context, Identity
from apiward.settings import (
    BackendFailure,
    RateAlgorithm,
    RateLimitRule,
    RateLimitSettings,
    RateScope,
)

TB = RateAlgorithm.TOKEN_BUCKET
SW = RateAlgorithm.SLIDING_WINDOW


def test_memory_token_bucket_burst_and_refill() -> None:
    clock = FakeClock()
    mem = MemoryBackend(100, clock)
    lim = Limit("t", TB, limit=60, period=60, burst=5)  # 1 token/s, burst 5
    results = [mem.hit("k", lim).allowed for _ in range(7)]
    assert results == [True] * 5 + [False] * 2
    denied = mem.hit("k", lim)
    assert not denied.allowed and denied.retry_after == pytest.approx(1.0)
    clock.advance(1.0)
    assert mem.hit("k", lim).allowed
    assert not mem.hit("k", lim).allowed
    clock.advance(100)
    assert [mem.hit("k", lim).allowed for _ in range(6)] == [True] * 5 + [False]
    assert mem.hit("other", lim).allowed  # keys are independent


def test_memory_sliding_window() -> None:
    clock = FakeClock(start=600.0)  # window boundary (period 60)
    mem = MemoryBackend(100, clock)
    lim = Limit("s", SW, limit=10, period=60)
    assert [mem.hit("k", lim).allowed for _ in range(11)] == [True] * 10 + [False]
    clock.advance(60 + 30)  # half into the next window: previous 10 count as 5
    assert [mem.hit("k", lim).allowed for _ in range(6)] == [True] * 5 + [False]
    out = mem.hit("k", lim)
    assert not out.allowed and 0 < out.retry_after <= 60


def test_memory_backend_is_bounded() -> None:
    mem = MemoryBackend(100, FakeClock())
    lim = Limit("t", TB, limit=10, period=60)
    for i in range(1000):
        mem.hit(f"k{i}", lim)
    assert len(mem) == 100 and mem.evictions == 900


@pytest.fixture()
def prefix(redis_url: str) -> Iterator[str]:
    name = unique_prefix("rl")
    yield name
    delete_prefix(redis_url, name)


@pytest.mark.parametrize("algorithm", [TB, SW])
def test_redis_matches_limit_and_is_atomic(redis_url: str, prefix: str, algorithm: RateAlgorithm) -> None:
    lim = Limit("r", algorithm, limit=50, period=3600)

    async def scenario() -> tuple[list[bool], int]:
        backend = RedisBackend(redis_url, timeout=1.0)
        try:
            # 20 concurrent requests charging 10 limits each -> exactly 50 admitted.
            batches = [[(f"{prefix}k", lim, 1)] * 10 for _ in range(20)]
            results = await asyncio.gather(*(backend.hit_many(b) for b in batches))
            return [o.allowed for batch in results for o in batch], backend.round_trips
        finally:
            await backend.close()

    allowed, round_trips = asyncio.run(scenario())
    assert sum(allowed) == 50
    assert round_trips < 20  # concurrent requests were coalesced into shared pipelines


def settings(**kw: Any) -> RateLimitSettings:
    return RateLimitSettings(enabled=True, **kw)


def test_stage_throttles_with_headers_and_scopes() -> None:
    clock = FakeClock()
    rules = (
        RateLimitRule(name="ip", scope=RateScope.IP, limit=100, period=60),
        RateLimitRule(name="login", scope=RateScope.IP, limit=3, period=60, routes=("/login",), methods=("POST",)),
        RateLimitRule(name="user", scope=RateScope.IDENTITY, limit=4, period=60),
    )
    stage = RateLimitStage(settings(rules=rules), clock=clock)

    async def scenario() -> None:
        login = make_request("POST", "/login", body=b'{"username":"a","password":"b"}')
        for _ in range(3):
            ctx = Context("r")
            assert not await stage.inspect(login, ctx)
            assert "ratelimit.policy" in ctx.tags and '"login";q=3;w=60' in ctx.tags["ratelimit.policy"]
        ctx = Context("r")
        found = await stage.inspect(login, ctx)
        assert len(found) == 1 and found[0].action is Action.THROTTLE and found[0].status == 429
        assert found[0].retry_after == pytest.approx(20.0)
        assert ctx.tags["ratelimit.retry_after"] == "20"
        assert ctx.tags["ratelimit"].startswith('"login";r=0;t=20')
        # Another IP is not affected; GET /login is not under the login rule.
        assert not await stage.inspect(make_request("POST", "/login", client_ip="198.51.100.1"), Context("r"))
        assert not await stage.inspect(make_request("GET", "/login"), Context("r"))
        # Identity scope: the same subject from many IPs shares one budget.
        verdicts = []
        for i in range(6):
            ctx = Context("r", identity=Identity("bob", "jwt"))
            verdicts.append(bool(await stage.inspect(make_request("GET", "/x", client_ip=f"10.0.0.{i}"), ctx)))
        assert verdicts == [False] * 4 + [True] * 2
        # Anonymous requests have no identity key: only the ip rule applies.
        assert not await stage.inspect(make_request("GET", "/x", client_ip="10.9.9.9"), Context("r"))

    asyncio.run(scenario())
    assert stage.counters["throttled"] == 3


def test_risk_cost_tightens_limits() -> None:
    stage = RateLimitStage(settings(rules=(RateLimitRule(name="ip", limit=8, period=60),)), clock=FakeClock())

    async def scenario() -> int:
        passed = 0
        for _ in range(8):
            ctx = Context("r", tags={"risk.cost": "4"})
            passed += not await stage.inspect(make_request(), ctx)
        return passed

    assert asyncio.run(scenario()) == 2


@pytest.fixture()
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_redis_outage_fail_open_then_recovery(private_redis: PrivateRedis) -> None:
    clock = FakeClock()
    rule = RateLimitRule(name="ip", limit=5, period=3600)
    stage = RateLimitStage(
        settings(rules=(rule,), redis_url=private_redis.url, redis_timeout=0.5, redis_retry_interval=5),
        clock=clock,
    )

    async def scenario() -> None:
        ctx = Context("r")
        assert not await stage.inspect(make_request(), ctx)
        assert ctx.tags["ratelimit.backend"] == "redis"
        private_redis.stop()
        ctx = Context("r")
        found = await stage.inspect(make_request(), ctx)
        assert ctx.tags["ratelimit.backend"] == "fallback"
        assert [f.rule for f in found] == ["ratelimit.backend-down-fail-open"]
        assert found[0].action is Action.LOG
        # Local limits are in force meanwhile (5 per hour per process).
        results = [bool(await stage.inspect(make_request(), Context("r"))) for _ in range(6)]
        assert results[-1] is True
        assert stage.counters["redis_errors"] == 1  # marked down: no retry storm
        assert stage.counters["fallback_decisions"] == 7
        assert stage.stats()["redis_up"] == 0.0
        private_redis.start()
        clock.advance(6)
        ctx = Context("r")
        await stage.inspect(make_request(), ctx)
        assert ctx.tags["ratelimit.backend"] == "redis"
        assert stage.stats()["redis_up"] == 1.0
        await stage.close()

    asyncio.run(scenario())


def test_redis_unreachable_fail_closed(private_redis: PrivateRedis) -> None:
    url = private_redis.url
    private_redis.stop()
    stage = RateLimitStage(
        settings(rules=(RateLimitRule(name="ip", limit=5, period=60),), redis_url=url,
                 redis_failure=BackendFailure.CLOSED, redis_timeout=0.5),
        clock=FakeClock(),
    )

    async def scenario() -> None:
        ctx = Context("r")
        found = await stage.inspect(make_request(), ctx)
        assert len(found) == 1
        f = found[0]
        assert f.action is Action.BLOCK and f.status == 503 and f.rule == "ratelimit.backend-down-fail-closed"
        assert ctx.tags["ratelimit.backend"] == "down" and "ratelimit.retry_after" in ctx.tags
        await stage.close()

    asyncio.run(scenario())
    assert stage.counters["fail_closed_rejections"] == 1
