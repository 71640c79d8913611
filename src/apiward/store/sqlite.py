"""SQLite event store: the embedded default.

All database work runs on one dedicated thread (a single-worker executor that owns the
connection), so the event loop never blocks on disk and the connection is only ever touched by
the thread that created it. Several gateway worker processes may write the same file: WAL lets
readers and one writer proceed together, ``busy_timeout`` makes a writer wait for the lock
instead of failing, and migrations run inside ``BEGIN IMMEDIATE`` so two processes starting at
once cannot both apply them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from apiward.core import Event
from apiward.errors import StoreError
from apiward.store.eventstore import page_size
from apiward.store.records import COLUMNS, CountField, event_query, event_row, row_event

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000

# version -> statements. Append new versions; never edit an applied one.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            """CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                ts REAL NOT NULL,
                action TEXT NOT NULL,
                enforced INTEGER NOT NULL,
                status INTEGER NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                client_ip TEXT NOT NULL,
                route TEXT,
                subject TEXT,
                user_agent TEXT NOT NULL DEFAULT '',
                upstream_status INTEGER,
                duration_ms REAL NOT NULL DEFAULT 0,
                category TEXT,
                score REAL NOT NULL DEFAULT 0,
                rule TEXT,
                location TEXT,
                sampled INTEGER NOT NULL DEFAULT 0,
                findings TEXT NOT NULL DEFAULT '[]',
                tags TEXT NOT NULL DEFAULT '{}'
            )""",
            "CREATE INDEX IF NOT EXISTS events_ts ON events (ts)",
            "CREATE INDEX IF NOT EXISTS events_action_ts ON events (action, ts)",
            "CREATE INDEX IF NOT EXISTS events_client_ip_ts ON events (client_ip, ts)",
            "CREATE INDEX IF NOT EXISTS events_category_ts ON events (category, ts)",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

PURGE_CHUNK = 5000
_PURGE = "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < ? LIMIT ?)"
_INSERT = f"INSERT OR IGNORE INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


class SQLiteStore:
    """`EventStore` on one SQLite file. See the module docstring for the concurrency model."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apiward-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise StoreError("event store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            if self._conn is None:
                self._conn = self._connect()
            return fn(self._conn)
        except (sqlite3.Error, OSError) as exc:  # OSError: the directory cannot be created
            raise StoreError(f"sqlite {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _enter_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            _migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    async def open(self) -> None:
        await self._run(lambda conn: None)

    async def write_batch(self, events: Sequence[Event]) -> None:
        if not events:
            return

        def write(conn: sqlite3.Connection) -> None:
            rows = [event_row(e) for e in events]  # redaction runs here, on the store's thread
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

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
        statement, params = event_query("?", page_size(limit), {
            "since": since, "until": until, "action": action, "before_id": before_id,
            "after_id": after_id, "client_ip": client_ip, "category": category, "route": route,
        })
        rows = await self._run(lambda conn: conn.execute(statement, params).fetchall())
        return [row_event(r) for r in rows]

    async def count_by(
        self, field: CountField | str, since: float | None = None, limit: int = 20
    ) -> list[tuple[str | None, int]]:
        column = CountField(field).value  # ValueError for anything not in the closed set
        where, params = ("WHERE ts >= ?", [since]) if since is not None else ("", [])
        sql = f"SELECT {column}, COUNT(*) AS n FROM events {where} GROUP BY {column} ORDER BY n DESC, {column} NULLS LAST LIMIT ?"
        rows = await self._run(lambda conn: conn.execute(sql, [*params, page_size(limit)]).fetchall())
        return [(None if value is None else str(value), int(n)) for value, n in rows]

    async def purge(self, older_than: float) -> int:
        """Delete in chunks of `PURGE_CHUNK` rows, each its own short transaction, so a large
        purge never holds the write lock long enough to stall the other workers' writers."""

        def purge(conn: sqlite3.Connection) -> int:
            total = 0
            while True:
                deleted = conn.execute(_PURGE, (older_than, PURGE_CHUNK)).rowcount
                total += deleted
                if deleted < PURGE_CHUNK:
                    return total

        return await self._run(purge)

    async def close(self) -> None:
        if self._closed:
            return

        def close(_conn: sqlite3.Connection) -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, lambda: close(self._conn))  # type: ignore[arg-type]
        finally:
            self._closed = True
            self._executor.shutdown(wait=False)


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting out another process that holds its lock.

    Changing the journal mode can fail with "database is locked" at once, without calling the
    busy handler (SQLite does so where waiting could deadlock, e.g. while another process first
    opens or switches the same file), so ``busy_timeout`` alone does not cover it.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY ("database is locked") or SQLITE_LOCKED, extended codes included."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this file lacks, atomically; refuse a file from a newer version."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        if current > SCHEMA_VERSION:
            raise StoreError(f"event database has schema version {current}; this apiward knows up to {SCHEMA_VERSION}")
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
