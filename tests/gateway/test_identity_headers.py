"""Identity and rate-limit headers through the proxy, the middleware and the decision endpoint,
with the real identity / rate-limit stages (built by `build_pipeline`) and a real upstream that
echoes the headers it received."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import pytest
from gateway_harness import Running, running, settings_for, upstream_app

from apiward.gateway.app import create_app, create_decision_app
from apiward.gateway.middleware import ApiwardMiddleware
from apiward.identity.forwarding import SIGNATURE_HEADER, sign

SECRET = "test-hs-secret-" + "q" * 32
FORWARD = "forward-signing-key"


def token(sub: str = "alice", **claims: Any) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600, **claims}, SECRET, algorithm="HS256")


def identity_settings(tmp_path: Path, upstream: str | None = None, limit: int = 100, **extra: dict[str, Any]):
    return settings_for(
        tmp_path, upstream,
        detection={"enabled": False},
        identity={"enabled": True, "require_auth": True, "forward_secret": FORWARD,
                  "jwt": {"algorithms": ["HS256"], "hs_secret": SECRET}},
        ratelimit={"enabled": True, "rules": [{"name": "per-ip", "limit": limit, "period": 60, "burst": limit}]},
        **extra,
    )


@pytest.fixture
def gateway(upstream: Running, tmp_path: Path) -> Iterator[Running]:
    with running(create_app(identity_settings(tmp_path, upstream.url, limit=4))) as server:
        yield server


def echoed(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(n, v) for n, v in orjson.loads(response.content)["headers"]]


def test_proxy_strips_forged_and_adds_signed_identity(gateway: Running) -> None:
    with httpx.Client(base_url=gateway.url, timeout=5) as c:
        r = c.get("/items", headers={"authorization": f"Bearer {token(roles=['customer'])}",
                                     "X-Apiward-Subject": "admin", "x-apiward-roles": "admin",
                                     "X-APIWARD-Identity-Signature": "t=1,v1=00"})
    headers = echoed(r)
    ours = [(n, v) for n, v in headers if n.startswith("x-apiward-")]
    names = [n for n, _ in ours]
    assert ("x-apiward-subject", "alice") in ours and ("x-apiward-roles", "customer") in ours
    assert names.count("x-apiward-subject") == 1 and names.count("x-apiward-roles") == 1
    assert ("x-apiward-auth-method", "jwt") in ours
    # The signature verifies over the other x-apiward-* headers, in the order received.
    sig = dict(ours)[SIGNATURE_HEADER]
    stamp, mac = sig.split(",")
    signed = [(n, v) for n, v in ours if n != SIGNATURE_HEADER]
    assert mac == "v1=" + sign(signed, stamp[2:], FORWARD.encode())
    assert abs(int(stamp[2:]) - time.time()) < 60
    # Rate-limit state on the proxied answer; no Retry-After on a 200.
    assert "RateLimit-Policy" in r.headers and "RateLimit" in r.headers
    assert '"per-ip"' in r.headers["ratelimit-policy"] or "per-ip" in r.headers["ratelimit-policy"]
    assert "retry-after" not in r.headers and "www-authenticate" not in r.headers


def test_proxy_401_has_www_authenticate_and_429_has_retry_after(gateway: Running) -> None:
    with httpx.Client(base_url=gateway.url, timeout=5) as c:
        r = c.get("/items", headers={"x-apiward-subject": "admin"})
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"] == "application/problem+json"
        bad = c.get("/items", headers={"authorization": "Bearer not.a.token"})
        assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
        auth = {"authorization": f"Bearer {token()}"}
        statuses = [c.get("/items", headers=auth).status_code for _ in range(6)]
        assert 429 in statuses
        r = c.get("/items", headers=auth)
    assert r.status_code == 429
    assert len(r.headers.get_list("retry-after")) == 1 and int(r.headers["retry-after"]) >= 1
    assert "ratelimit" in r.headers and "ratelimit-policy" in r.headers
    assert "www-authenticate" not in r.headers


def test_middleware_identity_headers(tmp_path: Path) -> None:
    app = ApiwardMiddleware(upstream_app, settings=identity_settings(tmp_path))
    with running(app) as server, httpx.Client(base_url=server.url, timeout=5) as c:
        r = c.get("/items", headers={"authorization": f"Bearer {token('bob')}", "x-apiward-tenant": "evil"})
        headers = echoed(r)
        assert ("x-apiward-subject", "bob") in headers
        assert not any(n == "x-apiward-tenant" for n, _ in headers)
        assert any(n == SIGNATURE_HEADER for n, _ in headers)
        assert "ratelimit" in r.headers
        denied = c.get("/items")
        assert denied.status_code == 401 and "www-authenticate" in denied.headers


def test_decision_allow_carries_identity(tmp_path: Path) -> None:
    app = create_decision_app(identity_settings(tmp_path))
    with running(app) as server, httpx.Client(base_url=server.url, timeout=5) as c:
        r = c.get("/", headers={"x-original-uri": "/items", "x-original-method": "GET",
                                "authorization": f"Bearer {token('carol')}"})
        assert r.status_code == 200 and r.content == b""
        assert r.headers["x-apiward-subject"] == "carol" and SIGNATURE_HEADER in r.headers
        assert "ratelimit-policy" in r.headers
        denied = c.get("/", headers={"x-original-uri": "/items"})
        assert denied.status_code == 401 and "www-authenticate" in denied.headers
        assert "x-apiward-subject" not in denied.headers


def test_stage_counters_become_metrics(upstream: Running, tmp_path: Path) -> None:
    from apiward.gateway.app import create_admin_app

    app = create_app(identity_settings(tmp_path, upstream.url, limit=2))
    with running(app) as server, running(create_admin_app(app.runtime.settings, app.runtime)) as admin, \
            httpx.Client(timeout=5) as c:
        for _ in range(3):
            assert c.get(f"{server.url}/items").status_code == 401
        c.get(f"{server.url}/items", headers={"authorization": "Bearer x.y.z"})
        auth = {"authorization": f"Bearer {token()}"}
        statuses = [c.get(f"{server.url}/items", headers=auth).status_code for _ in range(4)]
        assert statuses.count(429) == 2
        text = c.get(f"{admin.url}/metrics").text
    assert 'apiward_auth_failures_total{reason="missing"} 3.0' in text
    assert 'apiward_auth_failures_total{reason="malformed"} 1.0' in text
    assert "apiward_ratelimit_throttled_total 2.0" in text
    assert "apiward_ratelimit_backend_failures_total 0.0" in text
    assert "apiward_ratelimit_backend_up 1.0" in text


def test_sync_counts_increases_once() -> None:
    from apiward.gateway.metrics import Metrics

    class Stage:
        name = "ratelimit"

        def __init__(self) -> None:
            self.n = 0

        def stats(self) -> dict[str, float]:
            return {"redis_errors": float(self.n), "memory_keys": 7.0, "unknown_thing": 3.0}

    metrics, stage = Metrics(), Stage()
    stage.n = 5
    metrics.sync_stages([stage])
    metrics.sync_stages([stage])
    stage.n = 8
    metrics.sync_stages([stage])
    value = metrics.registry.get_sample_value("apiward_ratelimit_backend_failures_total")
    assert value == 8.0
    assert metrics.registry.get_sample_value("apiward_ratelimit_memory_keys") == 7.0
