"""Prometheus metrics of one gateway process, in a registry of its own (no global state).

With several worker processes (`apiward serve --workers N`) the supervisor sets
``PROMETHEUS_MULTIPROC_DIR`` to a per-run directory before the workers start; prometheus-client
then keeps every value in a per-process file there and the admin listener aggregates them with
`MultiProcessCollector` (`collect_text`). Label children are created once and cached.

Stage counters: the ``authn``, ``authz``, ``ratelimit`` and ``behaviour`` stages count in plain
dicts (their ``stats()``); nothing is added to the request path. `Metrics.sync_stages` copies
them into ``apiward_*`` counters (by the increase since the last sync) and a few gauges; the
runtime calls it every ``gateway.stats_interval`` seconds, at shutdown, and before an in-process
``/metrics`` scrape. Gauges aggregate over workers in a fixed way (``min`` for "backend up",
``max`` for "JWKS stale", ``sum`` for table sizes); a worker that died keeps its last gauge
values in the sum until the run directory is removed (no live-process bookkeeping).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from apiward.core import Action, Category

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# stage -> stats() key -> (metric attribute, label value or None). Keys with a "prefix." are
# matched by prefix, the rest of the key being the label value.
_STAGE_COUNTERS: dict[str, dict[str, tuple[str, str | None]]] = {
    "authn": {
        "failures.": ("auth_failures", None),
        "jwks_fetch_failures": ("jwks_fetch_failures", None),
        "jwks_refreshes": ("jwks_refreshes", None),
        "policy_reloads": ("config_reloads", "policy"),
        "policy_reload_errors": ("config_reload_errors", "policy"),
        "api_keys_reloads": ("config_reloads", "api_keys"),
        "api_keys_reload_errors": ("config_reload_errors", "api_keys"),
    },
    "authz": {"denials.": ("authz_denials", None)},
    "ratelimit": {
        "throttled": ("ratelimit_throttled", None),
        "redis_errors": ("ratelimit_backend_failures", None),
        "fallback_decisions": ("ratelimit_fallback_decisions", None),
        "fail_closed_rejections": ("ratelimit_fail_closed_rejections", None),
        "memory_evictions": ("ratelimit_memory_evictions", None),
        "redis_round_trips": ("ratelimit_backend_round_trips", None),
    },
    "behaviour": {
        "signal.": ("behaviour_signals", None),
        "enforced.": ("behaviour_enforced", None),
        "shared_": ("behaviour_sharing", None),
    },
}
_STAGE_GAUGES: dict[str, dict[str, str]] = {
    "authn": {"jwks_stale": "jwks_stale"},
    "ratelimit": {"redis_up": "ratelimit_backend_up", "memory_keys": "ratelimit_memory_keys"},
    "behaviour": {"risk_keys": "behaviour_risk_keys", "shared_blocked_keys": "behaviour_shared_blocked_keys"},
}
_MAX_LABELS = 200  # per metric: label values come from code, but never let them grow without bound
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
        self._stage_counters: dict[str, Counter] = {
            "auth_failures": Counter("apiward_auth_failures_total", "Authentication failures by reason",
                                     ("reason",), registry=r),
            "jwks_fetch_failures": Counter("apiward_jwks_fetch_failures_total", "Failed JWKS fetches", registry=r),
            "jwks_refreshes": Counter("apiward_jwks_refreshes_total", "Successful JWKS fetches", registry=r),
            "config_reloads": Counter("apiward_config_reloads_total", "Hot reloads of policy / key files",
                                      ("file",), registry=r),
            "config_reload_errors": Counter("apiward_config_reload_errors_total",
                                            "Policy / key file versions refused (the previous one stays)",
                                            ("file",), registry=r),
            "authz_denials": Counter("apiward_authz_denials_total", "Authorization denials by reason",
                                     ("reason",), registry=r),
            "ratelimit_throttled": Counter("apiward_ratelimit_throttled_total", "Requests over a rate limit",
                                           registry=r),
            "ratelimit_backend_failures": Counter("apiward_ratelimit_backend_failures_total",
                                                  "Failed calls to the shared rate-limit backend (Redis)",
                                                  registry=r),
            "ratelimit_fallback_decisions": Counter("apiward_ratelimit_fallback_decisions_total",
                                                    "Rate-limit decisions made locally while Redis was down",
                                                    registry=r),
            "ratelimit_fail_closed_rejections": Counter("apiward_ratelimit_fail_closed_rejections_total",
                                                        "Requests refused (503) because Redis was down",
                                                        registry=r),
            "ratelimit_memory_evictions": Counter("apiward_ratelimit_memory_evictions_total",
                                                  "In-memory rate-limit keys evicted by the size cap", registry=r),
            "ratelimit_backend_round_trips": Counter("apiward_ratelimit_backend_round_trips_total",
                                                     "Round trips to the shared rate-limit backend", registry=r),
            "behaviour_signals": Counter("apiward_behaviour_signals_total", "Abuse signals raised, by kind",
                                         ("signal",), registry=r),
            "behaviour_enforced": Counter("apiward_behaviour_enforced_total", "Behaviour enforcement by action",
                                          ("action",), registry=r),
            "behaviour_sharing": Counter("apiward_behaviour_sharing_total",
                                         "Shared-blocklist operations (published, syncs, errors, ...)",
                                         ("kind",), registry=r),
        }
        self._stage_gauges: dict[str, Gauge] = {
            "jwks_stale": Gauge("apiward_jwks_stale", "1 while JWT keys are served from a stale JWKS cache",
                                registry=r, multiprocess_mode="max"),
            "ratelimit_backend_up": Gauge("apiward_ratelimit_backend_up", "0 while Redis is marked down",
                                          registry=r, multiprocess_mode="min"),
            "ratelimit_memory_keys": Gauge("apiward_ratelimit_memory_keys", "Keys held by in-memory rate limits",
                                           registry=r, multiprocess_mode="sum"),
            "behaviour_risk_keys": Gauge("apiward_behaviour_risk_keys", "Clients with a risk score",
                                         registry=r, multiprocess_mode="sum"),
            "behaviour_shared_blocked_keys": Gauge("apiward_behaviour_shared_blocked_keys",
                                                   "Blocked keys pulled from the shared blocklist",
                                                   registry=r, multiprocess_mode="max"),
        }
        self._synced: dict[tuple[str, str | None], float] = {}
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

    def sync_stages(self, stages: Iterable[Any]) -> None:
        """Copy the ``stats()`` of known stages into the metrics (counters by their increase since
        the last call; a counter that went down, e.g. a rebuilt stage, counts from zero again)."""
        for stage in stages:
            name = getattr(stage, "name", None)
            stats_of = getattr(stage, "stats", None) or getattr(getattr(stage, "engine", None), "stats", None)
            if name not in _STAGE_COUNTERS or not callable(stats_of):
                continue
            counters, gauges = _STAGE_COUNTERS[name], _STAGE_GAUGES.get(name, {})
            for key, value in stats_of().items():
                if key in gauges:
                    self._stage_gauges[gauges[key]].set(value)
                    continue
                target = _route(counters, key)
                if target is None:
                    continue
                metric, label = target
                self._count(metric, label, float(value))

    def _count(self, metric: str, label: str | None, value: float) -> None:
        slot = (metric, label)
        previous = self._synced.get(slot)
        if previous is None and label is not None:
            labelled = sum(1 for m, lab in self._synced if m == metric and lab is not None)
            if labelled >= _MAX_LABELS:
                return
        delta = value - (previous or 0.0)
        if delta < 0:  # the source was reset
            delta = value
        self._synced[slot] = value
        if delta <= 0 and previous is not None:
            return
        counter = self._stage_counters[metric]
        child = counter.labels(label) if label is not None else counter
        child.inc(max(delta, 0.0))


def _route(counters: dict[str, tuple[str, str | None]], key: str) -> tuple[str, str | None] | None:
    exact = counters.get(key)
    if exact is not None:
        return exact
    for prefix, (metric, _) in counters.items():
        if prefix.endswith((".", "_")) and key.startswith(prefix) and len(key) > len(prefix):
            return metric, key[len(prefix):][:64]
    return None


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
