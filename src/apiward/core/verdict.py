"""The verdict: one function turns findings into a decision, honouring thresholds and mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from apiward.core.finding import Category, Finding
from apiward.core.verdict_types import SEVERITY, Action, Mode

_DEFAULT_STATUS: dict[Action, int] = {
    Action.ALLOW: 200,
    Action.LOG: 200,
    Action.CHALLENGE: 401,
    Action.THROTTLE: 429,
    Action.BLOCK: 403,
}


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """Score thresholds. A scored finding blocks at ``threshold_for(category)`` and is logged at
    ``log_threshold``; findings that carry their own ``action`` bypass the thresholds."""

    block_threshold: float = 0.5
    log_threshold: float = 0.2
    thresholds: Mapping[Category, float] = field(default_factory=dict)

    def threshold_for(self, category: Category) -> float:
        return self.thresholds.get(category, self.block_threshold)

    def action_for(self, finding: Finding) -> Action:
        if finding.action is not None:
            return finding.action
        if finding.score >= self.threshold_for(finding.category):
            return Action.BLOCK
        if finding.score >= self.log_threshold:
            return Action.LOG
        return Action.ALLOW


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one request.

    ``action`` is what the findings call for; ``enforced`` is False in monitor mode, where the
    request passes whatever ``action`` says. ``cause`` is the finding that set the action.
    """

    action: Action
    findings: tuple[Finding, ...] = ()
    enforced: bool = True
    status: int = 200
    retry_after: float | None = None
    cause: Finding | None = None

    @property
    def interrupts(self) -> bool:
        """True when the request must be answered by the gateway instead of the upstream."""
        return self.enforced and SEVERITY[self.action] >= SEVERITY[Action.CHALLENGE]

    @property
    def score(self) -> float:
        return max((f.score for f in self.findings), default=0.0)

    @property
    def reason(self) -> str:
        if self.cause is None:
            return ""
        return f"{self.cause.category.value} in {self.cause.location}"


ALLOW = Verdict(Action.ALLOW)


def decide(findings: Iterable[Finding], policy: DecisionPolicy, mode: Mode = Mode.BLOCK) -> Verdict:
    """Turn findings into a verdict: the harshest action wins, ties go to the higher score."""
    found = tuple(findings)
    if not found:
        return ALLOW
    action = Action.ALLOW
    cause: Finding | None = None
    retry_after: float | None = None
    for finding in found:
        act = policy.action_for(finding)
        if act is Action.THROTTLE and finding.retry_after is not None:
            retry_after = max(retry_after or 0.0, finding.retry_after)
        if SEVERITY[act] > SEVERITY[action] or (
            act is action and cause is not None and finding.score > cause.score
        ):
            action, cause = act, finding
    if action is Action.ALLOW:
        cause = None
    status = _DEFAULT_STATUS[action]
    if cause is not None and cause.status is not None and SEVERITY[action] >= SEVERITY[Action.CHALLENGE]:
        status = cause.status
    return Verdict(
        action=action,
        findings=found,
        enforced=mode is Mode.BLOCK,
        status=status,
        retry_after=retry_after if action is Action.THROTTLE else None,
        cause=cause,
    )
