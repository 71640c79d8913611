"""The results of an evaluation: per file, per category, per site, and the misclassified records."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from apiward.evaluation.metrics import Counts
from apiward.evaluation.scorer import Outcome, Scored


@dataclass(slots=True)
class Miss:
    """A misclassified record: where to find it and why the gateway decided as it did."""

    file: str
    index: int
    label: str
    category: str
    outcome: str
    method: str
    url: str
    source: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "index": self.index,
            "label": self.label,
            "category": self.category,
            "outcome": self.outcome,
            "method": self.method,
            "url": self.url,
            "source": self.source,
            "reason": self.reason,
        }


def _reason_key(reason: str) -> str:
    """Group reasons by category and input source: ``sqli in query.q`` -> ``sqli in query``."""
    head, sep, location = reason.partition(" in ")
    if not sep:
        return reason or "-"
    return f"{head} in {location.split('.', 1)[0]}"


@dataclass(slots=True)
class FileResult:
    path: Path
    counts: Counts = field(default_factory=Counts)
    categories: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    sites: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    skipped: int = 0
    seconds: float = 0.0
    misses: list[Miss] = field(default_factory=list)
    error_samples: list[dict[str, object]] = field(default_factory=list)  # unmeasured records
    fp_reasons: Counter[str] = field(default_factory=Counter)  # why benign records were blocked
    fn_categories: Counter[str] = field(default_factory=Counter)  # where attacks got through
    missed_total: int = 0
    max_misses: int = 200

    def add(self, scored: Scored) -> None:
        record = scored.record
        groups = (self.counts, self.categories[record.category], self.sites[record.host or "-"])
        if scored.outcome is Outcome.ERROR:
            for group in groups:
                group.errors += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(
                    {"index": record.index, "method": record.method, "url": record.url[:300],
                     "reason": scored.reason[:300]}
                )
            return
        blocked = scored.outcome.blocked
        for group in groups:
            group.add(record.is_attack, blocked)
            if scored.outcome is Outcome.THROTTLED:
                group.throttled += 1
            elif scored.outcome is Outcome.REJECTED:
                group.rejected += 1
        if blocked != record.is_attack:
            self.missed_total += 1
            if blocked:
                self.fp_reasons[_reason_key(scored.reason)] += 1
            else:
                self.fn_categories[record.category] += 1
            if len(self.misses) < self.max_misses:
                self.misses.append(
                    Miss(
                        file=str(self.path),
                        index=record.index,
                        label=record.label,
                        category=record.category,
                        outcome=scored.outcome.value,
                        method=record.method,
                        url=record.url[:300],
                        source=record.source,
                        reason=scored.reason[:300],
                    )
                )

    @property
    def throughput(self) -> float:
        measured = self.counts.total + self.counts.errors
        return measured / self.seconds if self.seconds > 0 else 0.0

    def worst_sites(self) -> list[tuple[str, Counts]]:
        """Sites with benign traffic, lowest TNR first (ties: most false positives first)."""
        rows = [(site, c) for site, c in self.sites.items() if c.benign]
        rows.sort(key=lambda item: (item[1].tnr if item[1].tnr is not None else 1.0, -item[1].fp, item[0]))
        return rows

    def to_dict(self, by_site: bool) -> dict[str, object]:
        out: dict[str, object] = {
            "file": str(self.path),
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.throughput, 1),
            "total": self.counts.to_dict(),
            "categories": {name: c.to_dict() for name, c in sorted(self.categories.items())},
            "false_positive_reasons": dict(self.fp_reasons.most_common(50)),
            "false_negative_categories": dict(self.fn_categories.most_common()),
            "errors": self.error_samples,
            "misclassified_total": self.missed_total,
            "misclassified": [m.to_dict() for m in self.misses],
        }
        if by_site:
            out["sites"] = {site: c.to_dict() for site, c in self.worst_sites()}
        return out


@dataclass(slots=True)
class EvalReport:
    mode: str  # "in-process" or "via URL"
    files: list[FileResult] = field(default_factory=list)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for result in self.files:
            total.merge(result.counts)
        return total

    def to_dict(self, by_site: bool = False) -> dict[str, object]:
        seconds = sum(f.seconds for f in self.files)
        overall = self.overall
        return {
            "mode": self.mode,
            "files": [f.to_dict(by_site) for f in self.files],
            "overall": overall.to_dict(),
            "seconds": round(seconds, 3),
            "throughput_rps": round((overall.total + overall.errors) / seconds, 1) if seconds else 0.0,
        }
