"""The event store interface, and `open_store` which picks the back end from a URL.

Two back ends: SQLite (the embedded default, one file, several worker processes may share it)
and PostgreSQL (several gateways share one database). Both keep the same table (see
`apiward.store.records`), versioned by a ``schema_version`` table and migrated on open.
Callers never block on the store: the gateway writes through `apiward.store.writer.EventWriter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from apiward.core import Event
from apiward.errors import StoreError
from apiward.store.records import CountField


@runtime_checkable
class EventStore(Protocol):
    """Where security events are kept. Every method may raise `StoreError`; none raises
    anything else on purpose. Connecting and migrating happen in `open` (called by the first
    operation when the caller did not), so a store that is down at start-up does not stop the
    gateway; it is counted by the writer until it comes back."""

    async def open(self) -> None: ...

    async def write_batch(self, events: Sequence[Event]) -> None:
        """Insert events; ids already stored are ignored (so a retried batch never duplicates)."""
        ...

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
        """Newest first; keyset pagination: pass the last id of a page as ``before_id``.

        With ``after_id`` the order is oldest first, from just after that id: the way an
        exporter or a hunting job tails the store from its checkpoint without gaps (ids are
        time-ordered, see `apiward.core.new_event_id`)."""
        ...

    async def count_by(
        self, field: CountField | str, since: float | None = None, limit: int = 20
    ) -> list[tuple[str | None, int]]:
        """``[(value, count), ...]`` for the most frequent values of ``field`` since ``since``."""
        ...

    async def purge(self, older_than: float) -> int:
        """Delete events with a timestamp before ``older_than`` (unix seconds); return how many."""
        ...

    async def close(self) -> None: ...


MAX_PAGE = 1000


def page_size(limit: int) -> int:
    """Clamp a requested page size to 1..`MAX_PAGE` (an API caller cannot ask for everything)."""
    return max(1, min(int(limit), MAX_PAGE))


def open_store(url: str) -> EventStore:
    """``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``sqlite:///:memory:`` or
    ``postgresql://user@host:5432/db[?schema=name]`` (``postgres://`` too). ``schema`` selects
    the PostgreSQL schema (created if missing; default ``public``); other query parameters go to
    libpq. Nothing is connected until `EventStore.open` or the first operation."""
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        from apiward.store.sqlite import SQLiteStore

        path = rest[1:] if rest.startswith("/") else rest
        if not path:
            raise StoreError(f"no database file in {url!r}")
        return SQLiteStore(path)
    if scheme in ("postgresql", "postgres"):
        from apiward.store.postgres import PostgresStore

        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in params if k == "schema"), "public")
        conninfo = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in params if k != "schema"])))
        return PostgresStore(conninfo, schema=schema)
    raise StoreError(f"unsupported event store URL {url!r} (use sqlite:/// or postgresql://)")
