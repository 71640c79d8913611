"""The ``ratelimit`` stage (phase BEHAVIOUR): every matching rule is charged, in one round trip.

Scopes: ``ip`` (the client address as established by the gateway's trusted-proxy policy, never a
raw X-Forwarded-For), ``identity`` (authenticated subject), ``api_key`` (key id), ``route``
(method + route template) and ``global``. A rule can be limited to routes (templates) and methods.

The cost of a request is 1, or ``ctx.tags["risk.cost"]`` when the behaviour stage has tightened
this client's limits.

Redis unreachable (``ratelimit.redis_failure``):

* ``open`` (default): the in-memory limiter takes over at once (per process: the fleet admits up
  to N per process); every such request is tagged ``ratelimit.backend=fallback``, counted
  (``stats()["fallback_decisions"]``), and a LOG finding is emitted at most every 10 s so the
  outage shows in events. Redis is retried after ``redis_retry_interval`` seconds.
* ``closed``: requests under a shared limit are refused (BLOCK, 503, Retry-After).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from apiward.behaviour.keyed import Clock
from apiward.behaviour.ratelimit import (
    Limit,
    MemoryBackend,
    Outcome,
    RedisBackend,
    storage_key,
)
from apiward.core import Action, Category, Context, Finding, RequestView
from apiward.errors import BackendUnavailable
from apiward.identity.forwarding import (
    TAG_RATELIMIT,
    TAG_RATELIMIT_POLICY,
    TAG_RETRY_AFTER,
)
from apiward.identity.routes import RouteTable, RouteTemplate
from apiward.pipeline import Phase
from apiward.settings import BackendFailure, RateLimitRule, RateLimitSettings, RateScope

log = logging.getLogger(__name__)

TAG_BACKEND = "ratelimit.backend"
TAG_RISK_COST = "risk.cost"
_REPORT_EVERY = 10.0


@dataclass(frozen=True, slots=True)
class _Rule:
    limit: Limit
    scope: RateScope
    routes: RouteTable[bool] | None
    methods: frozenset[str]

    def applies(self, request: RequestView, ctx: Context) -> bool:
        if self.methods and request.method not in self.methods:
            return False
        if self.routes is None:
            return True
        if ctx.route is not None and self.routes.lookup_template(request.method, ctx.route) is not None:
            return True
        return self.routes.lookup(request.method, request.path) is not None


def _compile(rule: RateLimitRule) -> _Rule:
    table = None
    if rule.routes:
        table = RouteTable((RouteTemplate.parse(r), (), True) for r in rule.routes)
    limit = Limit(rule.name, rule.algorithm, rule.limit, rule.period, rule.burst)
    return _Rule(limit, rule.scope, table, frozenset(m.upper() for m in rule.methods))


class RateLimitStage:
    name = "ratelimit"
    phase = Phase.BEHAVIOUR

    def __init__(
        self,
        settings: RateLimitSettings,
        *,
        redis: RedisBackend | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._s = settings
        self._rules = tuple(_compile(r) for r in settings.rules)
        self._prefix = settings.key_prefix
        self._clock = clock
        self.memory = MemoryBackend(settings.max_keys, clock)
        self.redis = redis
        if redis is None and settings.redis_url:
            self.redis = RedisBackend(settings.redis_url, settings.redis_timeout)
        self._redis_down_until = 0.0
        self._last_report = -1e18
        self.counters: dict[str, int] = {
            "throttled": 0,
            "redis_errors": 0,
            "fallback_decisions": 0,
            "fail_closed_rejections": 0,
        }

    def stats(self) -> dict[str, float]:
        """Counters for the metrics endpoint (all monotonic except the gauges)."""
        return {
            **{k: float(v) for k, v in self.counters.items()},
            "redis_up": 0.0 if self.redis is not None and self._redis_down() else 1.0,
            "memory_keys": float(len(self.memory)),
            "memory_evictions": float(self.memory.evictions),
            "redis_round_trips": float(self.redis.round_trips) if self.redis is not None else 0.0,
        }

    def _redis_down(self) -> bool:
        return self._clock() < self._redis_down_until

    def _scope_value(self, rule: _Rule, request: RequestView, ctx: Context) -> str | None:
        scope = rule.scope
        if scope is RateScope.IP:
            return request.client_ip or None
        if scope is RateScope.IDENTITY:
            ident = ctx.identity
            return f"{ident.method}:{ident.subject}" if ident is not None else None
        if scope is RateScope.API_KEY:
            ident = ctx.identity
            return ident.key_id if ident is not None and ident.method == "api_key" else None
        if scope is RateScope.ROUTE:
            return f"{request.method} {ctx.route or request.path}"
        return "*"

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]:
        cost = 1
        raw_cost = ctx.tags.get(TAG_RISK_COST)
        if raw_cost is not None and raw_cost.isdigit():
            cost = max(1, min(int(raw_cost), 1000))
        items: list[tuple[str, Limit, int]] = []
        for rule in self._rules:
            if not rule.applies(request, ctx):
                continue
            value = self._scope_value(rule, request, ctx)
            if value is None:
                continue
            items.append((storage_key(self._prefix, rule.limit.name, value), rule.limit, cost))
        if not items:
            return ()
        findings: list[Finding] = []
        outcomes: list[Outcome] | None = None
        if self.redis is not None and not self._redis_down():
            try:
                outcomes = await self.redis.hit_many(items)
                ctx.tags[TAG_BACKEND] = "redis"
            except BackendUnavailable as exc:
                self.counters["redis_errors"] += 1
                self._redis_down_until = self._clock() + self._s.redis_retry_interval
                log.warning("rate-limit backend unavailable (%s); failing %s", exc, self._s.redis_failure.value)
        if outcomes is None:
            if self.redis is not None:
                if self._s.redis_failure is BackendFailure.CLOSED:
                    self.counters["fail_closed_rejections"] += 1
                    ctx.tags[TAG_BACKEND] = "down"
                    retry = self._s.redis_retry_interval
                    ctx.tags[TAG_RETRY_AFTER] = str(int(retry) or 1)
                    return (
                        Finding(
                            stage=self.name,
                            category=Category.RATE_LIMIT,
                            location="",
                            score=1.0,
                            evidence="shared rate-limit backend unreachable; failing closed",
                            rule="ratelimit.backend-down-fail-closed",
                            action=Action.BLOCK,
                            status=503,
                            retry_after=retry,
                        ),
                    )
                self.counters["fallback_decisions"] += 1
                ctx.tags[TAG_BACKEND] = "fallback"
                now = self._clock()
                if now - self._last_report >= _REPORT_EVERY:
                    self._last_report = now
                    findings.append(
                        Finding(
                            stage=self.name,
                            category=Category.RATE_LIMIT,
                            location="",
                            score=0.0,
                            evidence="shared rate-limit backend unreachable; local limits in force (fail open)",
                            rule="ratelimit.backend-down-fail-open",
                            action=Action.LOG,
                        )
                    )
            else:
                ctx.tags[TAG_BACKEND] = "memory"
            outcomes = [self.memory.hit(key, limit, c) for key, limit, c in items]
        denied = [o for o in outcomes if not o.allowed]
        tightest = max(denied, key=lambda o: o.retry_after) if denied else min(
            outcomes, key=lambda o: o.remaining / o.limit.capacity
        )
        ctx.tags[TAG_RATELIMIT_POLICY] = ", ".join(o.limit.policy_header() for o in outcomes)
        ctx.tags[TAG_RATELIMIT] = tightest.state_header()
        if not denied:
            return findings
        self.counters["throttled"] += 1
        retry = max(tightest.retry_after, 0.001)
        ctx.tags[TAG_RETRY_AFTER] = str(max(1, int(retry + 0.999)))
        findings.append(
            Finding(
                stage=self.name,
                category=Category.RATE_LIMIT,
                location="",
                score=1.0,
                evidence=f"limit {tightest.limit.name} ({tightest.limit.limit}/{tightest.limit.period:g}s) exceeded",
                rule=f"ratelimit.{tightest.limit.name}",
                action=Action.THROTTLE,
                status=429,
                retry_after=retry,
            )
        )
        return findings

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()
