"""Bounded keyed state: every per-client map has a TTL and a size cap (least recently used go).

Intervals use ``time.monotonic`` (injectable for tests and the simulator).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Clock = Callable[[], float]


class BoundedTTLMap(Generic[K, V]):
    def __init__(self, max_keys: int, ttl: float, clock: Clock) -> None:
        if max_keys < 1 or ttl <= 0:
            raise ValueError("max_keys and ttl must be positive")
        self.max_keys = max_keys
        self.ttl = ttl
        self._clock = clock
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self.evictions = 0  # entries dropped for space while still live (metrics)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    def get(self, key: K) -> V | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return item[1]

    def set(self, key: K, value: V, ttl: float | None = None) -> None:
        now = self._clock()
        self._data[key] = (now + (ttl if ttl is not None else self.ttl), value)
        self._data.move_to_end(key)
        self._trim(now)

    def touch(self, key: K, ttl: float | None = None) -> None:
        item = self._data.get(key)
        if item is not None:
            self._data[key] = (self._clock() + (ttl if ttl is not None else self.ttl), item[1])
            self._data.move_to_end(key)

    def setdefault(self, key: K, factory: Callable[[], V], ttl: float | None = None) -> V:
        """The live value for ``key`` (its TTL renewed), or a new one from ``factory``."""
        value = self.get(key)
        if value is None:
            value = factory()
            self.set(key, value, ttl)
        else:
            self.touch(key, ttl)
        return value

    def pop(self, key: K) -> V | None:
        item = self._data.pop(key, None)
        return None if item is None else item[1]

    def _trim(self, now: float) -> None:
        data = self._data
        # Drop a few expired entries from the cold end, then enforce the cap.
        for _ in range(4):
            if not data:
                break
            key, (expires, _v) = next(iter(data.items()))
            if expires > now:
                break
            del data[key]
        while len(data) > self.max_keys:
            data.popitem(last=False)
            self.evictions += 1

    def items(self) -> Iterator[tuple[K, V]]:
        now = self._clock()
        for key, (expires, value) in list(self._data.items()):
            if expires > now:
                yield key, value
