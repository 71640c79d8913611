"""Detection metrics: confusion counts and the rates derived from them.

Conventions (stated once, tested): a rate whose denominator is zero is ``None`` (not 0, not 1);
balanced accuracy is the mean of the rates that are defined, as scikit-learn's
``balanced_accuracy_score`` does over the classes present, and ``None`` when neither is.
Records that could not be measured (transport errors, 5xx through ``--via``) are counted in
``errors`` and left out of every rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Counts:
    """Confusion counts of one group of records (a file, a category, a site)."""

    tp: int = 0  # attack blocked
    fn: int = 0  # attack passed
    tn: int = 0  # benign passed
    fp: int = 0  # benign blocked
    errors: int = 0  # not measured
    throttled: int = 0  # blocked by a 429 / THROTTLE (included in tp / fp)
    rejected: int = 0  # refused by the parser (over limit / malformed; included in tp / fp)

    def add(self, is_attack: bool, blocked: bool) -> None:
        if is_attack:
            if blocked:
                self.tp += 1
            else:
                self.fn += 1
        elif blocked:
            self.fp += 1
        else:
            self.tn += 1

    def merge(self, other: Counts) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.tn += other.tn
        self.fp += other.fp
        self.errors += other.errors
        self.throttled += other.throttled
        self.rejected += other.rejected

    @property
    def attacks(self) -> int:
        return self.tp + self.fn

    @property
    def benign(self) -> int:
        return self.tn + self.fp

    @property
    def total(self) -> int:
        return self.attacks + self.benign

    @property
    def tpr(self) -> float | None:
        return self.tp / self.attacks if self.attacks else None

    @property
    def tnr(self) -> float | None:
        return self.tn / self.benign if self.benign else None

    @property
    def balanced_accuracy(self) -> float | None:
        return balanced_accuracy(self.tpr, self.tnr)

    def to_dict(self) -> dict[str, object]:
        return {
            "count": self.total,
            "attacks": self.attacks,
            "benign": self.benign,
            "tp": self.tp,
            "fn": self.fn,
            "tn": self.tn,
            "fp": self.fp,
            "errors": self.errors,
            "throttled": self.throttled,
            "rejected": self.rejected,
            "tpr": _round(self.tpr),
            "tnr": _round(self.tnr),
            "balanced_accuracy": _round(self.balanced_accuracy),
        }


def balanced_accuracy(tpr: float | None, tnr: float | None) -> float | None:
    rates = [r for r in (tpr, tnr) if r is not None]
    return sum(rates) / len(rates) if rates else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
