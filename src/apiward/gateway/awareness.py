"""API awareness on the admin listener: ``/api/endpoints`` and ``/api/drift``.

The learning and comparison are the learn package's (`Baseline.endpoints_since`,
`learn.profile.learn_baseline`, `learn.drift.drift`); this module only finds the inputs:

- the loaded profile: ``<api.profile>/baseline.json``, re-read when its mtime changes (so
  ``apiward profile promote`` shows without a restart);
- the imported spec: ``api.spec`` (only the configured file; the admin API never opens a path
  given in a request);
- recent traffic: events in the store since a moment (default: the last 7 days, at most
  ``MAX_TRAFFIC_EVENTS``) that reached the upstream and were not answered 404/405 by it.
  Allowed requests are only recorded when sampled (``events.sample_allowed``), so traffic drift
  sees the endpoints of sampled and flagged requests, not every call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from apiward.core import Event
from apiward.errors import ApiwardError
from apiward.http.parse import build_request_view
from apiward.learn.baseline import GLOBAL, Baseline
from apiward.learn.contract import Contract
from apiward.learn.drift import drift
from apiward.learn.profile import BASELINE_FILE, learn_baseline
from apiward.learn.spec import load_spec
from apiward.learn.traffic import Observation
from apiward.settings import Settings
from apiward.store import EventStore

MAX_TRAFFIC_EVENTS = 50_000
DEFAULT_TRAFFIC_WINDOW = 7 * 86400.0
_PAGE = 1000


def parse_moment(value: str) -> float:
    """Unix seconds from an ISO date / date-time (UTC when no zone is given) or a number."""
    text = value.strip()
    with contextlib.suppress(ValueError):
        return float(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class NotConfigured(ApiwardError):
    """The admin call needs a setting that is not set (answered 404 with the key)."""


class ApiAwareness:
    """The inputs of the API-awareness admin calls, loaded lazily and cached."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._baseline: tuple[float, Baseline] | None = None
        self._contract: Contract | None = None

    def baseline(self) -> Baseline:
        profile = self.settings.api.profile
        if profile is None:
            raise NotConfigured("no profile is loaded (api.profile / --profile)")
        path = profile / BASELINE_FILE
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise NotConfigured(f"the profile has no {BASELINE_FILE}") from exc
        cached = self._baseline
        if cached is None or cached[0] != mtime:
            cached = (mtime, Baseline.load(path, self.settings.api.baseline_min_samples))
            self._baseline = cached
        return cached[1]

    def contract(self) -> Contract:
        spec = self.settings.api.spec
        if spec is None:
            raise NotConfigured("no spec is imported to compare with (api.spec / --spec)")
        if self._contract is None:
            self._contract = Contract(load_spec(spec), self.settings.api)
        return self._contract

    def endpoints(self, since: float | None) -> dict[str, Any]:
        baseline = self.baseline()
        keep = set(baseline.endpoints_since(since)) if since is not None else None
        items = []
        for key, ep in sorted(baseline.data.get("endpoints", {}).items()):
            if key == GLOBAL or (keep is not None and key not in keep):
                continue
            method, _, template = key.partition(" ")
            items.append({
                "endpoint": key,
                "method": method,
                "template": template,
                "samples": ep.get("n", 0),
                "clients": ep.get("clients", 0),
                "state": ep.get("state"),
                "first_seen": ep.get("first_seen"),
                "last_seen": ep.get("last_seen"),
                "params": sorted(ep.get("params", {})),
                "auth": ep.get("auth", {}),
                "sensitive": ep.get("sensitive", {}),
            })
        return {
            "profile": str(self.settings.api.profile),
            "created": baseline.data.get("created"),
            "since": since,
            "endpoints": items,
        }

    def drift_from_profile(self) -> dict[str, Any]:
        result = drift(self.contract(), self.baseline())
        return {"source": "profile", "shadow": list(result.shadow), "unused": list(result.unused),
                "documented": list(result.documented)}

    async def drift_from_traffic(self, store: EventStore, since: float) -> dict[str, Any]:
        contract = self.contract()
        events = await recent_events(store, since)
        limits = self.settings.limits
        # Templating and statistics are CPU work: off the admin listener's event loop.
        baseline = await asyncio.to_thread(learn_baseline, list(_observations(events, limits)), 1, 1_000_000)
        result = drift(contract, baseline)
        return {"source": "traffic", "since": since, "events": len(events), "shadow": list(result.shadow),
                "unused": list(result.unused), "documented": list(result.documented)}


async def recent_events(store: EventStore, since: float, cap: int = MAX_TRAFFIC_EVENTS) -> list[Event]:
    """Events since ``since`` that reached the upstream and found something there (not 404/405)."""
    out: list[Event] = []
    before: str | None = None
    seen = 0
    while seen < cap:
        page = await store.query(since=since, action=None, limit=_PAGE, before_id=before)
        if not page:
            break
        seen += len(page)
        out.extend(e for e in page if e.upstream_status is not None and e.upstream_status not in (404, 405))
        before = page[-1].id
        if len(page) < _PAGE:
            break
    return out


def _observations(events: list[Event], limits: Any) -> Iterator[Observation]:
    for event in events:
        path, _, query = event.path.partition("?")
        try:
            request = build_request_view(event.method, path or "/", query, [], event.client_ip, b"", limits)
        except ApiwardError:
            continue
        yield Observation(request, event.subject or event.client_ip or None, event.upstream_status,
                          timestamp=event.timestamp)
