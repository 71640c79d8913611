"""Turning decided requests into security events, off the hot path.

Every interrupting or logged verdict becomes an `Event`; allowed requests are sampled at
``events.sample_allowed``. Paths and evidence pass through `apiward.store.redact.redact` first.
`EventWriter.submit` never waits: when the queue is full the event is dropped and counted in
``apiward_events_dropped_total`` — the request is answered regardless.
"""

from __future__ import annotations

import dataclasses
import random
import time

from apiward.core import Action, Context, Event, Finding, RequestView, Verdict
from apiward.gateway.metrics import Metrics
from apiward.store.redact import redact
from apiward.store.writer import EventWriter

_UA_MAX = 256


class EventRecorder:
    """Builds and submits events. ``writer`` None: events are disabled (only metrics count)."""

    def __init__(self, writer: EventWriter | None, metrics: Metrics, sample_allowed: float, seed: int | None = None) -> None:
        self.writer = writer
        self.metrics = metrics
        self.sample_allowed = sample_allowed
        self._random = random.Random(seed).random

    def sampled(self) -> bool:
        return self.sample_allowed > 0.0 and self._random() < self.sample_allowed

    def record(
        self,
        *,
        event_id: str,
        verdict: Verdict,
        status: int,
        method: str,
        target: str,
        client_ip: str,
        user_agent: str,
        ctx: Context | None,
        duration: float,
        upstream_status: int | None = None,
        findings: tuple[Finding, ...] | None = None,
        sampled: bool = False,
    ) -> bool:
        """Submit one event; False when there is no writer or the queue was full (counted)."""
        if self.writer is None:
            return False
        found = verdict.findings if findings is None else findings
        event = Event(
            id=event_id,
            timestamp=time.time(),
            action=verdict.action.value,
            enforced=verdict.enforced,
            status=status,
            method=method,
            path=redact(target),
            client_ip=client_ip,
            route=ctx.route if ctx is not None else None,
            subject=ctx.identity.subject if ctx is not None and ctx.identity is not None else None,
            user_agent=user_agent[:_UA_MAX],
            upstream_status=upstream_status,
            duration_ms=duration * 1000.0,
            findings=tuple(
                dataclasses.replace(f, evidence=redact(f.evidence)) if f.evidence else f for f in found
            ),
            sampled=sampled,
            tags=dict(ctx.tags) if ctx is not None else {},
        )
        if self.writer.submit(event):
            return True
        self.metrics.events_dropped.inc()
        return False

    def record_view(
        self,
        view: RequestView,
        ctx: Context,
        verdict: Verdict,
        status: int,
        duration: float,
        upstream_status: int | None = None,
        sampled: bool = False,
    ) -> bool:
        return self.record(
            event_id=ctx.request_id,
            verdict=verdict,
            status=status,
            method=view.method,
            target=view.target,
            client_ip=view.client_ip,
            user_agent=view.header("user-agent") or "",
            ctx=ctx,
            duration=duration,
            upstream_status=upstream_status,
            sampled=sampled,
        )


def worth_recording(verdict: Verdict) -> bool:
    """Verdicts that always become events: anything above ALLOW (LOG included, and, in monitor
    mode, the blocks that were not enforced)."""
    return verdict.action is not Action.ALLOW
