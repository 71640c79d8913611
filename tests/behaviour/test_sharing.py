"""A block decided by one gateway reaches another through the real Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from behaviour_helpers import FakeClock, delete_prefix, make_request, unique_prefix

from apiward.behaviour.engine import BehaviourEngine
from apiward.behaviour.sharing import SharedBlocklist
from apiward.core import Action, Context
from apiward.pipeline import ResponseInfo
from apiward.settings import BehaviourSettings, LoginRoute

SETTINGS = BehaviourSettings(enabled=True, login_routes=(LoginRoute(route="/login", failure_status=(401,)),))


@pytest.fixture()
def prefix(redis_url: str) -> Iterator[str]:
    name = unique_prefix("bl")
    yield name
    delete_prefix(redis_url, name)


def test_block_propagates_between_engines(redis_url: str, prefix: str) -> None:
    async def scenario() -> None:
        clock = FakeClock()
        a_list = SharedBlocklist(redis_url, prefix=prefix, timeout=1.0, clock=clock)
        b_list = SharedBlocklist(redis_url, prefix=prefix, timeout=1.0, clock=clock)
        gw_a = BehaviourEngine(SETTINGS, clock=clock, shared=a_list)
        gw_b = BehaviourEngine(SETTINGS, clock=clock, shared=b_list)
        ip = "203.0.113.77"
        for i in range(30):  # credential stuffing through gateway A only
            clock.advance(1)
            req = make_request("POST", "/login", {"user-agent": "tool"},
                               json.dumps({"username": f"v{i}", "password": "x"}).encode(), client_ip=ip)
            ctx = Context("r")
            if any(f.action is not Action.LOG for f in gw_a.inspect(req, ctx)):
                continue
            gw_a.observe(req, ctx, ResponseInfo(401, ()))
        assert gw_a.risk.blocked(f"ip:{ip}") is not None
        await asyncio.gather(*list(a_list._pending))
        assert a_list.counters["published"] >= 1
        probe = make_request("GET", "/products", client_ip=ip)
        assert not gw_b.inspect(probe, Context("r"))  # B has not synced yet (its polled sync is pending)
        await b_list.sync()
        found = gw_b.inspect(probe, Context("r"))
        assert found and found[0].action is Action.BLOCK and found[0].rule == "behaviour.blocked"
        assert not gw_b.inspect(make_request("GET", "/products", client_ip="198.51.100.1"), Context("r"))
        clock.advance(SETTINGS.risk.block_ttl + 1)  # expiry follows the TTL
        assert b_list.blocked(f"ip:{ip}") is None
        await a_list.close()
        await b_list.close()

    asyncio.run(scenario())


def test_unreachable_redis_is_counted_not_fatal() -> None:
    async def scenario() -> None:
        shared = SharedBlocklist("redis://127.0.0.1:1/0", timeout=0.2)
        engine = BehaviourEngine(SETTINGS, shared=shared)
        assert not engine.inspect(make_request(), Context("r"))
        await shared.sync()
        await shared.push("ip:x", "test", 10)
        assert shared.counters["errors"] >= 2 and shared.last_error  # incl. the polled sync
        assert engine.stats()["shared_errors"] >= 2
        await shared.close()

    asyncio.run(scenario())


def test_login_failures_are_counted_across_gateways(redis_url: str, prefix: str) -> None:
    """Guesses spread over two gateways: neither sees enough alone, the fleet count does."""
    from apiward.behaviour.engine import OutcomeObserver

    async def scenario() -> None:
        clock = FakeClock()
        engines = [BehaviourEngine(SETTINGS, clock=clock,
                                   shared=SharedBlocklist(redis_url, prefix=prefix, timeout=1.0, clock=clock))
                   for _ in range(2)]
        observers = [OutcomeObserver(e) for e in engines]
        seen: set[str] = set()
        for i in range(10):  # 10 failures on "zed", alternating gateways, from 5 addresses
            gw = i % 2
            clock.advance(1)
            req = make_request("POST", "/login", {"user-agent": "tool"},
                               json.dumps({"username": "zed", "password": f"g{i}"}).encode(),
                               client_ip=f"203.0.113.{i // 2}")
            ctx = Context("r")
            assert not [f for f in engines[gw].inspect(req, ctx) if f.action is not Action.LOG]
            seen |= {f.rule for f in await observers[gw].observe(req, ctx, ResponseInfo(401, ()))}
        for engine in engines:
            assert engine.acct_fail.get("zed").total(clock()) == 5  # each saw half: below 10 locally
        assert engines[1].account_failures("zed", clock()) >= 10  # the fleet saw all
        probe = make_request("POST", "/login", {"user-agent": "other"},
                             json.dumps({"username": "zed", "password": "p"}).encode(), client_ip="198.18.0.9")
        found = engines[1].inspect(probe, Context("r"))
        assert found and found[0].rule == "behaviour.account_protected"
        # one source guessing through both gateways: 8 failures, 4 per gateway (< 6 locally)
        for i in range(8):
            clock.advance(1)
            req = make_request("POST", "/login", {"user-agent": "tool"},
                               json.dumps({"username": "amy", "password": f"g{i}"}).encode(), client_ip="192.0.2.200")
            ctx = Context("r")
            engines[i % 2].inspect(req, ctx)
            seen |= {f.rule for f in await observers[i % 2].observe(req, ctx, ResponseInfo(401, ()))}
        assert "behaviour.brute_force" in seen
        for engine in engines:
            assert engine.shared is not None
            await engine.shared.close()

    asyncio.run(scenario())
