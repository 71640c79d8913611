"""PostgreSQL event store (psycopg 3, async): for several gateways sharing one database.

One connection per store, used under an asyncio lock (the writer is the only heavy user; the
dashboard's reads are small), re-established after any connection error. Statements carry a
server-side ``statement_timeout`` and connecting a ``connect_timeout``, so a hung database
delays the background writer, never the request path. Migrations are serialised across
gateways with a transaction-scoped advisory lock. The tables live in the schema named by
``?schema=`` in the store URL (created if missing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from apiward.core import Event
from apiward.errors import StoreError
from apiward.store.eventstore import page_size
from apiward.store.records import COLUMNS, CountField, event_query, event_row, row_event

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000
_MIGRATION_LOCK = 0x61706977  # "apiw": one advisory lock id for every apiward gateway

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                ts DOUBLE PRECISION NOT NULL,
                action TEXT NOT NULL,
                enforced BOOLEAN NOT NULL,
                status INTEGER NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                client_ip TEXT NOT NULL,
                route TEXT,
                subject TEXT,
                user_agent TEXT NOT NULL DEFAULT '',
                upstream_status INTEGER,
                duration_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
                category TEXT,
                score DOUBLE PRECISION NOT NULL DEFAULT 0,
                rule TEXT,
                location TEXT,
                sampled BOOLEAN NOT NULL DEFAULT FALSE,
                findings JSONB NOT NULL DEFAULT '[]',
                tags JSONB NOT NULL DEFAULT '{}'
            )""",
            "CREATE INDEX IF NOT EXISTS events_ts ON events (ts)",
            "CREATE INDEX IF NOT EXISTS events_action_ts ON events (action, ts)",
            "CREATE INDEX IF NOT EXISTS events_client_ip_ts ON events (client_ip, ts)",
            "CREATE INDEX IF NOT EXISTS events_category_ts ON events (category, ts)",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

_JSON_COLUMNS = frozenset({"findings", "tags"})
_INSERT = (
    f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ("
    + ", ".join("%s::jsonb" if c in _JSON_COLUMNS else "%s" for c in COLUMNS)
    + ") ON CONFLICT (id) DO NOTHING"
)
PURGE_CHUNK = 5000
_PURGE = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < %s LIMIT %s)"


class PostgresStore:
    """`EventStore` on PostgreSQL. ``conninfo`` is a libpq URL; ``schema`` holds the tables."""

    def __init__(self, conninfo: str, schema: str = "public") -> None:
        self.conninfo = conninfo
        self.schema = schema
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        conn = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
        )
        try:
            await conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            await _migrate(conn, self.schema)
            await conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        except BaseException:
            await conn.close()
            raise
        return conn

    async def _run(self, fn: Callable[[psycopg.AsyncConnection[Any]], Awaitable[T]]) -> T:
        if self._closed:
            raise StoreError("event store is closed")
        async with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = await self._connect()
                return await fn(self._conn)
            except psycopg.Error as exc:
                if self._conn is not None and (self._conn.broken or isinstance(exc, psycopg.OperationalError)):
                    await self._conn.close()
                    self._conn = None
                raise StoreError(f"postgresql: {exc}") from exc

    async def open(self) -> None:
        async def noop(conn: psycopg.AsyncConnection[Any]) -> None:
            return None

        await self._run(noop)

    async def write_batch(self, events: Sequence[Event]) -> None:
        if not events:
            return
        rows = [event_row(e) for e in events]

        async def write(conn: psycopg.AsyncConnection[Any]) -> None:
            async with conn.transaction():
                async with conn.cursor() as cur:
                    await cur.executemany(_INSERT, rows)

        await self._run(write)

    async def query(
        self,
        since: float | None = None,
        action: str | None = None,
        limit: int = 100,
        before_id: str | None = None,
        *,
        until: float | None = None,
        client_ip: str | None = None,
        category: str | None = None,
        route: str | None = None,
        after_id: str | None = None,
    ) -> list[Event]:
        statement, params = event_query("%s", page_size(limit), {
            "since": since, "until": until, "action": action, "before_id": before_id,
            "after_id": after_id, "client_ip": client_ip, "category": category, "route": route,
        })

        async def select(conn: psycopg.AsyncConnection[Any]) -> list[Any]:
            cur = await conn.execute(statement, params)
            return await cur.fetchall()

        return [row_event(r) for r in await self._run(select)]

    async def count_by(
        self, field: CountField | str, since: float | None = None, limit: int = 20
    ) -> list[tuple[str | None, int]]:
        column = sql.Identifier(CountField(field).value)
        where = sql.SQL("WHERE ts >= %s") if since is not None else sql.SQL("")
        statement = sql.SQL("SELECT {c}, COUNT(*) AS n FROM events {w} GROUP BY {c} ORDER BY n DESC, {c} NULLS LAST LIMIT %s").format(
            c=column, w=where
        )
        params = [since, page_size(limit)] if since is not None else [page_size(limit)]

        async def select(conn: psycopg.AsyncConnection[Any]) -> list[Any]:
            cur = await conn.execute(statement, params)
            return await cur.fetchall()

        return [(None if v is None else str(v), int(n)) for v, n in await self._run(select)]

    async def purge(self, older_than: float) -> int:
        """Delete in chunks of `PURGE_CHUNK` rows (short transactions, bounded lock time)."""

        async def delete(conn: psycopg.AsyncConnection[Any]) -> int:
            total = 0
            while True:
                cur = await conn.execute(_PURGE, (older_than, PURGE_CHUNK))
                total += cur.rowcount
                if cur.rowcount < PURGE_CHUNK:
                    return total

        return await self._run(delete)

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None


async def _migrate(conn: psycopg.AsyncConnection[Any], schema: str) -> None:
    """Create the schema and apply missing migrations under an advisory lock; refuse a database
    written by a newer apiward."""
    name = sql.Identifier(schema)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
        await conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(name))
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        cur = await conn.execute("SELECT MAX(version) FROM schema_version")
        row = await cur.fetchone()
        current = (row[0] if row else None) or 0
        if current > SCHEMA_VERSION:
            raise StoreError(f"event database has schema version {current}; this apiward knows up to {SCHEMA_VERSION}")
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
