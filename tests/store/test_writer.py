"""EventWriter: never blocks, drops and counts when full, survives a dead store, flushes on stop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from pathlib import Path

from sample_events import make_event, run

from apiward.core import Event
from apiward.errors import StoreError
from apiward.store import EventWriter, open_store
from apiward.store.sqlite import SQLiteStore


class RecordingStore(SQLiteStore):
    """A real SQLite store that remembers batch sizes and can be told to fail some writes."""

    def __init__(self, path: Path, failures: int = 0) -> None:
        super().__init__(path)
        self.batches: list[int] = []
        self.failures = failures

    async def write_batch(self, events: Sequence[Event]) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreError("injected failure")
        self.batches.append(len(events))
        await super().write_batch(events)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_full_queue_drops_and_counts(tmp_path: Path) -> None:
    async def body() -> None:
        store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
        writer = EventWriter(store, queue_size=3, batch_size=10, flush_interval=60)
        results = [writer.submit(make_event(i)) for i in range(5)]  # not started: nothing drains
        assert results == [True, True, True, False, False]
        assert (writer.dropped, writer.submitted, writer.pending) == (2, 3, 3)
        await writer.stop()  # flushes what was accepted
        assert writer.written == 3 and writer.lost == 0
        assert len(await store.query()) == 3
        assert writer.submit(make_event(9)) is False and writer.dropped == 3  # stopped
        await store.close()

    run(body())


def test_flushes_in_batches_and_on_stop(tmp_path: Path) -> None:
    async def body() -> None:
        store = RecordingStore(tmp_path / "e.db")
        writer = EventWriter(store, queue_size=1000, batch_size=25, flush_interval=60)
        await writer.start()
        for i in range(60):
            assert writer.submit(make_event(i))
        # batch_size reached: the writer wakes without waiting for the interval
        for _ in range(200):
            if writer.written >= 50:
                break
            await asyncio.sleep(0.01)
        assert writer.written >= 50
        await writer.stop()
        assert writer.written == 60 and sum(store.batches) == 60 and max(store.batches) <= 25
        assert len(await store.query(limit=1000)) == 60
        await store.close()

    run(body())


def test_interval_flush(tmp_path: Path) -> None:
    async def body() -> None:
        store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
        writer = EventWriter(store, batch_size=1000, flush_interval=0.05)
        await writer.start()
        writer.submit(make_event(1))
        for _ in range(500):
            if writer.written:
                break
            await asyncio.sleep(0.01)
        assert writer.written == 1
        await writer.stop()
        await store.close()

    run(body())


def test_failure_is_retried_once(tmp_path: Path) -> None:
    async def body() -> None:
        store = RecordingStore(tmp_path / "e.db", failures=1)
        writer = EventWriter(store, batch_size=10, flush_interval=60, retry_delay=0.0)
        for i in range(5):
            writer.submit(make_event(i))
        await writer.flush()
        assert (writer.write_errors, writer.written, writer.lost) == (1, 5, 0)
        store.failures = 2
        writer.submit(make_event(7))
        await writer.flush()
        assert (writer.write_errors, writer.written, writer.lost) == (3, 5, 1)
        await writer.stop()
        await store.close()

    run(body())


def test_dead_postgres_is_counted_not_raised(database_url: str) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/nothing"

    async def body() -> None:
        store = open_store(url)
        writer = EventWriter(store, batch_size=10, flush_interval=0.01, retry_delay=0.0)
        await writer.start()
        for i in range(25):
            assert writer.submit(make_event(i))
        for _ in range(500):
            if writer.lost == 25:
                break
            await asyncio.sleep(0.01)
        assert writer.lost == 25 and writer.written == 0 and writer.write_errors >= 3
        assert writer.submit(make_event(99))  # still accepting
        await writer.stop(timeout=30)
        assert writer.lost == 26
        await store.close()

    run(body())


def test_stop_is_bounded_when_the_store_hangs(tmp_path: Path) -> None:
    class HangingStore(SQLiteStore):
        async def write_batch(self, events: Sequence[Event]) -> None:
            await asyncio.Event().wait()

    async def body() -> None:
        store = HangingStore(tmp_path / "e.db")
        writer = EventWriter(store, flush_interval=0.01)
        await writer.start()
        writer.submit(make_event(1))
        writer.submit(make_event(2))
        for _ in range(500):
            if writer.pending == 0:
                break
            await asyncio.sleep(0.01)
        writer.submit(make_event(3))
        await writer.stop(timeout=0.2)
        assert writer.written == 0 and writer.lost == 3
        await store.close()

    run(body())


def test_retention_purges_old_events(tmp_path: Path) -> None:
    import time

    async def body() -> None:
        store = open_store(f"sqlite:///{tmp_path / 'e.db'}")
        now = time.time()
        await store.write_batch([make_event(1, ts=now - 40 * 86400), make_event(2, ts=now - 86400), make_event(3, ts=now)])
        writer = EventWriter(store, flush_interval=0.01, retention=30 * 86400)
        await writer.start()
        for _ in range(500):
            if writer.purged:
                break
            await asyncio.sleep(0.01)
        assert writer.purged == 1 and writer.purge_errors == 0
        assert {e.id for e in await store.query()} == {make_event(2, ts=now - 86400).id, make_event(3, ts=now).id}
        await writer.stop()
        await store.close()

    run(body())


def test_retention_failure_is_counted(tmp_path: Path) -> None:
    async def body() -> None:
        store = open_store(f"postgresql://postgres@127.0.0.1:{closed_port()}/x")
        writer = EventWriter(store, flush_interval=60, retention=1.0)
        await writer.purge()
        assert writer.purge_errors == 1
        await store.close()

    run(body())
