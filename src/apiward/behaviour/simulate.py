"""Abuse traffic simulator: benign users mixed with attackers, through the real behaviour and
rate-limit stages (in-process, virtual time), plus two measurements against a real Redis:
shared-limit accuracy across processes and the rate-limit stage's added latency.

The world: a shop with users (passwords, own order ids, devices, home networks; some share an
office NAT), products and search. Benign users log in (sometimes with typos), browse their own
orders, products and search. Attackers: brute force, password spraying, credential stuffing from
rotating IPs, low-and-slow stuffing, BOLA id walking, scraping, a flood, and a 404 scanner.

The simulated upstream answers like the demo shop (401 on bad logins, 404 on other users'
orders); the identity of authenticated requests is set as the authn stage would set it.
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import multiprocessing as mp
import os
import random
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from apiward.behaviour.engine import BehaviourEngine, BehaviourStage, OutcomeObserver
from apiward.behaviour.limiter import RateLimitStage
from apiward.core import Action, Context, Identity, RequestView
from apiward.http.parse import build_request_view
from apiward.identity.routes import RouteTable, RouteTemplate
from apiward.pipeline import Pipeline, ResponseInfo
from apiward.settings import (
    BehaviourSettings,
    LimitSettings,
    LoginRoute,
    RateAlgorithm,
    RateLimitRule,
    RateLimitSettings,
    RateScope,
)

ROUTES = ("/api/login", "/api/orders/{order_id}", "/api/products/{product_id}", "/api/search", "/api/products")
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
)
LANGS = ("en-GB,en;q=0.9", "de-DE,de;q=0.8", "fr-FR,fr;q=0.9", "en-US,en;q=0.9", "es-ES,es;q=0.9")


def simulation_settings() -> tuple[BehaviourSettings, RateLimitSettings]:
    behaviour = BehaviourSettings(
        enabled=True,
        login_routes=(
            LoginRoute(route="/api/login", method="POST", success_status=(200,), failure_status=(401,),
                       success_json="access_token"),
        ),
    )
    ratelimit = RateLimitSettings(
        enabled=True,
        rules=(
            RateLimitRule(name="per-ip", scope=RateScope.IP, limit=600, period=60, burst=120),
            RateLimitRule(name="login-per-ip", scope=RateScope.IP, limit=30, period=60, burst=10,
                          routes=("/api/login",), methods=("POST",)),
            RateLimitRule(name="per-identity", scope=RateScope.IDENTITY, limit=1200, period=60, burst=200),
            RateLimitRule(name="search-global", scope=RateScope.ROUTE, limit=3000, period=60,
                          algorithm=RateAlgorithm.SLIDING_WINDOW, routes=("/api/search",)),
        ),
    )
    return behaviour, ratelimit


# -- the world -----------------------------------------------------------------------------------
@dataclass(slots=True)
class User:
    name: str
    password: str
    orders: list[int]
    headers: dict[str, str]
    ip: str
    phone_headers: dict[str, str]
    phone_ip: str


@dataclass(slots=True)
class Shop:
    users: dict[str, User]
    order_owner: dict[int, str]
    products: int = 500

    def answer(self, method: str, path: str, body: dict[str, Any] | None, ident: Identity | None) -> tuple[int, bytes]:
        parts = [p for p in path.split("/") if p]
        if path == "/api/login" and method == "POST":
            user = self.users.get(str((body or {}).get("username", "")))
            if user is not None and (body or {}).get("password") == user.password:
                return 200, b'{"access_token": "t", "token_type": "Bearer"}'
            return 401, b'{"title": "Unauthorized"}'
        if len(parts) == 3 and parts[:2] == ["api", "orders"] and parts[2].isdigit():
            owner = self.order_owner.get(int(parts[2]))
            if ident is None:
                return 401, b"{}"
            return (200, b"{}") if owner == ident.subject else (404, b"{}")
        if len(parts) == 3 and parts[:2] == ["api", "products"] and parts[2].isdigit():
            return (200, b"{}") if 1 <= int(parts[2]) <= self.products else (404, b"{}")
        if path in ("/api/products", "/api/search"):
            return 200, b"{}"
        return 404, b"{}"


@dataclass(order=True, slots=True)
class Req:
    at: float
    seq: int
    actor: str = field(compare=False)  # "benign:<user>" or the attack name
    source: str = field(compare=False)  # the client ip (per-source statistics)
    method: str = field(compare=False)
    path: str = field(compare=False)
    headers: dict[str, str] = field(compare=False)
    body: dict[str, Any] | None = field(compare=False, default=None)
    identity: str | None = field(compare=False, default=None)
    valid_credential: bool = field(compare=False, default=False)


def _device(rng: random.Random, mobile: bool = False) -> dict[str, str]:
    ua = BROWSERS[rng.randrange(3, 5) if mobile else rng.randrange(0, 3)]
    return {"user-agent": ua, "accept": "application/json", "accept-language": rng.choice(LANGS),
            "accept-encoding": "gzip, deflate, br", "x-client-build": str(rng.randrange(1, 9))}


def build_world(rng: random.Random, n_users: int = 300) -> Shop:
    users: dict[str, User] = {}
    owner: dict[int, str] = {}
    next_order = 5000
    offices = [f"192.0.2.{i}" for i in range(1, 16)]
    for i in range(n_users):
        name = f"user{i:04d}"
        orders = list(range(next_order, next_order + rng.randrange(2, 9)))
        rng.shuffle(orders)
        next_order += len(orders) + rng.randrange(0, 40)
        for o in orders:
            owner[o] = name
        ip = rng.choice(offices) if i % 4 == 0 else f"198.51.{100 + i // 250}.{i % 250 + 1}"
        users[name] = User(name, f"pw-{rng.getrandbits(48):x}", orders, _device(rng), ip,
                           _device(rng, mobile=True), f"100.64.{i // 250}.{i % 250 + 1}")
    users["mallory"] = User("mallory", "mallory-pw", [next_order + 5], _device(rng), "203.0.113.66",
                            _device(rng), "203.0.113.66")
    owner[next_order + 5] = "mallory"
    return Shop(users, owner)


class Timeline:
    def __init__(self) -> None:
        self._heap: list[Req] = []
        self._seq = 0

    def add(self, at: float, **kw: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, Req(at, self._seq, **kw))

    def __iter__(self) -> Iterator[Req]:
        while self._heap:
            yield heapq.heappop(self._heap)

    def __len__(self) -> int:
        return len(self._heap)


def benign_traffic(tl: Timeline, shop: Shop, rng: random.Random, duration: float) -> None:
    for user in shop.users.values():
        if user.name == "mallory":
            continue
        for _ in range(rng.randrange(2, 6)):
            t = rng.uniform(0, duration - 600)
            mobile = rng.random() < 0.3
            headers, ip = (user.phone_headers, user.phone_ip) if mobile else (user.headers, user.ip)
            actor = f"benign:{user.name}"
            for _typo in range(rng.choice((0, 0, 0, 0, 0, 0, 0, 1, 1, 2))):
                tl.add(t, actor=actor, source=ip, method="POST", path="/api/login", headers=headers,
                       body={"username": user.name, "password": user.password[:-1] + "x"})
                t += rng.uniform(3, 12)
            tl.add(t, actor=actor, source=ip, method="POST", path="/api/login", headers=headers,
                   body={"username": user.name, "password": user.password}, valid_credential=True)
            for _ in range(rng.randrange(3, 25)):
                t += rng.expovariate(1 / 6.0)
                roll = rng.random()
                if roll < 0.45:
                    path = f"/api/orders/{rng.choice(user.orders)}"
                elif roll < 0.75:
                    path = f"/api/products/{rng.randrange(1, 520)}"  # a few stale links -> 404
                elif roll < 0.9:
                    path = f"/api/search?q=item{rng.randrange(50)}"
                else:
                    path = "/api/products?limit=20"
                tl.add(t, actor=actor, source=ip, method="GET", path=path, headers=headers, identity=user.name)


TOOL = {"user-agent": "python-requests/2.31.0", "accept": "*/*", "accept-encoding": "gzip, deflate"}


def attack_traffic(tl: Timeline, shop: Shop, rng: random.Random, start: float) -> None:
    names = [u for u in shop.users if u != "mallory"]
    # 1. brute force on one account from one IP (1 / s); the right password is attempt 250
    victim = shop.users[names[17]]
    for i in range(300):
        pw = victim.password if i == 249 else f"guess{i}"
        tl.add(start + i, actor="brute_force", source="203.0.113.10", method="POST", path="/api/login",
               headers=TOOL, body={"username": victim.name, "password": pw}, valid_credential=(i == 249))
    # 2. password spraying: one password over 200 accounts from 3 IPs
    for i in range(200):
        user = names[(i * 7) % len(names)] if i % 5 else f"ghost{i}"
        tl.add(start + 100 + i * 2, actor="password_spraying", source=f"203.0.113.{20 + i % 3}",
               method="POST", path="/api/login", headers={**TOOL, "user-agent": "Mozilla/5.0 spray"},
               body={"username": user, "password": "Winter2025!"})
    # 3. credential stuffing from 300 rotating proxy IPs, 5 / s, 2 % valid pairs
    for i in range(1500):
        user = rng.choice(names) if i % 3 else f"leaked{i}"
        valid = user in shop.users and rng.random() < 0.02
        pw = shop.users[user].password if valid else f"leak-{rng.getrandbits(32):x}"
        tl.add(start + 400 + i * 0.2, actor="credential_stuffing", source=f"10.{i % 300 // 250}.{i % 250}.{7 + i % 3}",
               method="POST", path="/api/login", headers={**TOOL, "user-agent": "okhttp/4.12.0"},
               body={"username": user, "password": pw}, valid_credential=valid)
    # 4. low-and-slow stuffing: one attempt a minute, a fresh IP each time
    for i in range(120):
        user = rng.choice(names)
        tl.add(start + 200 + i * 60, actor="low_and_slow_stuffing", source=f"172.16.{i // 250}.{i % 250 + 1}",
               method="POST", path="/api/login",
               headers={**TOOL, "user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0", "accept-language": "en-US"},
               body={"username": user, "password": f"p{rng.getrandbits(30):x}"})
    # 4b. stuffing that also rotates browser fingerprints (a residential-proxy botnet with real
    #     browser headers): the hard case, reported to show where per-source signals end
    for i in range(300):
        user = rng.choice(names)
        headers = _device(rng, mobile=rng.random() < 0.3)
        tl.add(start + 600 + i * 2, actor="stuffing_rotating_fingerprints", source=f"100.100.{i // 250}.{i % 250 + 1}",
               method="POST", path="/api/login", headers=headers,
               body={"username": user, "password": f"q{rng.getrandbits(30):x}"})
    # 5. BOLA walking: an authenticated user walks order ids, 2 / s
    for i in range(400):
        tl.add(start + 900 + i * 0.5, actor="bola_walking", source="203.0.113.66", method="GET",
               path=f"/api/orders/{5000 + i}", headers=shop.users["mallory"].headers, identity="mallory")
    # 6. scraping: the whole catalogue at 15 / s from one IP
    for i in range(2000):
        tl.add(start + 1500 + i / 15, actor="scraping", source="203.0.113.90", method="GET",
               path=f"/api/products/{i % 520 + 1}", headers={**TOOL, "user-agent": "Scrapy/2.11"})
    # 7. flood: 3 IPs at 100 / s each on search for 30 s
    for i in range(9000):
        tl.add(start + 2400 + i / 300, actor="flood", source=f"203.0.113.{100 + i % 3}", method="GET",
               path=f"/api/search?q=flood{i % 10}", headers={**TOOL, "user-agent": "Go-http-client/1.1"})
    # 8. scanner: 404 probing at 5 / s with a scanner user-agent
    for i in range(600):
        tl.add(start + 3000 + i / 5, actor="scanning", source="203.0.113.150", method="GET",
               path=f"/{rng.choice(('admin', 'backup', 'wp', '.git', 'api/v0', 'old'))}/{i}",
               headers={**TOOL, "user-agent": "Mozilla/5.0 (compatible; Nuclei - Open-source project)"})


# -- running -------------------------------------------------------------------------------------
@dataclass(slots=True)
class AttackStats:
    requests: int = 0
    interrupted: int = 0
    first_interrupt: int | None = None
    takeovers: int = 0  # valid credentials that got through
    valid_attempts: int = 0
    per_source_first: dict[str, int | None] = field(default_factory=dict)
    per_source_count: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sources = list(self.per_source_count)
        until = [
            (self.per_source_first[s] or self.per_source_count[s]) for s in sources
        ]
        return {
            "requests": self.requests,
            "blocked_fraction": round(self.interrupted / self.requests, 4) if self.requests else 0.0,
            "attempts_until_first_block": self.first_interrupt,
            "sources": len(sources),
            "mean_attempts_per_source_until_block": round(statistics.fmean(until), 2) if until else None,
            "valid_credentials_tried": self.valid_attempts,
            "takeovers": self.takeovers,
            "by_rule": dict(sorted(self.by_rule.items(), key=lambda kv: -kv[1])),
        }


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _view(req: Req, limits: LimitSettings) -> RequestView:
    path, _, query = req.path.partition("?")
    headers = list(req.headers.items())
    raw = b""
    if req.body is not None:
        raw = json.dumps(req.body).encode()
        headers.append(("content-type", "application/json"))
    return build_request_view(req.method, path, query, headers, req.source, raw, limits)


async def run_simulation(seed: int = 7, duration: float = 4 * 3600.0) -> dict[str, Any]:
    rng = random.Random(seed)
    shop = build_world(rng)
    tl = Timeline()
    benign_traffic(tl, shop, rng, duration)
    attack_traffic(tl, shop, rng, start=1800.0)
    clock = VirtualClock()
    behaviour_settings, rl_settings = simulation_settings()
    engine = BehaviourEngine(behaviour_settings, clock=clock)
    pipeline = Pipeline(
        [BehaviourStage(engine), RateLimitStage(rl_settings, clock=clock)], [OutcomeObserver(engine)]
    )
    routes: RouteTable[bool] = RouteTable((RouteTemplate.parse(r), (), True) for r in ROUTES)
    limits = LimitSettings()
    attacks: dict[str, AttackStats] = {}
    benign_requests = benign_interrupted = 0
    benign_users_hit: set[str] = set()
    benign_stepped_up: set[str] = set()
    benign_challenges = 0
    benign_logins_failed_by_us = 0
    benign_hits_by_rule: dict[str, int] = {}
    started = time.perf_counter()
    total = len(tl)
    for req in tl:
        clock.now = req.at
        view = _view(req, limits)
        ident = Identity(req.identity, "jwt") if req.identity else None
        hit = routes.lookup(req.method, view.path)
        ctx = Context("sim", identity=ident, route=hit[1].text if hit else None,
                      path_params=hit[2] if hit else {})
        verdict = await pipeline.inspect(view, ctx)
        blocked = verdict.interrupts
        if not blocked:
            status, body = shop.answer(req.method, view.path, req.body, ident)
            await pipeline.observe(view, ctx, ResponseInfo(status, (), body))
        if req.actor.startswith("benign:"):
            benign_requests += 1
            if blocked and verdict.action is Action.CHALLENGE:
                benign_stepped_up.add(req.actor)  # asked for step-up, not refused
                benign_challenges += 1
            elif blocked:
                benign_interrupted += 1
                benign_users_hit.add(req.actor)
                rule = verdict.cause.rule if verdict.cause else "?"
                benign_hits_by_rule[rule] = benign_hits_by_rule.get(rule, 0) + 1
                if req.valid_credential:
                    benign_logins_failed_by_us += 1
            continue
        st = attacks.setdefault(req.actor, AttackStats())
        st.requests += 1
        st.per_source_count[req.source] = st.per_source_count.get(req.source, 0) + 1
        st.per_source_first.setdefault(req.source, None)
        if req.valid_credential:
            st.valid_attempts += 1
            if not blocked:
                st.takeovers += 1
        if blocked:
            st.interrupted += 1
            if st.first_interrupt is None:
                st.first_interrupt = st.requests
            if st.per_source_first[req.source] is None:
                st.per_source_first[req.source] = st.per_source_count[req.source]
            rule = verdict.cause.rule if verdict.cause else "?"
            st.by_rule[rule] = st.by_rule.get(rule, 0) + 1
    elapsed = time.perf_counter() - started
    return {
        "seed": seed,
        "simulated_hours": duration / 3600,
        "requests": total,
        "wall_seconds": round(elapsed, 2),
        "benign": {
            "users": len(shop.users) - 1,
            "requests": benign_requests,
            "interrupted_requests": benign_interrupted,
            "users_wrongly_throttled_or_blocked": len(benign_users_hit),
            "correct_logins_refused": benign_logins_failed_by_us,
            "users_asked_for_step_up": len(benign_stepped_up),
            "step_up_challenges": benign_challenges,
            "by_rule": benign_hits_by_rule,
        },
        "attacks": {name: st.to_dict() for name, st in sorted(attacks.items())},
        "engine": engine.stats(),
    }


# -- Redis measurements (real Redis, real processes) ---------------------------------------------
def _shared_worker(url: str, prefix: str, limit: int, attempts: int, algorithm: str, start: Any,
                   out: Any) -> None:
    async def main() -> tuple[int, float]:
        stage = RateLimitStage(
            RateLimitSettings(enabled=True, redis_url=url, key_prefix=prefix, redis_timeout=2.0,
                              rules=(RateLimitRule(name="shared", scope=RateScope.GLOBAL, limit=limit,
                                                   period=60.0, algorithm=RateAlgorithm(algorithm)),)),
        )
        view = build_request_view("GET", "/x", "", [], "127.0.0.1", b"", LimitSettings())
        start.wait()
        began = time.monotonic()
        admitted = 0
        sem = asyncio.Semaphore(16)

        async def one() -> None:
            nonlocal admitted
            async with sem:
                found = await stage.inspect(view, Context("r"))
                admitted += not found

        await asyncio.gather(*(one() for _ in range(attempts)))
        took = time.monotonic() - began
        await stage.close()
        return admitted, took

    out.put(asyncio.run(main()))


def shared_limit_trial(url: str, prefix: str, limit: int = 1000, processes: int = 2,
                       attempts_per_process: int = 1500,
                       algorithm: RateAlgorithm = RateAlgorithm.TOKEN_BUCKET) -> dict[str, Any]:
    """``processes`` independent limiter processes against one Redis, one global limit of
    ``limit``/minute; returns admitted total and the tolerance (refill during the run counted)."""
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_shared_worker, args=(url, prefix, limit, attempts_per_process, algorithm.value, start, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    admitted = sum(r[0] for r in results)
    longest = max(r[1] for r in results)
    refill = limit * longest / 60.0  # an N/minute limit earns N/60 per second while the trial runs
    return {
        "algorithm": algorithm.value,
        "limit_per_minute": limit,
        "processes": processes,
        "attempts": processes * attempts_per_process,
        "admitted": admitted,
        "seconds": round(longest, 3),
        "refill_during_run": round(refill, 1),
        "error_vs_limit_pct": round(100 * (admitted - limit) / limit, 2),
        "error_vs_limit_plus_refill_pct": round(100 * (admitted - limit - refill) / limit, 2),
    }


async def redis_latency(url: str, prefix: str, samples: int = 2000) -> dict[str, float]:
    """p50/p99 of the ratelimit stage per request (3 rules), Redis vs in-memory, sequential."""
    rules = (
        RateLimitRule(name="ip", scope=RateScope.IP, limit=10**9, period=60.0),
        RateLimitRule(name="route", scope=RateScope.ROUTE, limit=10**9, period=60.0,
                      algorithm=RateAlgorithm.SLIDING_WINDOW),
        RateLimitRule(name="global", scope=RateScope.GLOBAL, limit=10**9, period=60.0),
    )
    out: dict[str, float] = {}
    for backend in ("memory", "redis"):
        stage = RateLimitStage(RateLimitSettings(enabled=True, rules=rules, key_prefix=prefix, redis_timeout=1.0,
                                                 redis_url=url if backend == "redis" else None))
        views = [build_request_view("GET", "/api/search", "q=x", [], f"10.1.{i % 200}.1", b"", LimitSettings())
                 for i in range(200)]
        for v in views[:50]:
            await stage.inspect(v, Context("warm"))
        times = []
        for i in range(samples):
            t0 = time.perf_counter()
            await stage.inspect(views[i % 200], Context("r"))
            times.append(time.perf_counter() - t0)
        times.sort()
        out[f"{backend}_p50_ms"] = round(1000 * times[len(times) // 2], 4)
        out[f"{backend}_p99_ms"] = round(1000 * times[int(len(times) * 0.99)], 4)
        # 32 requests in flight: coalesced pipelines share round trips.
        trips_before = stage.redis.round_trips if stage.redis is not None else 0
        concurrent = sorted(await _concurrent_latencies(stage, views, samples, 32))
        out[f"{backend}_concurrent32_p50_ms"] = round(1000 * concurrent[len(concurrent) // 2], 4)
        if stage.redis is not None:
            out["redis_requests_per_round_trip_concurrent32"] = round(
                samples / max(stage.redis.round_trips - trips_before, 1), 2
            )
        await stage.close()
    out["added_by_redis_p50_ms"] = round(out["redis_p50_ms"] - out["memory_p50_ms"], 4)
    return out


async def _concurrent_latencies(stage: RateLimitStage, views: list[RequestView], samples: int,
                                in_flight: int) -> list[float]:
    out: list[float] = []
    sem = asyncio.Semaphore(in_flight)

    async def one(i: int) -> None:
        async with sem:
            t0 = time.perf_counter()
            await stage.inspect(views[i % len(views)], Context("r"))
            out.append(time.perf_counter() - t0)

    await asyncio.gather(*(one(i) for i in range(samples)))
    return out


def default_redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


# -- through real gateways -----------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_in_thread(app: Any) -> tuple[Any, threading.Thread, str]:
    """Run an ASGI app under uvicorn in a daemon thread on an ephemeral loopback port; returns the
    server (set ``should_exit`` to stop it), its thread and its base URL once it accepts."""
    import uvicorn

    from apiward.gateway.threaded import bound_port, start_in_thread

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server, thread = start_in_thread(config, timeout=10, name="upstream")
    return server, thread, f"http://127.0.0.1:{bound_port(server)}"


def _upstream_app() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def gateway_shared_trial(directory: Any, redis_url: str, prefix: str, limit: int = 300, gateways: int = 2,
                         requests: int | None = None) -> dict[str, Any]:
    """Start ``gateways`` real ``apiward serve`` processes (one worker each) in front of a trivial
    upstream, sharing one global limit of ``limit``/minute in Redis; send ``requests`` (default
    2 x limit) alternately to them and count 200 / 429 answers. Everything is stopped on return."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx
    import yaml

    directory = Path(directory)
    total = requests or 2 * limit
    server, thread, upstream = _serve_in_thread(_upstream_app())
    apiward_bin = str(Path(sys.executable).with_name("apiward"))
    procs: list[tuple[subprocess.Popen[bytes], str, str, Path]] = []
    try:
        for i in range(gateways):
            listen, admin = f"127.0.0.1:{_free_port()}", f"127.0.0.1:{_free_port()}"
            config = {
                "gateway": {"upstream": upstream, "listen": listen, "admin": admin, "workers": 1},
                "events": {"store": f"sqlite:///{directory / f'gw{i}.db'}"},
                "detection": {"enabled": False},
                "admin": {"token": "trial-admin-token"},
                "ratelimit": {"enabled": True, "redis_url": redis_url, "key_prefix": prefix, "redis_timeout": 1.0,
                              "rules": [{"name": "shared", "scope": "global", "limit": limit, "period": 60}]},
            }
            path = directory / f"gw{i}.yaml"
            path.write_text(yaml.safe_dump(config))
            log = directory / f"gw{i}.log"
            proc = subprocess.Popen([apiward_bin, "serve", "--config", str(path)], stdout=subprocess.DEVNULL,
                                    stderr=log.open("wb"), cwd=directory)
            procs.append((proc, f"http://{listen}", f"http://{admin}", log))
        for proc, _url, admin, log in procs:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"gateway exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(admin + "/readyz", timeout=1.0).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gateway not ready: {log.read_text()[-2000:]}")
                time.sleep(0.05)
        counts = asyncio.run(_hammer([p[1] for p in procs], total))
    finally:
        for proc, *_rest in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        server.should_exit = True
        thread.join(timeout=10)
    ok, throttled, other, retry_after_missing, seconds = counts
    refill = limit * seconds / 60
    return {
        "gateways": gateways,
        "limit_per_minute": limit,
        "requests": total,
        "admitted": ok,
        "throttled_429": throttled,
        "other_status": other,
        "429_without_retry_after": retry_after_missing,
        "seconds": round(seconds, 3),
        "refill_during_run": round(refill, 1),
        "error_vs_limit_pct": round(100 * (ok - limit) / limit, 2),
        "error_vs_limit_plus_refill_pct": round(100 * (ok - limit - refill) / limit, 2),
    }


async def _hammer(urls: list[str], total: int) -> tuple[int, int, int, int, float]:
    import httpx

    ok = throttled = other = missing = 0
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=10.0) as client:

        async def one(i: int) -> None:
            nonlocal ok, throttled, other, missing
            async with sem:
                resp = await client.get(urls[i % len(urls)] + f"/item/{i}")
            if resp.status_code == 200:
                ok += 1
            elif resp.status_code == 429:
                throttled += 1
                missing += not resp.headers.get("retry-after")
            else:
                other += 1

        started = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(total)))
        return ok, throttled, other, missing, time.monotonic() - started


# -- a short scenario in real time through a real gateway ----------------------------------------
_REPLAY_SECRET = "replay-secret-0123456789abcdef0123456789"
_REPLAY_POLICY = """\
version: 1
routes:
  - {route: /api/login, methods: [POST], auth: none}
  - {route: "/api/products/{product_id}", methods: [GET], auth: optional}
  - {route: /api/search, methods: [GET], auth: optional}
  - {route: "/api/orders/{order_id}", methods: [GET]}
"""


def _shop_asgi(shop: Shop) -> Any:
    import jwt as pyjwt

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        ident = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            try:
                claims = pyjwt.decode(auth[7:], _REPLAY_SECRET, algorithms=["HS256"])
                ident = Identity(str(claims["sub"]), "jwt")
            except pyjwt.PyJWTError:
                ident = None
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        status, answer = shop.answer(scope["method"], scope["path"], payload if isinstance(payload, dict) else None,
                                     ident)
        if status == 200 and scope["path"] == "/api/login":
            now = int(time.time())
            token = pyjwt.encode({"sub": payload["username"], "iat": now, "exp": now + 600},  # type: ignore[index]
                                 _REPLAY_SECRET, algorithm="HS256")
            answer = json.dumps({"access_token": token, "token_type": "Bearer"}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})

    return app


def gateway_replay(directory: Any, seed: int = 7, seconds: float = 20.0) -> dict[str, Any]:
    """Benign users, brute force, rotating-IP stuffing and BOLA walking, paced in real time through
    one real ``apiward serve`` (JWT + policy + behaviour + in-memory limits; client addresses via
    X-Forwarded-For from a trusted 127.0.0.1). Returns the same per-actor figures as the simulator."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx
    import yaml

    directory = Path(directory)
    rng = random.Random(seed)
    shop = build_world(rng, n_users=40)
    server, thread, upstream = _serve_in_thread(_shop_asgi(shop))
    behaviour, ratelimit = simulation_settings()
    (directory / "policy.yaml").write_text(_REPLAY_POLICY)
    listen, admin = f"127.0.0.1:{_free_port()}", f"127.0.0.1:{_free_port()}"
    config = {
        "gateway": {"upstream": upstream, "listen": listen, "admin": admin, "workers": 1,
                    "trusted_proxies": ["127.0.0.1/32"]},
        "events": {"store": f"sqlite:///{directory / 'events.db'}"},
        "detection": {"enabled": False},
        "admin": {"token": "replay-admin-token"},
        "identity": {"enabled": True, "policy": str(directory / "policy.yaml"),
                     "jwt": {"algorithms": ["HS256"], "hs_secret_env": "APIWARD_REPLAY_JWT_SECRET"}},
        "ratelimit": json.loads(ratelimit.model_dump_json()),
        "behaviour": json.loads(behaviour.model_dump_json()),
    }
    path = directory / "replay.yaml"
    path.write_text(yaml.safe_dump(config))
    log = directory / "replay.log"
    # Secrets reach the workers through the environment, never through the serialised settings.
    env = {**os.environ, "APIWARD_REPLAY_JWT_SECRET": _REPLAY_SECRET}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("apiward")), "serve", "--config", str(path)],
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=directory, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://{admin}/readyz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gateway not ready: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        result = asyncio.run(_replay(f"http://{listen}", shop, rng, seconds))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        server.should_exit = True
        thread.join(timeout=10)
    return result


async def _replay(gateway: str, shop: Shop, rng: random.Random, seconds: float) -> dict[str, Any]:
    import httpx

    stats: dict[str, AttackStats] = {}
    benign = {"requests": 0, "interrupted": 0, "stepped_up": 0}
    benign_hit: set[str] = set()
    started = time.monotonic()

    async def at(offset: float) -> None:
        delay = started + offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def send(client: httpx.AsyncClient, actor: str, ip: str, method: str, path: str,
                   headers: dict[str, str], body: dict[str, Any] | None = None, token: str | None = None,
                   valid: bool = False) -> httpx.Response:
        hdrs = {**headers, "x-forwarded-for": ip}
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        resp = await client.request(method, path, headers=hdrs, json=body)
        # The gateway's own refusals are problem+json with an event id; the upstream's 401/404 are not.
        blocked = resp.status_code in (401, 403, 429, 503) and "event_id" in resp.text
        if actor.startswith("benign:"):
            benign["requests"] += 1
            if blocked and resp.status_code == 401 and path == "/api/login":
                benign["stepped_up"] += 1  # the login route is public: a gateway 401 there is a step-up
            elif blocked:
                benign["interrupted"] += 1
                benign_hit.add(actor)
            return resp
        st = stats.setdefault(actor, AttackStats())
        st.requests += 1
        st.per_source_count[ip] = st.per_source_count.get(ip, 0) + 1
        st.per_source_first.setdefault(ip, None)
        if valid:
            st.valid_attempts += 1
            st.takeovers += not blocked
        if blocked:
            st.interrupted += 1
            st.first_interrupt = st.first_interrupt or st.requests
            if st.per_source_first[ip] is None:
                st.per_source_first[ip] = st.per_source_count[ip]
        return resp

    async def benign_user(client: httpx.AsyncClient, user: User) -> None:
        await at(rng.uniform(0, seconds * 0.5))
        actor = f"benign:{user.name}"
        if rng.random() < 0.2:
            await send(client, actor, user.ip, "POST", "/api/login", user.headers,
                       {"username": user.name, "password": user.password + "x"})
            await asyncio.sleep(rng.uniform(1, 2))
        resp = await send(client, actor, user.ip, "POST", "/api/login", user.headers,
                          {"username": user.name, "password": user.password}, valid=True)
        token = resp.json().get("access_token") if resp.status_code == 200 else None
        for _ in range(rng.randrange(3, 8)):
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            if rng.random() < 0.6:
                await send(client, actor, user.ip, "GET", f"/api/orders/{rng.choice(user.orders)}", user.headers,
                           token=token)
            else:
                await send(client, actor, user.ip, "GET", f"/api/products/{rng.randrange(1, 500)}", user.headers)

    async def brute_force(client: httpx.AsyncClient, victim: User) -> None:
        for i in range(int(seconds * 5)):
            await at(1 + i / 5)
            right = i == int(seconds * 4)
            await send(client, "brute_force", "203.0.113.10", "POST", "/api/login", TOOL,
                       {"username": victim.name, "password": victim.password if right else f"guess{i}"}, valid=right)

    async def stuffing(client: httpx.AsyncClient, names: list[str]) -> None:
        for i in range(int(seconds * 7)):
            await at(1 + i / 7)
            user = rng.choice(names)
            valid = rng.random() < 0.03
            pw = shop.users[user].password if valid else f"leak{i}"
            await send(client, "credential_stuffing", f"10.9.{i // 250}.{i % 250 + 1}", "POST", "/api/login",
                       {**TOOL, "user-agent": "okhttp/4.12.0"}, {"username": user, "password": pw}, valid=valid)

    async def bola(client: httpx.AsyncClient) -> None:
        mallory = shop.users["mallory"]
        resp = await send(client, "bola_login", mallory.ip, "POST", "/api/login", mallory.headers,
                          {"username": "mallory", "password": mallory.password})
        token = resp.json().get("access_token")
        for i in range(int(seconds * 4)):
            await at(1 + i / 4)
            await send(client, "bola_walking", mallory.ip, "GET", f"/api/orders/{5000 + i}", mallory.headers,
                       token=token)

    names = [u for u in shop.users if u != "mallory"]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0, limits=limits) as client:
        await asyncio.gather(
            *(benign_user(client, shop.users[n]) for n in names),
            brute_force(client, shop.users[names[3]]),
            stuffing(client, names),
            bola(client),
        )
    stats.pop("bola_login", None)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "benign": {"users": len(names), "requests": benign["requests"],
                   "interrupted_requests": benign["interrupted"],
                   "users_wrongly_throttled_or_blocked": len(benign_hit),
                   "step_up_challenges": benign["stepped_up"]},
        "attacks": {name: st.to_dict() for name, st in sorted(stats.items())},
    }
