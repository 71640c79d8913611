"""Rate-limit algorithms and backends.

Two algorithms, each one O(1) state per key:

* token bucket: ``capacity`` = burst (default: limit) tokens, refilled at ``limit/period`` per second;
* sliding window (counter): the current fixed window's count plus the previous window's count
  weighted by how much of it still overlaps the sliding window (as used by large CDNs); exact
  within a window, approximate (never over by more than the decay of the previous window) across.

Backends: `MemoryBackend` (one process, bounded keyed state) and `RedisBackend` (atomic Lua
scripts, server clock so every process agrees on time, one pipelined round trip for all the
limits of a request).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from dataclasses import dataclass
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from apiward.behaviour.keyed import BoundedTTLMap, Clock
from apiward.errors import BackendUnavailable
from apiward.settings import RateAlgorithm


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    algorithm: RateAlgorithm
    limit: int
    period: float  # seconds
    burst: int | None = None

    @property
    def capacity(self) -> int:
        return self.burst or self.limit

    @property
    def rate(self) -> float:
        return self.limit / self.period

    @property
    def ttl(self) -> float:
        """How long idle state matters (after that a fresh state is identical)."""
        if self.algorithm is RateAlgorithm.TOKEN_BUCKET:
            return self.capacity / self.rate + 1.0
        return 2 * self.period

    def policy_header(self) -> str:
        """``RateLimit-Policy`` item (draft-ietf-httpapi-ratelimit-headers)."""
        return f'"{self.name}";q={self.limit};w={math.ceil(self.period)}'


@dataclass(frozen=True, slots=True)
class Outcome:
    allowed: bool
    remaining: float
    retry_after: float  # seconds until a request of this cost would pass (0 when allowed)
    limit: Limit

    def state_header(self) -> str:
        """``RateLimit`` item: remaining quota and seconds until it is back."""
        reset = self.retry_after if not self.allowed else (
            (self.limit.capacity - max(self.remaining, 0)) / self.limit.rate
        )
        return f'"{self.limit.name}";r={max(int(self.remaining), 0)};t={math.ceil(reset)}'


def storage_key(prefix: str, rule: str, value: str) -> str:
    if len(value) > 96:  # bound key sizes; identities and IPs are short, anything else is hashed
        value = "h:" + hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"{prefix}{rule}:{value}"


# -- in memory ----------------------------------------------------------------------------
class MemoryBackend:
    """Single-process limits with bounded state (LRU + TTL)."""

    def __init__(self, max_keys: int, clock: Clock) -> None:
        self._clock = clock
        self._state: BoundedTTLMap[str, list[float]] = BoundedTTLMap(max_keys, 3600.0, clock)

    @property
    def evictions(self) -> int:
        return self._state.evictions

    def __len__(self) -> int:
        return len(self._state)

    def hit(self, key: str, limit: Limit, cost: int = 1) -> Outcome:
        now = self._clock()
        state = self._state.get(key)
        if limit.algorithm is RateAlgorithm.TOKEN_BUCKET:
            cap, rate = float(limit.capacity), limit.rate
            if state is None:
                state = [cap, now]
            tokens = min(cap, state[0] + max(now - state[1], 0.0) * rate)
            if tokens >= cost:
                tokens -= cost
                out = Outcome(True, tokens, 0.0, limit)
            else:
                out = Outcome(False, tokens, (cost - tokens) / rate, limit)
            state[0], state[1] = tokens, now
        else:
            allowed, remaining, retry, state = _sliding(state, now, limit, cost)
            out = Outcome(allowed, remaining, retry, limit)
        self._state.set(key, state, limit.ttl)
        return out


def _sliding(
    state: list[float] | None, now: float, limit: Limit, cost: int
) -> tuple[bool, float, float, list[float]]:
    period = limit.period
    win = math.floor(now / period)
    w, c, p = (state if state is not None else [win, 0.0, 0.0])
    if w == win - 1:
        p, c = c, 0.0
    elif w != win:
        p, c = 0.0, 0.0
    elapsed = (now - win * period) / period
    est = p * (1 - elapsed) + c
    if est + cost <= limit.limit:
        c += cost
        return True, limit.limit - est - cost, 0.0, [win, c, p]
    excess = est + cost - limit.limit
    if p > 0 and excess <= p * (1 - elapsed):
        retry = excess / p * period
    else:
        retry = (1 - elapsed) * period
        if c > 0 and c + cost > limit.limit:
            retry += max(0.0, 1 - (limit.limit - cost) / c) * period
    return False, limit.limit - est, retry, [win, c, p]


# -- Redis --------------------------------------------------------------------------------
# One script call charges every limit of one request: KEYS are the limit keys, ARGV holds five
# values per key (algorithm, then its parameters). Server clock (TIME): every process agrees.
_CHARGE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local out = {}
for i = 1, #KEYS do
  local base = (i - 1) * 5
  local alg = ARGV[base + 1]
  local key = KEYS[i]
  if alg == 'tb' then
    local rate = tonumber(ARGV[base + 2])
    local cap = tonumber(ARGV[base + 3])
    local cost = tonumber(ARGV[base + 4])
    local s = redis.call('HMGET', key, 't', 'ts')
    local tokens = tonumber(s[1])
    local ts = tonumber(s[2])
    if tokens == nil or ts == nil then tokens = cap; ts = now end
    local elapsed = now - ts
    if elapsed < 0 then elapsed = 0 end
    tokens = math.min(cap, tokens + elapsed * rate)
    local allowed = 0
    local retry = 0
    if tokens >= cost then
      tokens = tokens - cost
      allowed = 1
    else
      retry = (cost - tokens) / rate
    end
    redis.call('HSET', key, 't', tostring(tokens), 'ts', tostring(now))
    redis.call('PEXPIRE', key, ARGV[base + 5])
    out[#out + 1] = allowed
    out[#out + 1] = tostring(tokens)
    out[#out + 1] = tostring(retry)
  else
    local limit = tonumber(ARGV[base + 2])
    local period = tonumber(ARGV[base + 3])
    local cost = tonumber(ARGV[base + 4])
    local win = math.floor(now / period)
    local s = redis.call('HMGET', key, 'w', 'c', 'p')
    local w = tonumber(s[1])
    local c = tonumber(s[2]) or 0
    local p = tonumber(s[3]) or 0
    if w == nil then c = 0; p = 0
    elseif w == win - 1 then p = c; c = 0
    elseif w ~= win then p = 0; c = 0 end
    local elapsed = (now - win * period) / period
    local est = p * (1 - elapsed) + c
    local allowed = 0
    local retry = 0
    local remaining = limit - est
    if est + cost <= limit then
      c = c + cost
      allowed = 1
      remaining = limit - est - cost
    else
      local excess = est + cost - limit
      if p > 0 and excess <= p * (1 - elapsed) then
        retry = excess / p * period
      else
        retry = (1 - elapsed) * period
        if c > 0 and c + cost > limit then
          retry = retry + math.max(0, 1 - (limit - cost) / c) * period
        end
      end
    end
    redis.call('HSET', key, 'w', win, 'c', c, 'p', p)
    redis.call('PEXPIRE', key, math.ceil(period * 2000))
    out[#out + 1] = allowed
    out[#out + 1] = tostring(remaining)
    out[#out + 1] = tostring(retry)
  end
end
return out
"""


class RedisBackend:
    """Shared limits. Concurrent requests are coalesced: while one pipeline is in flight, new
    requests queue and go together in the next one (at most ``max_batch`` scripts), so one or two
    connections carry any load and the round trip is shared. Errors become BackendUnavailable."""

    def __init__(
        self, url: str, timeout: float = 0.05, client: Redis | None = None, max_batch: int = 512
    ) -> None:
        self.url = url
        self._client = client or Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
            health_check_interval=0,
        )
        self._charge = self._client.register_script(_CHARGE_LUA)
        self._max_batch = max_batch
        self._queue: list[tuple[list[tuple[str, Limit, int]], asyncio.Future[list[Outcome]]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.round_trips = 0
        self.batched_requests = 0

    @property
    def client(self) -> Redis:
        return self._client

    async def hit_many(self, items: list[tuple[str, Limit, int]]) -> list[Outcome]:
        if not items:
            return []
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        self._queue.append((items, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._queue:
            batch: list[tuple[list[tuple[str, Limit, int]], asyncio.Future[list[Outcome]]]] = []
            size = 0
            while self._queue and (not batch or size + len(self._queue[0][0]) <= self._max_batch):
                entry = self._queue.pop(0)
                batch.append(entry)
                size += len(entry[0])
            try:
                results = await self._execute(batch)
            except BackendUnavailable as exc:
                for _items, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            except BaseException as exc:  # cancelled: never leave a caller waiting forever
                for _items, fut in batch:
                    if not fut.done():
                        fut.set_exception(BackendUnavailable(f"redis batch aborted: {type(exc).__name__}"))
                raise
            self.round_trips += 1
            self.batched_requests += len(batch)
            for (_items, fut), outcomes in zip(batch, results):
                if not fut.done():
                    fut.set_result(outcomes)

    async def _execute(
        self, batch: list[tuple[list[tuple[str, Limit, int]], asyncio.Future[list[Outcome]]]]
    ) -> list[list[Outcome]]:
        """One pipeline, one script call per request (all of its limits)."""
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for items, _future in batch:
                    keys: list[str] = []
                    args: list[Any] = []
                    for key, limit, cost in items:
                        keys.append(key)
                        if limit.algorithm is RateAlgorithm.TOKEN_BUCKET:
                            args += ["tb", limit.rate, limit.capacity, cost, int(limit.ttl * 1000)]
                        else:
                            args += ["sw", limit.limit, limit.period, cost, 0]
                    await self._charge(keys=keys, args=args, client=pipe)
                replies = await pipe.execute()
        except (redis_errors.RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}: {exc}"[:200]) from exc
        out: list[list[Outcome]] = []
        for (items, _future), reply in zip(batch, replies):
            outcomes = []
            for j, (_key, limit, _cost) in enumerate(items):
                allowed, remaining, retry = reply[3 * j : 3 * j + 3]
                outcomes.append(Outcome(bool(int(allowed)), float(remaining), float(retry), limit))
            out.append(outcomes)
        return out

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            await self._flusher
        await self._client.aclose()
