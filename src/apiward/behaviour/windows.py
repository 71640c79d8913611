"""Sliding-window primitives with O(1) (or capped) memory: bucketed counters and capped
distinct-item sets. Used inside `keyed.BoundedTTLMap`s, so every key also has a TTL."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

_BUCKETS = 10


class Buckets:
    """Events in the last ``window`` seconds, in ``_BUCKETS`` slices (error <= one slice)."""

    __slots__ = ("_counts", "_slots", "_width")

    def __init__(self, window: float) -> None:
        self._width = window / _BUCKETS
        self._slots = [-1] * _BUCKETS
        self._counts = [0.0] * _BUCKETS

    def add(self, now: float, n: float = 1.0) -> float:
        slot = int(now // self._width)
        i = slot % _BUCKETS
        if self._slots[i] != slot:
            self._slots[i] = slot
            self._counts[i] = 0.0
        self._counts[i] += n
        return self.total(now)

    def total(self, now: float) -> float:
        current = int(now // self._width)
        return sum(c for s, c in zip(self._slots, self._counts) if current - s < _BUCKETS)


class DistinctSet:
    """Distinct items seen within ``window`` seconds, at most ``cap`` remembered (oldest go)."""

    __slots__ = ("_cap", "_items", "_window")

    def __init__(self, window: float, cap: int = 256) -> None:
        self._window = window
        self._cap = cap
        self._items: OrderedDict[Hashable, float] = OrderedDict()

    def add(self, now: float, item: Hashable) -> int:
        items = self._items
        items[item] = now
        items.move_to_end(item)
        while items:
            first = next(iter(items.items()))
            if now - first[1] <= self._window and len(items) <= self._cap:
                break
            items.popitem(last=False)
        return len(items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def count(self, now: float) -> int:
        return sum(1 for t in self._items.values() if now - t <= self._window)
