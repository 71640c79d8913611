"""Everything one gateway process holds between requests, built once at start-up.

`Runtime` owns the inspection pipeline, the proxy-trust policy, the metrics, the upstream client,
the event store and its writer. The proxy app, the ASGI middleware and the decision endpoint each
get one; `start` and `stop` run in the ASGI lifespan (or lazily on the first request when the
server sends no lifespan events). `stop` flushes the event queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from apiward.gateway.forwarding import ProxyTrust
from apiward.gateway.metrics import Metrics
from apiward.gateway.recorder import EventRecorder
from apiward.gateway.stack import build_pipeline, decision_policy
from apiward.gateway.upstream import Upstream, tls_context
from apiward.identity.mtls import MtlsIdentifier
from apiward.pipeline import Pipeline, ResponseObserver, Stage
from apiward.settings import Settings
from apiward.store import EventStore, open_store
from apiward.store.writer import EventWriter
from apiward.types import Receive, Send

log = logging.getLogger(__name__)

UPSTREAM_FRESH_SECONDS = 30.0  # /readyz: an upstream answer this recent counts as reachable


class Runtime:
    """The long-lived parts of one gateway process."""

    def __init__(
        self,
        settings: Settings,
        *,
        stages: Sequence[Stage] | None = None,
        observers: Sequence[ResponseObserver] = (),
        with_upstream: bool = True,
        with_events: bool = True,
    ) -> None:
        self.settings = settings
        self.metrics = Metrics()
        if stages is None:
            self.pipeline: Pipeline = build_pipeline(settings, on_error=self.metrics.stage_error)
        else:
            self.pipeline = Pipeline(
                stages,
                observers,
                policy=decision_policy(settings),
                mode=settings.gateway.mode,
                fail_mode=settings.gateway.fail_mode,
                on_error=self.metrics.stage_error,
            )
        gw = settings.gateway
        self.trust = ProxyTrust(gw.trusted_proxies)
        # Client-certificate identity, when TLS terminates in front of the app (identity/mtls.py).
        self.mtls: MtlsIdentifier | None = None
        if settings.identity.enabled and settings.identity.mtls.enabled:
            self.mtls = MtlsIdentifier(settings.identity.mtls)
        self.upstream: Upstream | None = None
        if with_upstream and gw.upstream:
            self.upstream = Upstream(
                gw.upstream,
                pool_size=gw.pool_size,
                connect_timeout=gw.connect_timeout,
                read_timeout=gw.read_timeout,
                keepalive_timeout=gw.upstream_keepalive,
                tls=tls_context(gw),
            )
            if gw.upstream.startswith("https://") and not gw.upstream_verify:
                log.warning("upstream TLS certificate verification is OFF (gateway.upstream_verify: false)")
        self._with_events = with_events and bool(settings.events.store)
        self.store: EventStore | None = None
        self.writer: EventWriter | None = None
        self.recorder = EventRecorder(None, self.metrics, settings.events.sample_allowed)
        self.started = False
        self.ready_marker: Path | None = None  # touched after start-up (see gateway.server)
        self._lock = asyncio.Lock()
        self._probe_ok: float | None = None
        self._stats_task: asyncio.Task[None] | None = None

    def sync_stats(self) -> None:
        """Copy the stages' ``stats()`` counters into the metrics (off the request path)."""
        self.metrics.sync_stages((*self.pipeline.stages, *self.pipeline.observers))

    async def _stats_loop(self) -> None:
        interval = self.settings.gateway.stats_interval
        while True:
            await asyncio.sleep(interval)  # a periodic job, not waiting on a condition
            try:
                self.sync_stats()
            except Exception:  # noqa: BLE001 - metrics must never take the gateway down
                log.exception("copying stage statistics into the metrics failed")

    async def start(self) -> None:
        async with self._lock:
            if self.started:
                return
            if self._with_events:
                store = open_store(self.settings.events.store)
                await store.open()  # fail at start-up, not on the first event
                self.store = store
                ev = self.settings.events
                self.writer = EventWriter(
                    store, queue_size=ev.queue_size, batch_size=ev.batch_size, flush_interval=ev.flush_interval,
                    retention=ev.retention_days * 86400.0,  # purged soon after start, then hourly
                )
                await self.writer.start()
                self.recorder.writer = self.writer
            if self.upstream is not None:
                await self.upstream.open()
            self._stats_task = asyncio.get_running_loop().create_task(self._stats_loop())
            self.started = True
            if self.ready_marker is not None:
                self.ready_marker.touch()

    async def ensure_started(self) -> None:
        if not self.started:
            await self.start()

    async def stop(self) -> None:
        async with self._lock:
            if not self.started:
                return
            self.started = False
            if self.ready_marker is not None:
                self.ready_marker.unlink(missing_ok=True)
            if self._stats_task is not None:
                task, self._stats_task = self._stats_task, None
                with contextlib.suppress(RuntimeError):  # its loop may be another thread's, or closed
                    task.get_loop().call_soon_threadsafe(task.cancel)
                try:
                    self.sync_stats()
                except Exception:  # noqa: BLE001 - shutdown goes on
                    log.exception("copying stage statistics into the metrics failed")
            if self.writer is not None:
                self.recorder.writer = None
                try:
                    await self.writer.stop()
                except Exception:  # noqa: BLE001 - shutdown goes on; the loss is logged
                    log.exception("event writer failed to flush at shutdown")
                self.writer = None
            if self.store is not None:
                await self.store.close()
                self.store = None
            if self.upstream is not None:
                await self.upstream.close()

    async def upstream_reachable(self) -> bool:
        """An upstream answer in the last 30 s, else a TCP connect probe (1 s)."""
        now = time.monotonic()
        recent = [t for t in (self._probe_ok, self.upstream.last_ok if self.upstream else None) if t]
        if recent and now - max(recent) < UPSTREAM_FRESH_SECONDS:
            return True
        if self.settings.gateway.upstream is None:
            return False
        if await probe_tcp(self.settings.gateway.upstream):
            self._probe_ok = now
            return True
        return False

    async def store_ok(self) -> bool:
        if self.store is None:
            return not self._with_events
        try:
            await self.store.query(since=None, action=None, limit=1, before_id=None)
        except Exception:  # noqa: BLE001 - readiness reports it
            log.warning("event store check failed", exc_info=True)
            return False
        return True

    async def readiness(self) -> dict[str, bool]:
        return {
            "pipeline": self.started,
            "store": await self.store_ok(),
            "upstream": await self.upstream_reachable(),
        }


async def probe_tcp(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(parts.hostname, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def run_lifespan(runtime: Runtime, receive: Receive, send: Send) -> None:
    """The ASGI lifespan protocol: start the runtime at startup, flush and stop it at shutdown."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await runtime.start()
            except Exception as exc:  # noqa: BLE001 - reported to the server, which exits
                log.exception("gateway start-up failed")
                await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await runtime.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
