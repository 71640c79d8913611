"""The admin listener: ``/healthz``, ``/readyz``, ``/metrics``, ``/api/events``, ``/api/endpoints``,
``/api/drift`` and ``/dashboard``.

``/api/endpoints[?since=DATE]``: the endpoints of the loaded profile (``api.profile``), or only
those first seen since DATE (ISO date/date-time, UTC unless zoned, or unix seconds).
``/api/drift[?source=profile|traffic][&since=DATE]``: shadow (undocumented) and unused endpoints
of the imported spec (``api.spec``) against the profile (default when one is loaded) or against
recent traffic in the event store (default window 7 days); see `apiward.gateway.awareness`.

Never on the proxy port. ``/api/*`` needs ``Authorization: Bearer <token>`` (compared in constant
time) with the token from `Settings.admin_token()`; without a configured token every ``/api``
call is refused (``apiward serve`` generates one at start and writes it to a 0600 file).
``/readyz`` answers 200 only when the pipeline is built (workers started), the event store
answers, and the upstream answered (or accepted a TCP connection) in the last 30 s.
``/dashboard`` is mounted when `apiward.dashboard.app.create_dashboard` exists.
"""

from __future__ import annotations

import contextlib
import hmac
import importlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Protocol

import orjson
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from apiward.core import Event
from apiward.errors import ApiwardError, StoreError
from apiward.gateway.metrics import Metrics, collect_text
from apiward.gateway.problem import PROBLEM_TYPE, problem_body
from apiward.settings import Settings
from apiward.store import EventStore
from apiward.types import ASGIApp

log = logging.getLogger(__name__)

MAX_EVENTS_PAGE = 1000


class AdminState(Protocol):
    """What the admin app needs from the process it reports on (a `Runtime`, or the supervisor's view)."""

    metrics: Metrics | None
    store: EventStore | None

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, bool]: ...

    def sync_stats(self) -> None: ...


def _json(data: object, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return Response(problem_body(status, detail, None), status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def bearer_ok(token: str | None, header: str | None) -> bool:
    """Constant-time check of an ``Authorization: Bearer`` header against the admin token."""
    if not token or not header:
        return False
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None


def create_admin_app(settings: Settings, runtime: AdminState) -> ASGIApp:
    token = settings.admin_token()

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await runtime.readiness()
        ready = all(checks.values())
        return _json({"ready": ready, "checks": checks}, 200 if ready else 503)

    async def metrics(request: Request) -> Response:
        runtime.sync_stats()  # in-process stage counters; worker processes sync on their own
        return Response(collect_text(runtime.metrics), media_type=CONTENT_TYPE_LATEST)

    # The learn package is imported here, not by the proxy workers that import this module.
    from apiward.gateway.awareness import (
        DEFAULT_TRAFFIC_WINDOW,
        ApiAwareness,
        NotConfigured,
        parse_moment,
    )

    awareness = ApiAwareness(settings)

    def refused(request: Request) -> Response | None:
        if bearer_ok(token, request.headers.get("authorization")):
            return None
        detail = "a valid admin bearer token is required" if token else "no admin token is configured"
        return _problem(401, detail, {"WWW-Authenticate": 'Bearer realm="apiward-admin"'})

    async def endpoints(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        try:
            raw = request.query_params.get("since")
            since = parse_moment(raw) if raw else None
        except ValueError:
            return _problem(400, "since must be an ISO date, date-time or unix seconds")
        try:
            return _json(awareness.endpoints(since))
        except NotConfigured as exc:
            return _problem(404, str(exc))
        except ApiwardError as exc:
            log.warning("profile could not be read: %s", exc)
            return _problem(500, f"the profile could not be read: {exc}")

    async def drift_view(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        q = request.query_params
        source = q.get("source") or ("profile" if settings.api.profile is not None else "traffic")
        if source not in ("profile", "traffic"):
            return _problem(400, "source must be profile or traffic")
        try:
            since = parse_moment(q["since"]) if q.get("since") else time.time() - DEFAULT_TRAFFIC_WINDOW
        except ValueError:
            return _problem(400, "since must be an ISO date, date-time or unix seconds")
        try:
            if source == "profile":
                return _json(awareness.drift_from_profile())
            store = runtime.store
            if store is None:
                return _problem(503, "the event store is not enabled")
            return _json(await awareness.drift_from_traffic(store, since))
        except NotConfigured as exc:
            return _problem(404, str(exc))
        except ApiwardError as exc:
            log.warning("drift could not be computed: %s", exc)
            return _problem(500, f"drift could not be computed: {exc}")

    async def events(request: Request) -> Response:
        if (denied := refused(request)) is not None:
            return denied
        store = runtime.store
        if store is None:
            return _problem(503, "the event store is not enabled")
        q = request.query_params
        try:
            since = _float(q.get("since"), "since")
            limit = int(q.get("limit") or 100)
        except ValueError as exc:
            return _problem(400, str(exc))
        limit = max(1, min(limit, MAX_EVENTS_PAGE))
        found = await store.query(since=since, action=q.get("action") or None, limit=limit,
                                  before_id=q.get("before") or None)
        items = [e.to_dict() for e in found]
        return _json({"events": items, "next": items[-1]["id"] if len(items) == limit else None})

    routes: list[Route | Mount] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/api/events", events),
        Route("/api/endpoints", endpoints),
        Route("/api/drift", drift_view),
    ]
    dashboard = _dashboard(settings, runtime)
    if dashboard is not None:
        routes.append(Mount("/dashboard", app=dashboard))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return Starlette(routes=routes, lifespan=lifespan)


def _dashboard(settings: Settings, runtime: AdminState) -> ASGIApp | None:
    """The dashboard app, when that module is installed (it is optional)."""
    try:
        module = importlib.import_module("apiward.dashboard.app")
    except ModuleNotFoundError as exc:
        if exc.name in ("apiward.dashboard.app", "apiward.dashboard"):
            return None
        raise
    factory = getattr(module, "create_dashboard", None)
    if factory is None:
        return None
    app: ASGIApp = factory(_LiveStore(runtime), settings.admin_token())
    return app


class _LiveStore:
    """The runtime's store as it is now (it is opened at start-up, after the app is built)."""

    def __init__(self, runtime: AdminState) -> None:
        self._runtime = runtime

    def _store(self) -> EventStore:
        store = self._runtime.store
        if store is None:
            raise StoreError("the event store is not open")
        return store

    async def query(self, since: float | None, action: str | None, limit: int, before_id: str | None) -> list[Event]:
        return await self._store().query(since=since, action=action, limit=limit, before_id=before_id)

    async def count_by(self, field: str, since: float | None = None, limit: int = 20) -> list[tuple[str | None, int]]:
        return await self._store().count_by(field, since=since, limit=limit)
