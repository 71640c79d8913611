"""Findings: what a stage reports about a request. Scored, located, explained."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from apiward.core.verdict_types import Action


class Category(StrEnum):
    """What a finding is about. Attack families first, then API / identity / abuse concerns."""

    SQLI = "sqli"
    XSS = "xss"
    TRAVERSAL = "traversal"
    CMDI = "cmdi"
    LOG4SHELL = "log4shell"
    SHELLSHOCK = "shellshock"
    XXE = "xxe"
    SSRF = "ssrf"
    SSTI = "ssti"
    NOSQLI = "nosqli"
    LDAPI = "ldapi"
    CRLF = "crlf"
    PROTOCOL = "protocol"  # malformed / smuggling-shaped HTTP
    SCHEMA = "schema"  # OpenAPI contract violation
    ANOMALY = "anomaly"  # deviation from a learned baseline
    AUTHN = "authn"  # missing / invalid credentials
    AUTHZ = "authz"  # authenticated but not allowed
    RATE_LIMIT = "rate_limit"
    ABUSE = "abuse"  # brute force, stuffing, BOLA, scraping, floods
    SCANNER = "scanner"
    DATA_LEAK = "data_leak"  # response side
    INTERNAL = "internal"  # an inspection stage failed; see the fail mode


ATTACK_CATEGORIES: frozenset[Category] = frozenset(
    {
        Category.SQLI,
        Category.XSS,
        Category.TRAVERSAL,
        Category.CMDI,
        Category.LOG4SHELL,
        Category.SHELLSHOCK,
        Category.XXE,
        Category.SSRF,
        Category.SSTI,
        Category.NOSQLI,
        Category.LDAPI,
        Category.CRLF,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation. ``score`` is 0..1 (calibrated where it comes from a model).

    ``action`` is set by stages whose outcome is not a score but a decision (authentication
    failed: BLOCK with status 401; rate limit hit: THROTTLE with ``retry_after``). Scored
    findings leave it ``None`` and `decide` applies the thresholds.
    ``evidence`` is a short snippet, already redacted by the stage that produced it.
    """

    stage: str
    category: Category
    location: str
    score: float
    evidence: str = ""
    rule: str = ""
    action: Action | None = None
    status: int | None = None
    retry_after: float | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "stage": self.stage,
            "category": self.category.value,
            "location": self.location,
            "score": round(self.score, 4),
            "evidence": self.evidence,
            "rule": self.rule,
        }
        if self.action is not None:
            out["action"] = self.action.value
        if self.status is not None:
            out["status"] = self.status
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        return out
