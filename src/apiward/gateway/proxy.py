"""The reverse proxy: a pure-ASGI app that inspects each request and forwards what passes.

Request path: bounded body read (Content-Length over the limit: 413 before reading a byte) →
client address per the trusted-proxies policy → `Gate` (parse once, pipeline, verdict) →
problem+json for interrupts, else the upstream over the pooled client. The answer streams back
chunk by chunk (small answers with a Content-Length go out in one message); nothing but the first
``response_prefix_bytes`` is kept, and only when response observers are configured.

WebSocket: refused, clearly. A WebSocket scope is closed before accept with code 1008, which the
HTTP server turns into ``403``; an HTTP/1.1 ``Upgrade`` request that reaches the app as plain HTTP
(no WebSocket library in the server) gets ``501`` problem+json. Upgrades are never half-proxied.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from apiward.errors import UpstreamError
from apiward.gateway.forwarding import HOP_BY_HOP_BYTES
from apiward.gateway.gate import Decision, Gate, answer_headers
from apiward.gateway.head import RequestHead
from apiward.gateway.problem import send_problem
from apiward.gateway.runtime import Runtime, run_lifespan
from apiward.gateway.upstream import error_kind
from apiward.identity.forwarding import RESERVED_PREFIX, strip_reserved
from apiward.pipeline import ResponseInfo
from apiward.types import Receive, Scope, Send

log = logging.getLogger(__name__)

_SINGLE_MESSAGE_MAX = 64 * 1024  # answers up to this size with a Content-Length are sent in one go
_WS_CLOSE = {"type": "websocket.close", "code": 1008, "reason": "apiward does not proxy WebSocket"}


def _text(value: bytes) -> str:
    return value.decode("latin-1")


def wire_value(value: str) -> str:
    """A header value for the upstream client, which encodes header text as UTF-8: values that were
    UTF-8 on the wire go out byte-identical; other non-ASCII bytes (obs-text) go out as the UTF-8
    encoding of their Latin-1 reading."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return value


def response_headers(raw: tuple[tuple[bytes, bytes], ...]) -> list[tuple[bytes, bytes]]:
    """Upstream response headers minus hop-by-hop ones (and those named by ``Connection``)."""
    named: set[bytes] = set()
    for name, value in raw:
        if name.lower() == b"connection":
            named.update(t.strip().lower() for t in value.split(b","))
    out: list[tuple[bytes, bytes]] = []
    for name, value in raw:
        low = name.lower()
        if low in HOP_BY_HOP_BYTES or low in named or low.startswith(b"proxy-"):
            continue
        out.append((low, value))
    return out


class ProxyApp:
    """ASGI reverse proxy with inspection. Build it with `apiward.gateway.app.create_app`."""

    def __init__(self, runtime: Runtime) -> None:
        if runtime.upstream is None:
            raise ValueError("gateway.upstream is not set")
        self.runtime = runtime
        self.gate = Gate(runtime)
        self.upstream = runtime.upstream
        settings = runtime.settings
        # Read by GuardedHttpToolsProtocol: the deadline and size cap of a request head.
        self.header_timeout = settings.gateway.header_timeout
        self.header_bytes_limit = settings.limits.max_header_bytes + settings.limits.max_url_bytes
        self._preserve_host = settings.gateway.preserve_host
        self._observe = bool(runtime.pipeline.observers)
        self._prefix_cap = settings.gateway.response_prefix_bytes if self._observe else 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "lifespan":
            await run_lifespan(self.runtime, receive, send)
        elif kind == "websocket":
            await send(_WS_CLOSE)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate
        if not self.runtime.started:
            await self.runtime.ensure_started()
        head = RequestHead.from_scope(scope)
        if head.upgrade:
            await send_problem(send, 501, "Protocol upgrades (WebSocket, h2c) are not proxied.", None)
            return
        decision = gate.begin(head, scope)
        if not await gate.admit(decision, receive, send):
            return
        body = decision.body
        has_body = bool(body) or head.content_length is not None or head.chunked
        # Client-sent x-apiward-* headers are forgeries: only the gateway's own reach the upstream.
        client_headers = head.headers
        if any(n.startswith(RESERVED_PREFIX) for n, _ in client_headers):  # names are lower-case here
            client_headers = strip_reserved(client_headers)
        out_headers = self.runtime.trust.upstream_headers(
            client_headers, head.peer, decision.client_ip, head.scheme, preserve_host=self._preserve_host
        )
        out_headers.extend(gate.identity_headers(decision))
        if not all(v.isascii() for _, v in out_headers):
            out_headers = [(n, wire_value(v)) for n, v in out_headers]
        if has_body:
            out_headers.append(("content-length", str(len(body))))
        await self.forward(decision, receive, send, out_headers, body if has_body else None)

    async def forward(
        self,
        decision: Decision,
        receive: Receive,
        send: Send,
        headers: list[tuple[str, str]],
        body: bytes | None,
    ) -> None:
        gate = self.gate
        verdict = decision.verdict
        if verdict is None:  # pragma: no cover - http() inspects before forwarding
            raise RuntimeError("forward() before inspect()")
        method, target = decision.head.method, decision.head.target
        try:
            response = await self.upstream.send(method, target, headers, body)
        except UpstreamError as exc:
            self.runtime.metrics.upstream_errors.labels(error_kind(exc)).inc()
            log.warning("upstream error for %s %s: %s", method, target[:200], exc)
            await send_problem(send, exc.status, str(exc), decision.event_id, head=method == "HEAD")
            gate.finish(decision, verdict, exc.status)
            return
        status = response.status
        prefix = b""
        out = response_headers(response.raw_headers)
        if decision.ctx.tags:
            out.extend(answer_headers(decision.ctx, status, {n for n, _ in out}))
        started = False
        try:
            length = response.content_length
            cap = self._prefix_cap
            no_body = method == "HEAD" or status in (204, 304)
            if no_body or (length is not None and length <= _SINGLE_MESSAGE_MAX):
                data = b"" if no_body else await response.read()
                prefix = data[:cap]
                started = True
                await send({"type": "http.response.start", "status": status, "headers": out})
                await send({"type": "http.response.body", "body": data})
            else:
                started = True
                await send({"type": "http.response.start", "status": status, "headers": out})
                # The server drops writes to a client that has gone; watch for that, so a
                # download nobody reads is not pulled from the upstream to the end.
                gone = asyncio.ensure_future(receive())
                try:
                    async for chunk in response.content.iter_any():
                        if len(prefix) < cap:
                            prefix += chunk[: cap - len(prefix)]
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                        if gone.done():
                            log.info("client went away during %s %s", method, target[:200])
                            gate.finish(decision, verdict, status, upstream_status=status)
                            return
                finally:
                    gone.cancel()
                await send({"type": "http.response.body", "body": b""})
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            timeout = isinstance(exc, asyncio.TimeoutError)
            self.runtime.metrics.upstream_errors.labels("timeout" if timeout else "protocol").inc()
            log.warning("upstream failed mid-response for %s %s: %r", method, target[:200], exc)
            if not started:
                code = 504 if timeout else 502
                detail = "upstream did not answer in time" if timeout else "upstream answer was cut short"
                await send_problem(send, code, detail, decision.event_id, head=method == "HEAD")
                gate.finish(decision, verdict, code)
            else:
                gate.finish(decision, verdict, status, upstream_status=status)
            # Headers already sent: the only honest signal left is to cut the connection, which the
            # server does when the app returns without completing the response.
            return
        finally:
            response.release()
        gate.finish(decision, verdict, status, upstream_status=status)
        if self._observe:
            info = ResponseInfo(status, tuple((_text(n), _text(v)) for n, v in out), prefix)
            await gate.observe(decision, info, status)
