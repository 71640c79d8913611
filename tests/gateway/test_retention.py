"""events.retention_days reaches the event writer: old events are purged after start-up."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from gateway_harness import settings_for

from apiward.core import Event, new_event_id
from apiward.gateway.runtime import Runtime
from apiward.store import open_store

DAY = 86400.0


def test_old_events_are_purged(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "http://127.0.0.1:1", events={"retention_days": 30},
                            detection={"enabled": False})
    now = time.time()

    def event(age: float) -> Event:
        return Event(id=new_event_id(), timestamp=now - age, action="block", enforced=True, status=403,
                     method="GET", path="/x", client_ip="10.0.0.1")

    async def scenario() -> list[float]:
        store = open_store(settings.events.store)
        await store.open()
        await store.write_batch([event(40 * DAY), event(31 * DAY), event(29 * DAY), event(60)])
        await store.close()
        runtime = Runtime(settings, stages=[])
        await runtime.start()
        try:
            writer = runtime.writer
            assert writer is not None and writer.retention == 30 * DAY
            deadline = time.monotonic() + 10
            while writer.purged < 2:  # waiting for the writer's first purge
                assert time.monotonic() < deadline and writer.purge_errors == 0
                await asyncio.sleep(0.02)
            assert runtime.store is not None
            left = await runtime.store.query(since=None, action=None, limit=10, before_id=None)
        finally:
            await runtime.stop()
        return sorted(round((now - e.timestamp) / DAY) for e in left)

    assert asyncio.run(scenario()) == [0, 29]
