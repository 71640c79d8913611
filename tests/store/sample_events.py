"""Events for store tests (a uniquely named module: test directories have no __init__)."""

from __future__ import annotations

import asyncio

from apiward.core import Category, Event, Finding


def make_event(
    n: int = 0,
    *,
    ts: float = 1_700_000_000.0,
    action: str = "block",
    client_ip: str = "192.0.2.1",
    category: Category | None = Category.SQLI,
    route: str | None = "/users/{id}",
    path: str = "/users/1",
    evidence: str = "' or 1=1--",
) -> Event:
    findings = (
        (Finding(stage="detect", category=category, location="query.id", score=0.9, evidence=evidence, rule="sqli.tautology"),)
        if category is not None
        else ()
    )
    return Event(
        id=f"{int(ts * 1000):012x}{n:020x}",
        timestamp=ts,
        action=action,
        enforced=True,
        status=403 if action == "block" else 200,
        method="GET",
        path=path,
        client_ip=client_ip,
        route=route,
        subject="alice",
        user_agent="curl/8",
        upstream_status=None,
        duration_ms=1.25,
        findings=findings,
        tags={"env": "test"},
    )


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)
