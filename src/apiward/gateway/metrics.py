"""Prometheus metrics of one gateway process, in a registry of its own (no global state).

With several worker processes (`apiward serve --workers N`) the supervisor sets
``PROMETHEUS_MULTIPROC_DIR`` to a per-run directory before the workers start; prometheus-client
then keeps every value in a per-process file there and the admin listener aggregates them with
`MultiProcessCollector` (`collect_text`). Counters and histograms only: no gauges, so no
live-process bookkeeping is needed. Label children are created once and cached.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from apiward.core import Action, Category

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The ``apiward_*`` metric family of the gateway."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "apiward_requests_total", "Requests decided, by action and whether it was enforced",
            ("action", "enforced"), registry=r,
        )
        self.duration = Histogram(
            "apiward_request_duration_seconds", "Time from request start to response end",
            buckets=_BUCKETS, registry=r,
        )
        self.upstream_errors = Counter(
            "apiward_upstream_errors_total", "Upstream failures by kind (connect, timeout, protocol)",
            ("kind",), registry=r,
        )
        self.events_dropped = Counter(
            "apiward_events_dropped_total", "Security events dropped because the event queue was full",
            registry=r,
        )
        self.stage_errors = Counter(
            "apiward_stage_errors_total", "Inspection stages or observers that raised", ("stage",), registry=r,
        )
        self.findings = Counter(
            "apiward_findings_total", "Findings reported by inspection, by category", ("category",), registry=r,
        )
        self.rejected = Counter(
            "apiward_rejected_total", "Requests refused before inspection (limits, malformed input)",
            ("status",), registry=r,
        )
        self._requests = {
            (a.value, e): self.requests.labels(a.value, "true" if e else "false")
            for a in Action
            for e in (True, False)
        }
        self._findings = {c: self.findings.labels(c.value) for c in Category}

    def request(self, action: Action, enforced: bool, seconds: float) -> None:
        self._requests[(action.value, enforced)].inc()
        self.duration.observe(seconds)

    def finding(self, category: Category) -> None:
        self._findings[category].inc()

    def stage_error(self, stage: str, exc: BaseException) -> None:
        self.stage_errors.labels(stage).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def collect_text(metrics: Metrics | None) -> bytes:
    """The exposition text: aggregated over worker processes in multiprocess mode, else this process."""
    path = multiprocess_dir()
    if path:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    if metrics is None:
        return b""
    return generate_latest(metrics.registry)
