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
        return f'"{self.name}";q={self.limit};w={int(math.ceil(self.period))}'


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
        return f'"{self.limit.name}";r={max(int(self.remaining), 0)};t={int(math.ceil(reset))}'


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
_TOKEN_BUCKET_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 't', 'ts')
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
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {allowed, tostring(tokens), tostring(retry)}
"""

_SLIDING_WINDOW_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local win = math.floor(now / period)
local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
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
redis.call('HSET', KEYS[1], 'w', win, 'c', c, 'p', p)
redis.call('PEXPIRE', KEYS[1], period * 2)
return {allowed, tostring(remaining), tostring(retry / 1000)}
"""


class RedisBackend:
    """Shared limits. Every call is one pipelined round trip; errors become BackendUnavailable."""

    def __init__(self, url: str, timeout: float = 0.05, client: Redis | None = None) -> None:
        self.url = url
        self._client = client or Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
            health_check_interval=0,
        )
        self._token_bucket = self._client.register_script(_TOKEN_BUCKET_LUA)
        self._sliding = self._client.register_script(_SLIDING_WINDOW_LUA)

    @property
    def client(self) -> Redis:
        return self._client

    async def hit_many(self, items: list[tuple[str, Limit, int]]) -> list[Outcome]:
        if not items:
            return []
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for key, limit, cost in items:
                    if limit.algorithm is RateAlgorithm.TOKEN_BUCKET:
                        args: list[Any] = [limit.rate, limit.capacity, cost, int(limit.ttl * 1000)]
                        await self._token_bucket(keys=[key], args=args, client=pipe)
                    else:
                        args = [limit.limit, int(limit.period * 1000), cost]
                        await self._sliding(keys=[key], args=args, client=pipe)
                replies = await pipe.execute()
        except (redis_errors.RedisError, OSError) as exc:
            raise BackendUnavailable(f"redis: {type(exc).__name__}: {exc}"[:200]) from exc
        out: list[Outcome] = []
        for (_key, limit, _cost), reply in zip(items, replies):
            allowed, remaining, retry = reply
            out.append(Outcome(bool(int(allowed)), float(remaining), float(retry), limit))
        return out

    async def close(self) -> None:
        await self._client.aclose()
