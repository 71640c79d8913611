"""Scoring one corpus record: in-process through the gateway's own pipeline, or black-box through a
running gateway over HTTP.

In-process, a record is *blocked* when the verdict's action is BLOCK, THROTTLE or CHALLENGE
(whatever the mode: monitor mode still decides) or when the parser refuses the request (the
gateway would answer 4xx without forwarding it). Through ``--via``, 403 is blocked, 429 is
throttled (counted as blocked, reported apart), another 4xx problem+json carrying an event id is
blocked (the gateway answered itself, e.g. 404 outside the OpenAPI spec), a parser refusal
(400/413/414/431 problem+json) is rejected (blocked), 5xx and transport errors are errors (not
measured), anything else passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

from apiward.core import SEVERITY, Action, Context, new_event_id
from apiward.errors import ApiwardError, RequestRejected
from apiward.evaluation.corpus import CorpusRecord
from apiward.settings import Settings

HOP_BY_HOP: frozenset[str] = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "http2-settings",
    }
)
_REJECT_STATUSES: frozenset[int] = frozenset({400, 413, 414, 431})


class Outcome(StrEnum):
    PASSED = "passed"
    BLOCKED = "blocked"
    THROTTLED = "throttled"
    REJECTED = "rejected"
    ERROR = "error"

    @property
    def blocked(self) -> bool:
        return self in (Outcome.BLOCKED, Outcome.THROTTLED, Outcome.REJECTED)


@dataclass(frozen=True, slots=True)
class Scored:
    record: CorpusRecord
    outcome: Outcome
    reason: str = ""


class Scorer(Protocol):
    concurrency: int

    async def score(self, record: CorpusRecord) -> Scored: ...

    async def aclose(self) -> None: ...


class InProcessScorer:
    """Runs each record through `build_pipeline(settings)` exactly as the gateway does."""

    concurrency = 1

    def __init__(self, settings: Settings) -> None:
        # Imported here so `apiward eval --via` works without loading models.
        from apiward.gateway.stack import build_pipeline
        from apiward.http.parse import corpus_request

        self._corpus_request = corpus_request
        self._limits = settings.limits
        self.pipeline = build_pipeline(settings)

    async def score(self, record: CorpusRecord) -> Scored:
        try:
            view = self._corpus_request(dict(record.data), self._limits)
        except RequestRejected as exc:
            return Scored(record, Outcome.REJECTED, f"{exc.status} {exc.title}")
        ctx = Context(request_id=new_event_id(), client_key=view.client_ip)  # as the gateway does
        verdict = await self.pipeline.inspect(view, ctx)
        if SEVERITY[verdict.action] >= SEVERITY[Action.CHALLENGE]:
            outcome = Outcome.THROTTLED if verdict.action is Action.THROTTLE else Outcome.BLOCKED
            return Scored(record, outcome, verdict.reason or verdict.action.value)
        return Scored(record, Outcome.PASSED, verdict.reason)

    async def aclose(self) -> None:
        return None


class FoldScorer:
    """In-process like `InProcessScorer`, but each record goes through a pipeline whose model never
    trained on the record's site: the fold models of `apiward train --fold-models DIR` each list
    the sites (corpus groups) they held out. This measures the whole stage (analysers + model)
    site-held-out. Records of no held-out site (other corpora) use the first fold's model."""

    concurrency = 1

    def __init__(self, settings_for: Callable[[Path], Settings], fold_dir: Path) -> None:
        from apiward.ml.corpus import group_of
        from apiward.ml.model import AttackModel

        paths = sorted(Path(fold_dir).glob("fold-*.npz"))
        if not paths:
            raise ApiwardError(f"{fold_dir}: no fold-*.npz models (see apiward train --fold-models)")
        self._group_of = group_of
        self._scorers: list[InProcessScorer] = []
        self._fold_of: dict[str, int] = {}
        for i, path in enumerate(paths):
            held_out = AttackModel.load(path).header.get("held_out_groups") or []
            self._fold_of.update({str(g): i for g in held_out})
            self._scorers.append(InProcessScorer(settings_for(path)))
        self.unrouted = 0

    async def score(self, record: CorpusRecord) -> Scored:
        fold = self._fold_of.get(self._group_of(dict(record.data)))
        if fold is None:
            self.unrouted += 1
            fold = 0
        return await self._scorers[fold].score(record)

    async def aclose(self) -> None:
        return None


_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def forward_headers(record: CorpusRecord) -> list[tuple[bytes, bytes]]:
    """The record's headers as bytes, minus Host, hop-by-hop headers and Content-Length (httpx sets
    them). Values go out as UTF-8 (browsers' non-ASCII header bytes included) with their surrounding
    whitespace removed, as a server would read them; headers that cannot be sent on the wire at all
    (a name that is not an HTTP token, a value with CR / LF) are dropped."""
    out = []
    for name, value in record.header_pairs():
        if name.lower() in HOP_BY_HOP or not name or not _TOKEN_CHARS.issuperset(name):
            continue
        if "\n" in value or "\r" in value:
            continue
        out.append((name.encode("ascii"), value.strip(" \t").encode("utf-8", "surrogateescape")))
    return out


def classify_response(status: int, content_type: str, has_event_id: bool = False) -> Outcome:
    """403 is blocked, 429 throttled; another 4xx the gateway answered itself (problem+json with an
    event id, e.g. 404 for a path outside the OpenAPI spec) is blocked; a parser refusal
    (400/413/414/431 problem+json) is rejected; 5xx is an error; anything else passed."""
    if status == 403:
        return Outcome.BLOCKED
    if status == 429:
        return Outcome.THROTTLED
    if status >= 500:
        return Outcome.ERROR
    problem = content_type.startswith("application/problem+json")
    if problem and status in _REJECT_STATUSES:
        return Outcome.REJECTED
    if problem and status >= 400 and has_event_id:
        return Outcome.BLOCKED
    return Outcome.PASSED


class RemoteScorer:
    """Sends each record to a running gateway (black-box) with bounded concurrency."""

    def __init__(self, base_url: str, concurrency: int = 16, timeout: float = 30.0) -> None:
        self.concurrency = max(1, concurrency)
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency),
            headers={"accept-encoding": "identity"},
        )

    async def score(self, record: CorpusRecord) -> Scored:
        url = record.url if record.url.startswith("/") else "/" + record.url
        try:
            response = await self._client.request(
                record.method,
                url,
                headers=forward_headers(record),
                content=record.body.encode("utf-8", "surrogateescape") if record.body else None,
            )
        except (httpx.HTTPError, ValueError, UnicodeError) as exc:
            return Scored(record, Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:200])
        content_type = response.headers.get("content-type", "")
        problem: dict[str, object] = {}
        if content_type.startswith("application/problem+json"):
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                problem = body
        outcome = classify_response(response.status_code, content_type, bool(problem.get("event_id")))
        reason = str(response.status_code)
        if outcome.blocked and problem:
            reason = f"{response.status_code} {problem.get('title', '')} {problem.get('event_id', '')}".strip()
        return Scored(record, outcome, reason)

    async def aclose(self) -> None:
        await self._client.aclose()


async def score_all(
    scorer: Scorer, records: Iterable[CorpusRecord], on_done: Callable[[Scored], None]
) -> None:
    """Score every record, in order when ``concurrency`` is 1, else with that many in flight."""
    if scorer.concurrency <= 1:
        for record in records:
            on_done(await scorer.score(record))
        return
    queue: asyncio.Queue[CorpusRecord | None] = asyncio.Queue(maxsize=scorer.concurrency * 2)

    async def worker() -> None:
        while (record := await queue.get()) is not None:
            on_done(await scorer.score(record))

    workers = [asyncio.create_task(worker()) for _ in range(scorer.concurrency)]
    try:
        for record in records:
            await queue.put(record)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()

