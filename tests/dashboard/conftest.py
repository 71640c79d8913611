"""Dashboard fixtures: a real SQLite event store with attacker-shaped events, served over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_support import TOKEN, XSS, run_server
from starlette.applications import Starlette
from starlette.routing import Mount

from apiward.core import Action, Category, Event, Finding, new_event_id
from apiward.dashboard.app import create_dashboard
from apiward.store import open_store


def _id(ts: float) -> str:
    # like new_event_id() but for the event's own time, so ids sort as the timestamps do
    return f"{int(ts * 1000):012x}" + new_event_id()[12:]


@pytest.fixture
def events() -> list[Event]:
    now = time.time()
    attack = Event(
        id=_id(now - 5),
        timestamp=now - 5,
        action=Action.BLOCK.value,
        enforced=True,
        status=403,
        method="GET",
        path=f"/api/search?q={XSS}",
        client_ip="203.0.113.7",
        user_agent=f"evil {XSS}",
        findings=(
            Finding(stage="detect", category=Category.XSS, location="query.q", score=0.97,
                    evidence=XSS, rule="html.script"),
        ),
    )
    allowed = Event(
        id=_id(now - 1), timestamp=now - 1, action=Action.ALLOW.value, enforced=True, status=200,
        method="GET", path="/api/products", client_ip="198.51.100.4", sampled=True,
    )
    throttled = Event(
        id=_id(now - 3), timestamp=now - 3, action=Action.THROTTLE.value, enforced=True, status=429,
        method="POST", path="/api/login", client_ip="192.0.2.9",
        findings=(Finding(stage="ratelimit", category=Category.RATE_LIMIT, location="", score=1.0,
                          rule="login-per-ip", action=Action.THROTTLE, retry_after=30.0),),
    )
    return [attack, allowed, throttled]


@pytest.fixture
def dashboard_url(tmp_path: Path, events: list[Event]) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    writer = open_store(url)

    async def fill() -> None:
        await writer.write_batch(events)
        await writer.close()

    asyncio.run(fill())
    store = open_store(url)
    app = Starlette(routes=[Mount("/dashboard", app=create_dashboard(store, TOKEN))])
    server, thread, port = run_server(app)
    try:
        yield f"http://127.0.0.1:{port}/dashboard"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        asyncio.run(store.close())
