"""The inspection pipeline: stages ordered by phase, run over one request view; no I/O of its own.

Stages return findings; `decide` turns them into a verdict. A stage that raises is an internal
error: it becomes an ``internal`` finding whose action follows the configured fail mode (closed:
block; open: log and count), never a silent pass.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Protocol, runtime_checkable

from apiward.core import (
    Action,
    Category,
    Context,
    DecisionPolicy,
    Finding,
    Mode,
    RequestView,
    Verdict,
    decide,
)

log = logging.getLogger(__name__)


class Phase(IntEnum):
    """Order of request stages: who you are, what the API allows, how you behave, what you send."""

    IDENTIFY = 10
    SCHEMA = 20
    AUTHZ = 30
    BEHAVIOUR = 40
    DETECT = 50


class FailMode(StrEnum):
    """What an internal error in a stage does to the request."""

    OPEN = "open"  # let it through, record an internal finding, count it
    CLOSED = "closed"  # block it


@runtime_checkable
class Stage(Protocol):
    name: str
    phase: Phase

    async def inspect(self, request: RequestView, ctx: Context) -> Sequence[Finding]: ...


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What response observers see: status, headers (lower-case names) and the first bytes of
    the body (bounded by the gateway; large downloads are never buffered whole)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body_prefix: bytes = b""


@runtime_checkable
class ResponseObserver(Protocol):
    """Sees the upstream's answer: login outcomes, 404 bursts, data leaks."""

    name: str

    async def observe(
        self, request: RequestView, ctx: Context, response: ResponseInfo
    ) -> Sequence[Finding]: ...


ErrorHook = Callable[[str, BaseException], None]


class Pipeline:
    """Runs stages in phase order. Short-circuits (in block mode) once a stage returns a finding
    that carries an explicit BLOCK or THROTTLE, since no later stage can make the answer milder."""

    def __init__(
        self,
        stages: Sequence[Stage] = (),
        observers: Sequence[ResponseObserver] = (),
        *,
        policy: DecisionPolicy | None = None,
        mode: Mode = Mode.BLOCK,
        fail_mode: FailMode = FailMode.CLOSED,
        on_error: ErrorHook | None = None,
    ) -> None:
        names = [s.name for s in stages] + [o.name for o in observers]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"duplicate stage names: {sorted(duplicates)}")
        self.stages: tuple[Stage, ...] = tuple(sorted(stages, key=lambda s: s.phase))
        self.observers: tuple[ResponseObserver, ...] = tuple(observers)
        self.policy = policy or DecisionPolicy()
        self.mode = mode
        self.fail_mode = fail_mode
        self._on_error = on_error
        self.stage_seconds: dict[str, float] = {s.name: 0.0 for s in self.stages}

    def _internal(self, stage: str, exc: BaseException) -> Finding:
        log.exception("inspection stage %s failed", stage, exc_info=exc)
        if self._on_error is not None:
            self._on_error(stage, exc)
        closed = self.fail_mode is FailMode.CLOSED
        return Finding(
            stage=stage,
            category=Category.INTERNAL,
            location="",
            score=1.0 if closed else 0.0,
            evidence=type(exc).__name__,
            rule=f"fail-{self.fail_mode.value}",
            action=Action.BLOCK if closed else Action.LOG,
            status=503 if closed else None,
        )

    async def inspect(self, request: RequestView, ctx: Context) -> Verdict:
        findings: list[Finding] = []
        for stage in self.stages:
            started = time.perf_counter()
            try:
                found = await stage.inspect(request, ctx)
            except Exception as exc:  # noqa: BLE001 - translated into a finding + fail mode
                found = (self._internal(stage.name, exc),)
            self.stage_seconds[stage.name] += time.perf_counter() - started
            if found:
                findings.extend(found)
                if self.mode is Mode.BLOCK and any(
                    f.action in (Action.BLOCK, Action.THROTTLE) for f in found
                ):
                    break
        return decide(findings, self.policy, self.mode)

    async def observe(
        self, request: RequestView, ctx: Context, response: ResponseInfo
    ) -> tuple[Finding, ...]:
        findings: list[Finding] = []
        for observer in self.observers:
            try:
                findings.extend(await observer.observe(request, ctx, response))
            except Exception as exc:  # noqa: BLE001 - an observer failure never breaks the response
                log.exception("response observer %s failed", observer.name, exc_info=exc)
                if self._on_error is not None:
                    self._on_error(observer.name, exc)
        return tuple(findings)
