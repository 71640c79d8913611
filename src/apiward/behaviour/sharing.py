"""Blocks and login-failure counts shared between gateways through Redis.

When one gateway blocks a client (risk over the block level), it publishes the key with its TTL
to a Redis sorted set (score = expiry on the Redis clock). Every gateway pulls the live entries
every ``interval`` seconds in a background task -- never on the request path -- so a block
reaches the whole fleet within about a second.

Login failures per account and per (source, account) are also counted in Redis (fixed windows,
one script call from the response observer, after the answer has left), so an attacker spreading
guesses over several gateways is counted once for the whole fleet. Redis errors are counted and
logged; local detection and blocking go on regardless.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from apiward.behaviour.keyed import Clock

log = logging.getLogger(__name__)

_PUBLISH_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""

_SYNC_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local items = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
return {tostring(now), items}
"""

_FAILURE_LUA = """
local a = redis.call('INCR', KEYS[1])
if a == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local s = redis.call('INCR', KEYS[2])
if s == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return {a, s}
"""

_MAX_PENDING = 256


class SharedBlocklist:
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "apiward:bl:",
        interval: float = 1.0,
        timeout: float = 0.2,
        max_entries: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._key = prefix + "blocked"
        self._interval = interval
        self._max = max_entries
        self._clock = clock
        self._publish = self._client.register_script(_PUBLISH_LUA)
        self._sync = self._client.register_script(_SYNC_LUA)
        self._failure = self._client.register_script(_FAILURE_LUA)
        self._prefix = prefix
        self._entries: dict[str, tuple[float, str]] = {}  # key -> (monotonic expiry, reason)
        self._next_sync = 0.0
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self.counters: dict[str, int] = {"published": 0, "syncs": 0, "errors": 0, "dropped": 0, "failures": 0}
        self.last_error = ""

    def blocked(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)

    def poll(self) -> None:
        """On the request path: schedules a background sync when one is due."""
        now = self._clock()
        if now < self._next_sync:
            return
        self._next_sync = now + self._interval
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.sync())

    def publish(self, key: str, reason: str, ttl: float) -> None:
        """Fire-and-forget from the request path (bounded number of tasks in flight)."""
        if len(self._pending) >= _MAX_PENDING:
            self.counters["dropped"] += 1
            return
        task = asyncio.get_running_loop().create_task(self.push(key, reason, ttl))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def push(self, key: str, reason: str, ttl: float) -> None:
        member = f"{key}\t{reason[:120]}"
        try:
            await self._publish(keys=[self._key], args=[member, ttl])
            self.counters["published"] += 1
        except (redis_errors.RedisError, OSError) as exc:
            self._error(exc)

    async def sync(self) -> None:
        try:
            server_now, items = await self._sync(keys=[self._key], args=[self._max * 2])
        except (redis_errors.RedisError, OSError) as exc:
            self._error(exc)
            return
        now_remote, local = float(server_now), self._clock()
        entries: dict[str, tuple[float, str]] = {}
        for i in range(0, len(items), 2):
            member = items[i].decode() if isinstance(items[i], bytes) else str(items[i])
            key, _, reason = member.partition("\t")
            expires = local + float(items[i + 1]) - now_remote
            if key not in entries or entries[key][0] < expires:
                entries[key] = (expires, reason)
            if len(entries) >= self._max:
                break
        self._entries = entries
        self.counters["syncs"] += 1
        self.last_error = ""

    async def record_login_failure(self, account: str, source: str, window: float) -> tuple[int, int] | None:
        """Fleet-wide failures in the current window: (on the account, from this source on it)."""
        digest = hashlib.sha256(account.encode()).hexdigest()[:32]
        keys = [f"{self._prefix}af:{digest}", f"{self._prefix}saf:{hashlib.sha256(source.encode()).hexdigest()[:16]}:{digest}"]
        try:
            on_account, from_source = await self._failure(keys=keys, args=[int(window * 1000)])
        except (redis_errors.RedisError, OSError) as exc:
            self._error(exc)
            return None
        self.counters["failures"] += 1
        return int(on_account), int(from_source)

    def _error(self, exc: BaseException) -> None:
        self.counters["errors"] += 1
        self.last_error = f"{type(exc).__name__}: {exc}"[:200]
        log.warning("shared blocklist: %s", self.last_error)

    async def close(self) -> None:
        for task in list(self._pending):
            await task
        await self._client.aclose()
