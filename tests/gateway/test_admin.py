"""Events, metrics and the admin listener; monitor mode, fail-open, a full event queue."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
import pytest
from gateway_harness import MarkerStage, Running, running, settings_for

from apiward.gateway.app import create_admin_app, create_app
from apiward.store import open_store

TOKEN = "s3cret-admin-token"


def stored_events(tmp_path: Path) -> list:
    async def read() -> list:
        store = open_store(f"sqlite:///{tmp_path}/events.db")
        await store.open()
        try:
            return await store.query(since=None, action=None, limit=100, before_id=None)
        finally:
            await store.close()

    return asyncio.run(read())


def test_admin_endpoints_and_events(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, admin={"token": TOKEN}, events={"sample_allowed": 0.0})
    app = create_app(settings, stages=[MarkerStage()])
    admin = create_admin_app(settings, app.runtime)
    with running(app) as gw, running(admin) as adm, httpx.Client(timeout=10) as c:
        blocked = c.get(f"{gw.url}/search?q=BLOCKME&password=hunter2")
        assert blocked.status_code == 403
        event_id = blocked.json()["event_id"]
        assert c.get(f"{gw.url}/THROTTLE").status_code == 429
        assert c.get(f"{gw.url}/fine").status_code == 200

        assert c.get(f"{adm.url}/healthz").json() == {"status": "ok"}
        assert c.get(f"{adm.url}/dashboard/").status_code != 404  # mounted (the module exists)
        ready = c.get(f"{adm.url}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"pipeline": True, "store": True, "upstream": True}

        assert c.get(f"{adm.url}/api/events").status_code == 401
        wrong = c.get(f"{adm.url}/api/events", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["content-type"] == "application/problem+json"
        assert c.get(f"{adm.url}/api/events", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401

        metrics = c.get(f"{adm.url}/metrics").text
        for name in ("apiward_requests_total", "apiward_request_duration_seconds_bucket",
                     "apiward_upstream_errors_total", "apiward_events_dropped_total",
                     "apiward_stage_errors_total", "apiward_findings_total"):
            assert name in metrics
        assert 'apiward_requests_total{action="block",enforced="true"} 1.0' in metrics
        assert 'apiward_requests_total{action="throttle",enforced="true"} 1.0' in metrics
        assert 'apiward_findings_total{category="sqli"} 1.0' in metrics

    # Servers stopped: the writer flushed at shutdown.
    events = stored_events(tmp_path)
    by_id = {e.id: e for e in events}
    assert event_id in by_id and {e.action for e in events} == {"block", "throttle"}
    ev = by_id[event_id]
    assert ev.status == 403 and ev.enforced and ev.client_ip == "127.0.0.1"
    assert "hunter2" not in ev.path and all("hunter2" not in f.evidence for f in ev.findings)
    assert ev.findings[0].location == "query.q"


def test_api_events_with_token(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, admin={"token": TOKEN}, events={"flush_interval": 0.01})
    app = create_app(settings, stages=[MarkerStage()])
    admin = create_admin_app(settings, app.runtime)
    with running(app) as gw, running(admin) as adm, httpx.Client(timeout=10) as c:
        event_id = c.get(f"{gw.url}/x?q=BLOCKME").json()["event_id"]
        auth = {"authorization": f"Bearer {TOKEN}"}
        for _ in range(500):  # the writer flushes every 10 ms; poll the API until the event is there
            r = c.get(f"{adm.url}/api/events", headers=auth, params={"action": "block", "limit": 10})
            assert r.status_code == 200
            if any(e["id"] == event_id for e in r.json()["events"]):
                break
        else:
            pytest.fail("event never appeared in /api/events")
        assert c.get(f"{adm.url}/api/events", headers=auth, params={"limit": "x"}).status_code == 400


def test_no_token_configured_refuses_api(upstream: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIWARD_ADMIN_TOKEN", raising=False)
    settings = settings_for(tmp_path, upstream.url)
    app = create_app(settings, stages=[])
    with running(create_admin_app(settings, app.runtime)) as adm:
        r = httpx.get(f"{adm.url}/api/events", headers={"authorization": "Bearer anything"})
        assert r.status_code == 401 and "no admin token" in r.json()["detail"]


def test_readyz_503_when_upstream_down(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "http://127.0.0.1:9")
    app = create_app(settings, stages=[])
    with running(app), running(create_admin_app(settings, app.runtime)) as adm:
        r = httpx.get(f"{adm.url}/readyz")
        assert r.status_code == 503 and r.json()["checks"]["upstream"] is False


def test_monitor_mode_passes_and_records(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, gateway={"mode": "monitor"})
    app = create_app(settings, stages=[MarkerStage()])
    with running(app) as gw, httpx.Client(base_url=gw.url) as c:
        assert c.get("/x?q=BLOCKME").status_code == 200
        assert c.get("/THROTTLE").status_code == 200
    events = stored_events(tmp_path)
    assert {(e.action, e.enforced) for e in events} == {("block", False), ("throttle", False)}
    assert all(e.status == 200 and e.upstream_status == 200 for e in events)


def test_fail_open_passes_and_counts(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, gateway={"fail_mode": "open"})
    app = create_app(settings, stages=[MarkerStage()])
    with running(app) as gw:
        assert httpx.get(f"{gw.url}/BOOM").status_code == 200
    assert app.runtime.metrics.stage_errors.labels("marker")._value.get() == 1
    events = stored_events(tmp_path)
    assert [(e.action, e.findings[0].category.value) for e in events] == [("log", "internal")]


def test_full_event_queue_drops_and_counts(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url,
                            events={"queue_size": 1, "batch_size": 1000, "flush_interval": 60})
    app = create_app(settings, stages=[MarkerStage()])
    with running(app) as gw, httpx.Client(base_url=gw.url) as c:
        statuses = [c.get(f"/x?q=BLOCKME{i}").status_code for i in range(10)]
        assert statuses == [403] * 10  # every request answered although events are dropped
        writer = app.runtime.writer
        assert writer is not None and writer.dropped >= 1  # a queue of one cannot hold ten
        assert app.runtime.metrics.events_dropped._value.get() == writer.dropped


def test_sampled_allowed_requests(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, events={"sample_allowed": 1.0})
    app = create_app(settings, stages=[])
    with running(app) as gw, httpx.Client(base_url=gw.url) as c:
        for _ in range(3):
            assert c.get("/ok").status_code == 200
    events = stored_events(tmp_path)
    assert len(events) == 3 and all(e.sampled and e.action == "allow" for e in events)


def test_problem_reason_exposed_when_configured(upstream: Running, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, upstream.url, gateway={"expose_reason": True})
    with running(create_app(settings, stages=[MarkerStage()])) as gw:
        doc = orjson.loads(httpx.get(f"{gw.url}/x?q=BLOCKME").content)
        assert "sqli in query.q" in doc["detail"]


class LeakObserver:
    """A real response observer: remembers what it saw, reports a leak marker in the body prefix."""

    name = "leak"

    def __init__(self) -> None:
        self.seen: list = []

    async def observe(self, request, ctx, response):  # type: ignore[no-untyped-def]
        from apiward.core import Category, Finding

        self.seen.append(response)
        if b"status 418" in response.body_prefix:
            return [Finding(self.name, Category.DATA_LEAK, "response.body", 0.9, evidence="teapot")]
        return []


def test_response_observers_see_bounded_prefix(upstream: Running, tmp_path: Path) -> None:
    observer = LeakObserver()
    settings = settings_for(tmp_path, upstream.url, gateway={"response_prefix_bytes": 1024})
    app = create_app(settings, stages=[MarkerStage()], observers=[observer])
    with running(app) as gw, httpx.Client(base_url=gw.url) as c:
        assert len(c.get("/big?n=300000").content) == 300000
        assert c.get("/status/418").status_code == 418  # observers cannot change a sent answer
        c.get("/status/200")
    big, teapot, ok = observer.seen
    assert big.status == 200 and len(big.body_prefix) == 1024
    assert ("content-type", "application/octet-stream") in big.headers
    assert teapot.status == 418 and ("x-multi", "one") in teapot.headers
    assert ok.body_prefix == b"status 200"
    events = stored_events(tmp_path)
    leaks = [e for e in events if any(f.category.value == "data_leak" for f in e.findings)]
    assert len(leaks) == 1 and leaks[0].upstream_status == 418
