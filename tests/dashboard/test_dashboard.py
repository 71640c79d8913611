"""Dashboard over real HTTP: sign-in, session cookie, pages, and escaping of attacker input."""

from __future__ import annotations

from pathlib import Path

import httpx
from dashboard_support import TOKEN, XSS, run_server
from starlette.applications import Starlette
from starlette.routing import Mount

from apiward.core import Event
from apiward.dashboard.app import create_dashboard
from apiward.dashboard.session import COOKIE_NAME, SessionSigner
from apiward.store import open_store


def _login(client: httpx.Client, url: str, token: str = TOKEN, **headers: str) -> httpx.Response:
    return client.post(f"{url}/login", data={"token": token}, headers=headers)


def test_pages_require_sign_in(dashboard_url: str, events: list[Event]) -> None:
    with httpx.Client() as client:
        for path in ("/", f"/events/{events[0].id}"):
            r = client.get(dashboard_url + path)
            assert r.status_code == 303
            assert r.headers["location"] == "/dashboard/login"
        page = client.get(f"{dashboard_url}/login")
        assert page.status_code == 200 and 'name="token"' in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"


def test_wrong_token_is_refused(dashboard_url: str) -> None:
    with httpx.Client() as client:
        r = _login(client, dashboard_url, token="not-the-token")
        assert r.status_code == 401 and "Wrong token" in r.text
        assert COOKIE_NAME not in r.cookies
        assert client.get(f"{dashboard_url}/").status_code == 303


def test_cross_site_sign_in_is_refused(dashboard_url: str) -> None:
    with httpx.Client() as client:
        r = _login(client, dashboard_url, origin="https://evil.example")
        assert r.status_code == 403 and COOKIE_NAME not in r.cookies


def test_sign_in_sets_a_strict_httponly_cookie(dashboard_url: str, events: list[Event]) -> None:
    with httpx.Client() as client:
        r = _login(client, dashboard_url, origin=dashboard_url.rsplit("/dashboard", 1)[0])
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/dashboard" in cookie
        page = client.get(f"{dashboard_url}/")
        assert page.status_code == 200
        assert events[0].id in page.text  # the blocked event is linked by id
        assert events[1].id not in page.text  # allowed events are not in the blocked list
        assert events[2].id in page.text and "192.0.2.9" in page.text  # throttled ones are
        assert page.text.index(events[2].id) < page.text.index(events[0].id)  # newest first
        assert "203.0.113.7" in page.text and "query.q" in page.text
        detail = client.get(f"{dashboard_url}/events/{events[0].id}")
        assert detail.status_code == 200 and "html.script" in detail.text
        assert client.get(f"{dashboard_url}/events/{'0' * 32}").status_code == 404
        assert client.get(f"{dashboard_url}/events/<script>").status_code == 404
        out = client.post(f"{dashboard_url}/logout")
        assert out.status_code == 303
        assert client.get(f"{dashboard_url}/").status_code == 303


def test_attacker_input_is_escaped(dashboard_url: str, events: list[Event]) -> None:
    headers = {"authorization": f"Bearer {TOKEN}"}
    with httpx.Client(headers=headers) as client:
        for path in ("/", f"/events/{events[0].id}"):
            html = client.get(dashboard_url + path).text
            assert "<script>window" not in html and "<img src=x" not in html
            assert "&lt;script&gt;window.__pwned=1;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert XSS not in client.get(f"{dashboard_url}/events/{events[0].id}").text


def test_counts_by_action_and_category(dashboard_url: str) -> None:
    with httpx.Client(headers={"authorization": f"Bearer {TOKEN}"}) as client:
        html = client.get(f"{dashboard_url}/").text
    assert "Last hour" in html and "Last 24 hours" in html
    assert 'class="action-block">block</td><td class="num">1</td>' in html
    assert 'class="action-allow">allow</td><td class="num">1</td>' in html
    assert ">xss</td>" in html


def test_forged_or_expired_session_is_refused(dashboard_url: str) -> None:
    forged = SessionSigner("another-token").issue()
    expired = SessionSigner(TOKEN, ttl=-10).issue()
    for value in (forged, expired, "garbage", "1.2.3"):
        with httpx.Client(cookies={COOKIE_NAME: value}) as client:
            assert client.get(f"{dashboard_url}/").status_code == 303


def test_without_a_token_the_dashboard_is_closed(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/e.db")
    app = Starlette(routes=[Mount("/dashboard", app=create_dashboard(store, None))])
    server, thread, port = run_server(app)
    try:
        with httpx.Client() as client:
            base = f"http://127.0.0.1:{port}/dashboard"
            assert client.get(f"{base}/").status_code == 503
            assert client.post(f"{base}/login", data={"token": ""}).status_code == 503
            assert client.get(f"{base}/", headers={"authorization": "Bearer x"}).status_code == 503
    finally:
        server.should_exit = True
        thread.join(timeout=10)
