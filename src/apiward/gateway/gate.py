"""One request through inspection: bounded body read, parse once, identify the client, run the
pipeline, answer interrupts. Shared by the proxy, the ASGI middleware and the decision endpoint,
so all three decide exactly alike."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from apiward.core import (
    Action,
    Category,
    Context,
    Finding,
    RequestView,
    Verdict,
    decide,
    new_event_id,
)
from apiward.errors import RequestRejected
from apiward.gateway.body import ClientGone, read_body, too_large
from apiward.gateway.head import RequestHead
from apiward.gateway.problem import send_problem
from apiward.gateway.recorder import worth_recording
from apiward.gateway.runtime import Runtime
from apiward.http.body import body_limit
from apiward.http.mediatype import parse_params
from apiward.http.parse import build_request_view
from apiward.identity import forwarding as identity_headers
from apiward.pipeline import ResponseInfo
from apiward.types import Receive, Scope, Send

_GENERIC_DETAIL: dict[int, str] = {
    401: "Authentication is required to access this resource.",
    403: "The request was blocked by the API security policy. Quote the event id to the operator.",
    429: "Too many requests. Retry after the time given in the Retry-After header.",
    503: "The request could not be inspected and was not forwarded (fail-closed).",
}


@dataclass(slots=True)
class Decision:
    """The outcome of inspecting one request."""

    head: RequestHead
    client_ip: str
    event_id: str
    started: float  # time.perf_counter()
    ctx: Context
    view: RequestView | None = None
    verdict: Verdict | None = None
    rejected: RequestRejected | None = None
    body: bytes = field(default=b"", repr=False)

    @property
    def interrupts(self) -> bool:
        return self.rejected is not None or (self.verdict is not None and self.verdict.interrupts)


class Gate:
    """Per-request inspection logic over a `Runtime`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pipeline = runtime.pipeline
        self.trust = runtime.trust
        self.metrics = runtime.metrics
        self.recorder = runtime.recorder
        self.mtls = runtime.mtls
        self._limits = runtime.settings.limits
        self._body_timeout = runtime.settings.gateway.body_timeout
        self._expose = runtime.settings.gateway.expose_reason
        secret = runtime.settings.identity.forward_secret
        self.forward_secret = secret.get_secret_value().encode() if secret is not None else None

    def begin(self, head: RequestHead, scope: Scope | None = None) -> Decision:
        """A decision for one request. With ``scope`` and mTLS identity on, a verified client
        certificate in the ASGI TLS extension becomes ``ctx.identity`` (the authn stage accepts it)."""
        event_id = new_event_id()
        client_ip = self.trust.client_ip(head.peer, head.headers) if head.peer else head.peer
        ctx = Context(request_id=event_id, client_key=client_ip)
        if scope is not None and self.mtls is not None:
            ctx.identity = self.mtls.from_scope(scope)
        return Decision(head=head, client_ip=client_ip, event_id=event_id, started=time.perf_counter(), ctx=ctx)

    async def read(self, decision: Decision, receive: Receive) -> None:
        """Read the body within the limits (413 at once for a declared length over the limit);
        a refusal is stored in ``decision.rejected``. Raises `ClientGone`."""
        head = decision.head
        length = head.content_length
        content_type = next((value for name, value in head.headers if name == "content-type"), "")
        limit = body_limit(parse_params(content_type)[0], self._limits)
        try:
            if length is not None and length > limit:
                raise too_large(limit)
            decision.body = await read_body(receive, limit, self._body_timeout)
        except RequestRejected as exc:
            decision.rejected = exc

    async def inspect(self, decision: Decision, method: str | None = None, raw_path: str | None = None,
                      query: str | None = None, headers: list[tuple[str, str]] | None = None) -> None:
        """Parse and inspect (the request as received, or the original one a decision call names)."""
        head = decision.head
        try:
            view = build_request_view(
                method or head.method, raw_path if raw_path is not None else head.raw_path,
                query if query is not None else head.query, headers if headers is not None else head.headers,
                decision.client_ip, decision.body, self._limits, head.scheme,
            )
        except RequestRejected as exc:
            decision.rejected = exc
            return
        decision.view = view
        verdict = await self.pipeline.inspect(view, decision.ctx)
        decision.verdict = verdict
        for finding in verdict.findings:
            self.metrics.finding(finding.category)

    async def admit(self, decision: Decision, receive: Receive, send: Send) -> bool:
        """Read the body, parse and inspect the request as received, and answer it if it is
        interrupted or refused. True when it may go on to the app / upstream; False when it has
        been answered here or the client left."""
        try:
            await self.read(decision, receive)
        except ClientGone:
            return False
        if decision.rejected is None:
            await self.inspect(decision)
        if decision.interrupts:
            await self.refuse(send, decision)
            return False
        return True

    def detail(self, verdict: Verdict) -> str:
        generic = _GENERIC_DETAIL.get(verdict.status, _GENERIC_DETAIL[403])
        if self._expose and verdict.reason:
            return f"{generic} Reason: {verdict.reason}."
        return generic

    def identity_headers(self, decision: Decision) -> list[tuple[str, str]]:
        """Trusted ``x-apiward-*`` identity headers for the upstream ([] when anonymous)."""
        return identity_headers.upstream_headers(decision.ctx, self.forward_secret)

    async def refuse(self, send: Send, decision: Decision) -> int:
        """Answer an interrupted or rejected request with problem+json; record it. Returns the status."""
        head = decision.head.method == "HEAD"
        if decision.rejected is not None:
            exc = decision.rejected
            self.metrics.rejected.labels(str(exc.status)).inc()
            finding = Finding(
                stage="parser", category=Category.PROTOCOL, location="", score=1.0,
                evidence=exc.detail[:200], rule=f"reject-{exc.status}", action=Action.BLOCK, status=exc.status,
            )
            refused = Verdict(Action.BLOCK, (finding,), True, exc.status, None, finding)
            await send_problem(send, exc.status, exc.detail or exc.title, decision.event_id, title=exc.title, head=head)
            self.finish(decision, refused, exc.status, record=True)
            return exc.status
        verdict = decision.verdict
        if verdict is None:  # pragma: no cover - refuse is only called on decided requests
            raise RuntimeError("refuse() before inspect()")
        extra = answer_headers(decision.ctx, verdict.status)
        retry_after = verdict.retry_after
        if any(name == b"retry-after" for name, _ in extra):
            retry_after = None  # the stage's own Retry-After (from ctx.tags) is sent instead
        else:
            extra.extend(_retry_default(verdict))
        await send_problem(
            send, verdict.status, self.detail(verdict), decision.event_id,
            retry_after=retry_after, extra_headers=extra, head=head,
        )
        self.finish(decision, verdict, verdict.status, record=True)
        return verdict.status

    def finish(
        self,
        decision: Decision,
        verdict: Verdict,
        status: int,
        *,
        record: bool | None = None,
        upstream_status: int | None = None,
    ) -> None:
        """Count the request; record an event when the verdict calls for one (or it is sampled)."""
        duration = time.perf_counter() - decision.started
        self.metrics.request(verdict.action, verdict.enforced, duration)
        sampled = False
        if record is None:
            record = worth_recording(verdict)
            if not record and self.recorder.sampled():
                record = sampled = True
        if record:
            view = decision.view
            self.recorder.record(
                event_id=decision.event_id, verdict=verdict, status=status,
                method=view.method if view is not None else decision.head.method,
                target=view.target if view is not None else decision.head.target,
                client_ip=decision.client_ip, user_agent=decision.head.user_agent, ctx=decision.ctx,
                duration=duration, upstream_status=upstream_status, sampled=sampled,
            )

    async def observe(self, decision: Decision, info: ResponseInfo, status: int) -> None:
        """Run response observers; what they find becomes an event (the answer has already left)."""
        view = decision.view
        if view is None or not self.pipeline.observers:
            return
        findings = await self.pipeline.observe(view, decision.ctx, info)
        if not findings:
            return
        for finding in findings:
            self.metrics.finding(finding.category)
        verdict = decide(findings, self.pipeline.policy, self.pipeline.mode)
        if worth_recording(verdict):
            self.recorder.record(
                event_id=new_event_id(), verdict=verdict, status=status, method=view.method,
                target=view.target, client_ip=view.client_ip, user_agent=decision.head.user_agent,
                ctx=decision.ctx, duration=time.perf_counter() - decision.started, upstream_status=info.status,
            )


def answer_headers(
    ctx: Context, status: int, present: frozenset[bytes] | set[bytes] = frozenset()
) -> list[tuple[bytes, bytes]]:
    """`identity.forwarding.response_headers` for an answer with ``status``: RateLimit-Policy and
    RateLimit always; Retry-After only on 429/503; WWW-Authenticate only on 401. Names in
    ``present`` (already in the answer, e.g. the upstream's own) are not added again."""
    if not ctx.tags:
        return []
    out: list[tuple[bytes, bytes]] = []
    for name, value in identity_headers.response_headers(ctx):
        low = name.lower().encode("latin-1")
        if low in present:
            continue
        if low == b"retry-after" and status not in (429, 503):
            continue
        if low == b"www-authenticate" and status != 401:
            continue
        out.append((low, value.encode("latin-1", "replace")))
    return out


def _retry_default(verdict: Verdict) -> tuple[tuple[bytes, bytes], ...]:
    """A throttle without a stage-supplied Retry-After still tells the client when to come back."""
    if verdict.action is Action.THROTTLE and verdict.retry_after is None:
        return ((b"retry-after", b"1"),)
    return ()
