"""Risk per key (client ip, device, identity) with reasons, exponential decay, per-reason caps,
and the adaptive policy that maps risk to an action."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from apiward.behaviour.keyed import BoundedTTLMap, Clock
from apiward.settings import RiskActions

# Most a single reason can contribute: a weak signal never blocks on its own.
REASON_CAPS: dict[str, float] = {
    "scanner_user_agent": 20.0,
    "ato_new_device_network": 30.0,
    "scan_404_burst": 60.0,
    "scan_many_paths": 60.0,
    "high_volume": 70.0,
}


class RiskAction(StrEnum):
    NONE = "none"
    LOG = "log"
    TIGHTEN = "tighten"
    THROTTLE = "throttle"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class RiskState:
    score: float
    reasons: tuple[tuple[str, float], ...]  # strongest first

    def explain(self, limit: int = 3) -> str:
        return ", ".join(f"{r}={v:.0f}" for r, v in self.reasons[:limit])


class RiskBook:
    def __init__(self, actions: RiskActions, max_keys: int, clock: Clock) -> None:
        self._a = actions
        self._clock = clock
        self._decay = math.log(2) / actions.half_life
        # Idle risk is gone after ~8 half-lives (<0.4 %).
        self._scores: BoundedTTLMap[str, dict[str, tuple[float, float]]] = BoundedTTLMap(
            max_keys, 8 * actions.half_life, clock
        )
        self._blocked: BoundedTTLMap[str, str] = BoundedTTLMap(max_keys, actions.block_ttl, clock)

    def _decayed(self, value: float, since: float, now: float) -> float:
        return value * math.exp(-self._decay * max(now - since, 0.0))

    def add(self, key: str, reason: str, amount: float) -> float:
        now = self._clock()
        reasons = self._scores.setdefault(key, dict)
        old = reasons.get(reason)
        value = self._decayed(old[0], old[1], now) if old else 0.0
        reasons[reason] = (min(value + amount, REASON_CAPS.get(reason, 100.0)), now)
        score = self.state(key).score
        if score >= self._a.block and key not in self._blocked:
            self._blocked.set(key, self.state(key).explain())
        return score

    def state(self, key: str) -> RiskState:
        reasons = self._scores.get(key)
        if not reasons:
            return RiskState(0.0, ())
        now = self._clock()
        values = sorted(
            ((r, self._decayed(v, t, now)) for r, (v, t) in reasons.items()), key=lambda x: -x[1]
        )
        return RiskState(min(100.0, sum(v for _, v in values)), tuple(values))

    def blocked(self, key: str) -> str | None:
        return self._blocked.get(key)

    def action(self, score: float) -> RiskAction:
        a = self._a
        if score >= a.block:
            return RiskAction.BLOCK
        if score >= a.throttle:
            return RiskAction.THROTTLE
        if score >= a.tighten:
            return RiskAction.TIGHTEN
        if score >= a.log:
            return RiskAction.LOG
        return RiskAction.NONE

    def seconds_until_below(self, score: float, level: float) -> float:
        if score <= level or level <= 0:
            return 1.0
        return max(1.0, math.log(score / level) / self._decay)

    def __len__(self) -> int:
        return len(self._scores)
