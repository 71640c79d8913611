"""Admin API for API awareness: /api/endpoints (the loaded profile, new since a date) and
/api/drift (imported spec vs the profile, or vs recent traffic in the event store)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import orjson
import pytest
import yaml
from gateway_harness import Running, running, settings_for

from apiward.core import Event, new_event_id
from apiward.gateway.app import create_admin_app, create_app
from apiward.learn.profile import learn_profile
from apiward.settings import Settings
from apiward.store import open_store

TOKEN = "admin-test-token"
DAY = 86400.0
T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def corpus(path: Path) -> Path:
    lines = []
    for i in range(40):  # old endpoints
        lines.append({"method": "GET", "url": f"http://api/users/{i + 1}", "headers": {}, "timestamp": T0 + i,
                      "client_ip": f"10.0.0.{i % 7}"})
        lines.append({"method": "GET", "url": f"http://api/orders?page={i}", "headers": {}, "timestamp": T0 + i})
    for i in range(40):  # an endpoint that appeared 10 days later and is not in the spec
        lines.append({"method": "POST", "url": "http://api/internal/export", "headers": {"content-type": "application/json"},
                      "data": orjson.dumps({"n": i}).decode(), "timestamp": T0 + 10 * DAY + i})
    path.write_text("\n".join(orjson.dumps(x).decode() for x in lines) + "\n")
    return path


SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/users/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                               "schema": {"type": "integer"}}],
                                "responses": {"200": {"description": "ok"}}}},
        "/orders": {"get": {"parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}}],
                            "responses": {"200": {"description": "ok"}}}},
        "/health": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("aware")
    profile = d / "profile"
    learn_profile([str(corpus(d / "traffic.jsonl"))], profile, min_samples=5)
    spec = d / "openapi.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    return {"profile": profile, "spec": spec}


def admin_settings(tmp_path: Path, upstream: str, **api: str) -> Settings:
    return settings_for(tmp_path, upstream, admin={"token": TOKEN}, detection={"enabled": False},
                        api={"default_action": "log", **api})


def get(url: str, **params: str) -> httpx.Response:
    return httpx.get(url, params=params, headers={"authorization": f"Bearer {TOKEN}"}, timeout=10)


def test_endpoints_and_new_since(upstream: Running, tmp_path: Path, files: dict[str, Path]) -> None:
    settings = admin_settings(tmp_path, upstream.url, profile=str(files["profile"]))
    app = create_app(settings, stages=[])
    with running(create_admin_app(settings, app.runtime)) as admin:
        assert httpx.get(f"{admin.url}/api/endpoints").status_code == 401
        r = get(f"{admin.url}/api/endpoints")
        assert r.status_code == 200, r.text
        doc = r.json()
        keys = {e["endpoint"] for e in doc["endpoints"]}
        assert {"GET /users/{id}", "GET /orders", "POST /internal/export"} <= keys
        users = next(e for e in doc["endpoints"] if e["endpoint"] == "GET /users/{id}")
        assert users["samples"] == 40 and users["first_seen"] == T0 and users["state"] == "enforcing"
        new = get(f"{admin.url}/api/endpoints", since="2023-11-20").json()
        assert [e["endpoint"] for e in new["endpoints"]] == ["POST /internal/export"]
        assert get(f"{admin.url}/api/endpoints", since=str(T0 + 11 * DAY)).json()["endpoints"] == []
        assert get(f"{admin.url}/api/endpoints", since="yesterday").status_code == 400


def test_drift_spec_vs_profile(upstream: Running, tmp_path: Path, files: dict[str, Path]) -> None:
    settings = admin_settings(tmp_path, upstream.url, profile=str(files["profile"]), spec=str(files["spec"]))
    app = create_app(settings, stages=[])
    with running(create_admin_app(settings, app.runtime)) as admin:
        assert httpx.get(f"{admin.url}/api/drift").status_code == 401
        doc = get(f"{admin.url}/api/drift").json()
    assert doc["source"] == "profile"
    assert doc["shadow"] == ["POST /internal/export"]
    assert doc["unused"] == ["GET /health"]
    assert set(doc["documented"]) == {"GET /users/{id}", "GET /orders"}


def test_drift_spec_vs_recent_traffic(upstream: Running, tmp_path: Path, files: dict[str, Path]) -> None:
    settings = admin_settings(tmp_path, upstream.url, spec=str(files["spec"]))
    now = time.time()

    def event(method: str, path: str, upstream_status: int | None, age: float = 60.0) -> Event:
        return Event(id=new_event_id(), timestamp=now - age, action="allow", enforced=True, status=200,
                     method=method, path=path, client_ip="10.1.1.1", upstream_status=upstream_status, sampled=True)

    events = [event("GET", f"/users/{i}", 200) for i in range(1, 6)]
    events += [event("DELETE", f"/users/{i}", 204) for i in range(1, 6)]  # undocumented method
    events += [event("GET", "/admin/backup.zip", 404)]  # nothing there: not an endpoint
    events += [event("GET", "/legacy/report?x=1", 200, age=20 * DAY)]  # older than the default 7-day window
    events += [event("GET", "/blocked", None)]  # never reached the upstream

    async def seed() -> None:
        store = open_store(settings.events.store)
        await store.open()
        try:
            await store.write_batch(events)
        finally:
            await store.close()

    asyncio.run(seed())
    app = create_app(settings, stages=[])
    with running(create_admin_app(settings, app.runtime)) as admin:
        doc = get(f"{admin.url}/api/drift").json()
        assert doc["source"] == "traffic" and doc["events"] == 10
        assert doc["shadow"] == ["DELETE /users/{id}"]
        assert doc["documented"] == ["GET /users/{id}"]
        assert set(doc["unused"]) == {"GET /orders", "GET /health"}
        older = get(f"{admin.url}/api/drift", source="traffic", since=str(now - 25 * DAY)).json()
        assert "GET /legacy/report" in older["shadow"]


def test_awareness_not_configured(upstream: Running, tmp_path: Path) -> None:
    settings = admin_settings(tmp_path, upstream.url)
    app = create_app(settings, stages=[])
    with running(create_admin_app(settings, app.runtime)) as admin:
        r = get(f"{admin.url}/api/endpoints")
        assert r.status_code == 404 and "api.profile" in r.json()["detail"]
        r = get(f"{admin.url}/api/drift")
        assert r.status_code == 404 and "api.spec" in r.json()["detail"]
        assert get(f"{admin.url}/api/drift", source="nope").status_code == 400
