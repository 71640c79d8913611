"""Risk per key (client ip, device, identity) with reasons, exponential decay, per-reason caps,
and the adaptive policy that maps risk to an action."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from apiward.behaviour.keyed import BoundedTTLMap, Clock
from apiward.settings import RiskActions

# Most a single reason can contribute: a weak signal never blocks on its own.
REASON_CAPS: dict[str, float] = {
    "scanner_user_agent": 20.0,
    "login_tool_user_agent": 30.0,
    "ato_new_device_network": 30.0,
    "scan_404_burst": 50.0,
    "scan_many_paths": 50.0,
    "high_volume": 70.0,
}
# Reasons that together form one signal, and the most that signal may contribute. Scanning
# (404 bursts, many paths, scanner user-agents) is a risk signal only: alone it can tighten a
# client's rate limits (below the throttle level) but never throttle or block it by itself.
REASON_GROUPS: dict[str, str] = {
    "scanner_user_agent": "scanning",
    "scan_404_burst": "scanning",
    "scan_many_paths": "scanning",
}
GROUP_CAPS: dict[str, float] = {"scanning": 50.0}


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
    def __init__(
        self,
        actions: RiskActions,
        max_keys: int,
        clock: Clock,
        on_block: Callable[[str, str, float], None] | None = None,
    ) -> None:
        self._a = actions
        self._on_block = on_block
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
            reason = self.state(key).explain()
            self._blocked.set(key, reason)
            if self._on_block is not None:
                self._on_block(key, reason, self._a.block_ttl)
        return score

    def state(self, key: str) -> RiskState:
        reasons = self._scores.get(key)
        if not reasons:
            return RiskState(0.0, ())
        now = self._clock()
        values = sorted(
            ((r, self._decayed(v, t, now)) for r, (v, t) in reasons.items()), key=lambda x: -x[1]
        )
        groups: dict[str, float] = {}
        total = 0.0
        for reason, value in values:
            group = REASON_GROUPS.get(reason)
            if group is None:
                total += value
            else:
                groups[group] = groups.get(group, 0.0) + value
        total += sum(min(v, GROUP_CAPS[g]) for g, v in groups.items())
        return RiskState(min(100.0, total), tuple(values))

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
