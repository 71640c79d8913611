"""Both back ends against the same behaviour: round trip, filters, pagination, counts, purge,
migrations, redaction at rest."""

from __future__ import annotations

import pytest
from sample_events import make_event, run

from apiward.core import Action, Category, Finding
from apiward.errors import StoreError
from apiward.store import CountField, EventStore, open_store
from apiward.store.postgres import PostgresStore
from apiward.store.sqlite import SQLiteStore


async def _with_store(url: str, body):  # type: ignore[no-untyped-def]
    store = open_store(url)
    assert isinstance(store, EventStore)
    try:
        return await body(store)
    finally:
        await store.close()


def test_round_trip_keeps_every_field(store_url: str) -> None:
    event = make_event(1)
    extra = Finding(stage="ratelimit", category=Category.RATE_LIMIT, location="client", score=1.0, action=Action.THROTTLE, status=429, retry_after=3.0)
    event = type(event)(**{**{s: getattr(event, s) for s in event.__slots__}, "findings": (*event.findings, extra)})

    async def body(store: EventStore) -> None:
        await store.write_batch([event])
        await store.write_batch([event])  # a retried batch does not duplicate
        got = await store.query()
        assert got == [event]

    run(_with_store(store_url, body))


def test_secrets_are_redacted_at_rest(store_url: str) -> None:
    event = make_event(2, path="/login?user=bob&password=hunter2", evidence="Authorization: Bearer abcdefgh12345678")

    async def body(store: EventStore) -> None:
        await store.write_batch([event])
        [got] = await store.query()
        assert "hunter2" not in got.path and "password=[redacted]" in got.path
        assert "abcdefgh12345678" not in got.findings[0].evidence

    run(_with_store(store_url, body))


def test_filters_and_keyset_pagination(store_url: str) -> None:
    events = [
        make_event(i, ts=1_700_000_000.0 + i, action="block" if i % 3 else "log", client_ip=f"192.0.2.{i % 4}",
                   category=Category.XSS if i % 2 else Category.SQLI, route=f"/r{i % 5}")
        for i in range(57)
    ]

    async def body(store: EventStore) -> None:
        await store.write_batch(events)
        seen: list[str] = []
        before: str | None = None
        while True:
            page = await store.query(limit=10, before_id=before)
            if not page:
                break
            seen += [e.id for e in page]
            before = page[-1].id
        assert seen == sorted((e.id for e in events), reverse=True)  # newest first, each once
        since = 1_700_000_000.0 + 40
        assert {e.id for e in await store.query(since=since, limit=100)} == {e.id for e in events if e.timestamp >= since}
        assert {e.id for e in await store.query(until=since, limit=100)} == {e.id for e in events if e.timestamp < since}
        assert {e.id for e in await store.query(action="log", limit=100)} == {e.id for e in events if e.action == "log"}
        assert {e.id for e in await store.query(client_ip="192.0.2.3", limit=100)} == {e.id for e in events if e.client_ip == "192.0.2.3"}
        assert {e.id for e in await store.query(category="xss", route="/r1", limit=100)} == {
            e.id for e in events if e.findings[0].category is Category.XSS and e.route == "/r1"
        }
        assert len(await store.query(limit=10_000)) == 57  # page size is clamped, not refused
        tail: list[str] = []
        checkpoint = ""
        while page := await store.query(limit=7, after_id=checkpoint):
            tail += [e.id for e in page]
            checkpoint = page[-1].id
        assert tail == sorted(e.id for e in events)  # oldest first from a checkpoint, no gaps

    run(_with_store(store_url, body))


def test_count_by(store_url: str) -> None:
    events = [make_event(i, ts=1000.0 + i, action="block" if i < 6 else "allow", category=Category.SQLI if i < 4 else (Category.XSS if i < 6 else None)) for i in range(10)]

    async def body(store: EventStore) -> None:
        await store.write_batch(events)
        assert await store.count_by("action") == [("block", 6), ("allow", 4)]
        assert await store.count_by(CountField.CATEGORY) == [("sqli", 4), (None, 4), ("xss", 2)]
        assert await store.count_by("action", since=1006.0) == [("allow", 4)]
        assert await store.count_by("status", limit=1) == [("403", 6)]
        with pytest.raises(ValueError):
            await store.count_by("id; DROP TABLE events")

    run(_with_store(store_url, body))


def test_purge(store_url: str) -> None:
    events = [make_event(i, ts=1000.0 + i) for i in range(10)]

    async def body(store: EventStore) -> None:
        await store.write_batch(events)
        assert await store.purge(1004.0) == 4
        assert len(await store.query(limit=100)) == 6
        assert await store.purge(0.0) == 0

    run(_with_store(store_url, body))


def test_reopen_keeps_data_and_schema_version(store_url: str) -> None:
    async def body() -> None:
        first = open_store(store_url)
        await first.write_batch([make_event(1)])
        await first.close()
        second = open_store(store_url)
        assert [e.id for e in await second.query()] == [make_event(1).id]
        await second.close()
        with pytest.raises(StoreError):
            await second.query()

    run(body())


def test_newer_schema_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (99)")
    conn.commit()
    conn.close()

    async def body() -> None:
        store = open_store(f"sqlite:///{path}")
        with pytest.raises(StoreError, match="schema version 99"):
            await store.open()
        await store.close()

    run(body())


@pytest.mark.parametrize(
    ("url", "kind", "where"),
    [
        ("sqlite:///events.db", SQLiteStore, "events.db"),
        ("sqlite:////var/lib/apiward/events.db", SQLiteStore, "/var/lib/apiward/events.db"),
        ("postgresql://u@db:5432/app?schema=sec&sslmode=require", PostgresStore, "sec"),
        ("postgres://u@db/app", PostgresStore, "public"),
    ],
)
def test_open_store_urls(url: str, kind: type, where: str) -> None:
    store = open_store(url)
    assert isinstance(store, kind)
    if isinstance(store, SQLiteStore):
        assert store.path == where
    else:
        assert isinstance(store, PostgresStore)
        assert store.schema == where and "schema=" not in store.conninfo
        if "sslmode" in url:
            assert "sslmode=require" in store.conninfo


@pytest.mark.parametrize("url", ["mysql://x", "sqlite://", "events.db"])
def test_open_store_rejects_unknown(url: str) -> None:
    with pytest.raises(StoreError):
        open_store(url)


def test_unwritable_sqlite_location_is_a_store_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")

    async def body() -> None:
        store = open_store(f"sqlite:///{blocker / 'sub' / 'events.db'}")
        with pytest.raises(StoreError):
            await store.open()
        await store.close()

    run(body())


def test_nul_and_lone_surrogates_do_not_poison_a_batch(store_url: str) -> None:
    """Attack payloads carry NUL bytes and broken UTF-16; PostgreSQL refuses NUL in text and
    jsonb, SQLite cannot bind a lone surrogate. One such event must not cost its whole batch."""
    bad = make_event(5, path="/a%00b\x00c\ud800", evidence="x\x00y\udc80")
    bad = type(bad)(**{**{s: getattr(bad, s) for s in bad.__slots__}, "user_agent": "ua\x00", "tags": {"k\x00": "v\ud800"}})

    async def body(store: EventStore) -> None:
        await store.write_batch([bad, make_event(6)])
        got = {e.id: e for e in await store.query()}
        assert len(got) == 2
        stored = got[bad.id]
        assert "\x00" not in stored.path and "\x00" not in stored.findings[0].evidence
        assert stored.path.startswith("/a%00b") and "c" in stored.path
        assert stored.user_agent.startswith("ua")

    run(_with_store(store_url, body))


def test_oversized_values_are_bounded(store_url: str) -> None:
    from apiward.store.records import EVIDENCE_MAX, PATH_MAX

    event = make_event(8, path="/" + "p" * 20_000, evidence="e" * 10_000)

    async def body(store: EventStore) -> None:
        await store.write_batch([event])
        [got] = await store.query()
        assert len(got.path) == PATH_MAX and got.path.endswith("…")
        assert len(got.findings[0].evidence) == EVIDENCE_MAX

    run(_with_store(store_url, body))
