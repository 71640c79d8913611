"""The batched, bounded, never-blocking path from the gateway to the event store.

The request path calls `EventWriter.submit`, which only puts the event on a bounded asyncio
queue: it never awaits, never blocks, and when the queue is full it drops the event and counts
it (a slow or dead store must cost events, not latency or memory). A background task drains the
queue in batches (every ``flush_interval`` seconds, or as soon as ``batch_size`` events wait).
A failed write is logged and counted, retried once, then the batch is dropped and counted:
security events are important, but a gateway that falls over because its log database did is
worse. ``stop`` flushes what remains (bounded by a timeout). With ``retention`` set, the same
task also purges events older than that every ``purge_interval`` seconds (failures counted in
``purge_errors``; several workers purging the same store is harmless).

Counters (read them for metrics): ``submitted``, ``written``, ``dropped`` (queue full),
``write_errors`` (failed store calls), ``lost`` (events discarded after the retry failed).
``submit`` must be called from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
import time

from apiward.core import Event
from apiward.store.eventstore import EventStore

log = logging.getLogger(__name__)


class EventWriter:
    """Batches events from a bounded queue into ``store.write_batch`` on a background task."""

    def __init__(
        self,
        store: EventStore,
        queue_size: int = 10_000,
        batch_size: int = 200,
        flush_interval: float = 0.5,
        retry_delay: float = 0.2,
        *,
        retention: float | None = None,
        purge_interval: float = 3600.0,
    ) -> None:
        if queue_size < 1 or batch_size < 1 or flush_interval <= 0:
            raise ValueError("queue_size and batch_size must be >= 1, flush_interval > 0")
        self.store = store
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.retry_delay = retry_delay
        self.retention = retention
        self.purge_interval = purge_interval
        self._next_purge = 0.0  # monotonic; 0: purge soon after start
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=queue_size)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.submitted = 0
        self.written = 0
        self.dropped = 0
        self.write_errors = 0
        self.lost = 0
        self.purged = 0
        self.purge_errors = 0

    @property
    def pending(self) -> int:
        """Events waiting in the queue."""
        return self._queue.qsize()

    def submit(self, event: Event) -> bool:
        """Queue ``event`` for writing. Never blocks: False (and ``dropped`` + 1) when full or
        stopped."""
        if self._stopping:
            self.dropped += 1
            return False
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            return False
        self.submitted += 1
        if self._queue.qsize() >= self.batch_size:
            self._wake.set()
        return True

    async def start(self) -> None:
        """Start the background flush task (idempotent)."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="apiward-event-writer")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting events, flush the queue, and end the background task. Events still
        queued when ``timeout`` expires (a hung store) are counted as ``lost``."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        try:
            if task is not None:
                await asyncio.wait_for(task, timeout)
            else:
                await asyncio.wait_for(self._drain(), timeout)
        except asyncio.TimeoutError:
            log.error("event writer: stop timed out after %.1fs", timeout)
        finally:
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            remaining = self._queue.qsize()
            if remaining:
                self.lost += remaining
                while not self._queue.empty():
                    self._queue.get_nowait()

    async def flush(self) -> None:
        """Write everything queued now (used by tests and by an orderly shutdown)."""
        await self._drain()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), self.flush_interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            await self._drain()
            if self.retention is not None and time.monotonic() >= self._next_purge:
                await self.purge()
        await self._drain()

    async def purge(self) -> None:
        """Delete events older than ``retention`` seconds now (called by the background task)."""
        if self.retention is None:
            return
        self._next_purge = time.monotonic() + self.purge_interval
        try:
            self.purged += await self.store.purge(time.time() - self.retention)
        except Exception as exc:  # noqa: BLE001 - retention must not stop event writing
            self.purge_errors += 1
            log.warning("event writer: retention purge failed: %s", exc)

    async def _drain(self) -> None:
        while not self._queue.empty():
            batch: list[Event] = []
            while len(batch) < self.batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[Event]) -> None:
        try:
            await self._write_twice(batch)
        except asyncio.CancelledError:
            self.lost += len(batch)  # stop() gave up on a hung store mid-write
            raise

    async def _write_twice(self, batch: list[Event]) -> None:
        for attempt in (1, 2):
            try:
                await self.store.write_batch(batch)
            except Exception as exc:  # noqa: BLE001 - the writer must outlive any store failure
                self.write_errors += 1
                log.warning("event writer: writing %d events failed (attempt %d): %s", len(batch), attempt, exc)
                if attempt == 1 and not self._stopping:
                    await asyncio.sleep(self.retry_delay)
                continue
            self.written += len(batch)
            return
        self.lost += len(batch)
        log.error("event writer: dropped %d events after a failed retry", len(batch))
