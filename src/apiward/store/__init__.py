"""Security events: the store interface and back ends (SQLite, PostgreSQL), the batched writer,
and redaction. Depends only on `apiward.core` (and settings-free: callers pass URLs and sizes).

    store = open_store(settings.events.store)
    writer = EventWriter(store, settings.events.queue_size, settings.events.batch_size,
                         settings.events.flush_interval)
    await writer.start()      # lifespan start-up
    writer.submit(event)      # request path: never blocks
    await writer.stop()       # lifespan shutdown: flushes
    await store.close()
"""

from apiward.store.eventstore import EventStore, open_store
from apiward.store.records import CountField
from apiward.store.redact import redact
from apiward.store.writer import EventWriter

__all__ = ["CountField", "EventStore", "EventWriter", "open_store", "redact"]
