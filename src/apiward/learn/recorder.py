"""Learning mode in the gateway: a response observer that feeds a `BaselineLearner` with clean
traffic and writes snapshots that `apiward profile` can review and promote.

Poisoning resistance: a request is learned only when the upstream answered it below 400, no
baseline deviation was flagged on it, and the generic detector (the pipeline's DETECT stages, run
again here on the sampled request only) reports nothing at or above the log threshold; each client
contributes at most ``client_cap`` samples per endpoint; the learner lives for one window (its
TTL) and holds only bounded statistics.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from apiward.core import Context, Finding, RequestView
import yaml

from apiward.learn.baseline import Baseline, BaselineLearner
from apiward.learn.discovery import build_openapi
from apiward.learn.router import split_path
from apiward.learn.stage import ANOMALOUS_TAG
from apiward.learn.template import name_params, segment_kind
from apiward.pipeline import Phase, ResponseInfo, Stage

log = logging.getLogger(__name__)
MAX_ENDPOINTS = 2000


def _template(request: RequestView) -> str:
    parts = []
    for segment in split_path(request.raw_path):
        kind = segment_kind(segment)
        parts.append("{" + kind + "}" if kind else segment)
    return name_params("/" + "/".join(parts))


class LearningObserver:
    name = "baseline-learn"

    def __init__(
        self,
        out: Path,
        detectors: Callable[[], Sequence[Stage]],
        *,
        log_threshold: float = 0.2,
        sample: float = 1.0,
        window: float = 86_400.0,
        flush_every: int = 1000,
        min_samples: int = 30,
        client_cap: int = 200,
        max_clients: int = 10_000,
    ) -> None:
        self.out = out
        self._detectors = detectors
        self._log_threshold = log_threshold
        self._sample = sample
        self._window = window
        self._flush_every = flush_every
        self._min_samples = min_samples
        self._client_cap = client_cap
        self._max_clients = max_clients
        self._random = random.Random()
        self._new_learner()
        self.learned = 0
        self.rejected = 0
        self._writing: asyncio.Task[None] | None = None

    def _new_learner(self) -> None:
        self.learner = BaselineLearner(self._min_samples, self._client_cap, self._max_clients)
        self._started = time.monotonic()
        self._since_flush = 0
        self._endpoints: set[str] = set()

    async def _clean(self, request: RequestView, ctx: Context) -> bool:
        probe = Context(request_id=ctx.request_id, identity=ctx.identity, route=ctx.route,
                        path_params=dict(ctx.path_params), client_key=ctx.client_key, tags=dict(ctx.tags))
        for stage in self._detectors():
            if stage.phase is not Phase.DETECT:
                continue
            found: Sequence[Finding] = await stage.inspect(request, probe)
            if any(f.score >= self._log_threshold or f.action is not None for f in found):
                return False
        return True

    async def observe(self, request: RequestView, ctx: Context, response: ResponseInfo) -> Sequence[Finding]:
        if response.status >= 400 or ctx.tags.get(ANOMALOUS_TAG):
            self.rejected += 1
            return ()
        if self._sample < 1.0 and self._random.random() >= self._sample:
            return ()
        if not await self._clean(request, ctx):
            self.rejected += 1
            return ()
        template = ctx.route or _template(request)
        endpoint = f"{request.method} {template}"
        if endpoint not in self._endpoints and len(self._endpoints) >= MAX_ENDPOINTS:
            return ()
        self._endpoints.add(endpoint)
        params = dict(ctx.path_params) if ctx.route else _path_params(template, request)
        if self.learner.observe(endpoint, request, params, ctx.client_key or request.client_ip or None):
            self.learned += 1
            self._since_flush += 1
        expired = time.monotonic() - self._started >= self._window
        if (self._since_flush >= self._flush_every or expired) and (self._writing is None or self._writing.done()):
            self._writing = asyncio.create_task(self.flush())
            if expired:
                await self._writing
                self._new_learner()
        return ()

    async def flush(self) -> None:
        """Write the current snapshot as a profile directory (baseline.json + discovered
        openapi.yaml) that `--profile` and `apiward profile` accept; off the event loop."""
        self._since_flush = 0
        snapshot = self.learner.finish()
        try:
            await asyncio.to_thread(_write_profile, self.out, snapshot)
        except OSError:
            log.exception("cannot write learning snapshot to %s", self.out)


def _write_profile(out: Path, snapshot: Baseline) -> None:
    from apiward.learn.profile import BASELINE_FILE, SPEC_FILE

    out.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_dump(build_openapi(snapshot, title="Learned by the gateway"), sort_keys=False, allow_unicode=True)
    for name, text in ((SPEC_FILE, spec), (BASELINE_FILE, snapshot.to_json())):
        tmp = out / (name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out / name)


def _path_params(template: str, request: RequestView) -> dict[str, str]:
    out: dict[str, str] = {}
    for part, value in zip(template.strip("/").split("/"), split_path(request.raw_path)):
        if part.startswith("{") and part.endswith("}"):
            out[part[1:-1]] = value
    return out
