"""`ApiwardMiddleware`: the gateway's inspection inside a Starlette / FastAPI app (pure ASGI).

    app = FastAPI()
    app.add_middleware(ApiwardMiddleware, settings=load_settings(Path("apiward.yaml")))

The body is read with the same limits as the proxy (413 over ``limits.max_body_bytes``, uploads
over ``limits.max_upload_bytes``), parsed
once, inspected by the same pipeline (`build_pipeline`), and replayed to the app through
``receive``. Interrupts are answered with problem+json; everything else reaches the app, whose
answer (status, headers, first bytes) is shown to response observers. The client address is the
ASGI ``client`` under the same trusted-proxies policy. The runtime (event writer) starts with the
app's lifespan, or on the first request when the server runs no lifespan.
"""

from __future__ import annotations

from collections.abc import Sequence

from apiward.gateway.gate import Decision, Gate, answer_headers
from apiward.gateway.head import RequestHead
from apiward.gateway.runtime import Runtime
from apiward.identity.forwarding import RESERVED_PREFIX
from apiward.pipeline import ResponseInfo, ResponseObserver, Stage
from apiward.settings import Settings
from apiward.types import ASGIApp, Message, Receive, Scope, Send

_RESERVED = RESERVED_PREFIX.encode()


def _text(value: bytes) -> str:
    return value.decode("latin-1")


class ApiwardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings | None = None,
        *,
        stages: Sequence[Stage] | None = None,
        observers: Sequence[ResponseObserver] = (),
        runtime: Runtime | None = None,
    ) -> None:
        self.app = app
        settings = settings if settings is not None else Settings()
        self.runtime = runtime or Runtime(settings, stages=stages, observers=observers, with_upstream=False)
        self.gate = Gate(self.runtime)
        self._observe = bool(self.runtime.pipeline.observers)
        self._prefix_cap = settings.gateway.response_prefix_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "websocket":
            await self.websocket(scope, receive, send)
        elif kind == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
        else:
            await self.app(scope, receive, send)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        runtime = self.runtime

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await runtime.start()
            elif message["type"] == "lifespan.shutdown":
                await runtime.stop()
            return message

        return wrapped

    async def websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The handshake (path, query, headers) is inspected like a GET; an interrupt closes it
        before accept (code 1008: the server answers 403). Messages are not inspected."""
        if not self.runtime.started:
            await self.runtime.ensure_started()
        head = RequestHead.from_scope({**scope, "method": "GET"})
        decision = self.gate.begin(head, scope)
        await self.gate.inspect(decision)
        if decision.interrupts:
            verdict = decision.verdict
            if verdict is not None:
                self.gate.finish(decision, verdict, 403, record=True)
            await send({"type": "websocket.close", "code": 1008, "reason": f"apiward: blocked ({decision.event_id})"})
            return
        if decision.verdict is not None:
            self.gate.finish(decision, decision.verdict, 101)
        await self.app(scope, receive, send)

    def app_scope(self, scope: Scope, decision: Decision) -> Scope:
        """The scope the app sees: client ``x-apiward-*`` headers dropped (forgeries), the
        gateway's identity headers added (signed when ``identity.forward_secret`` is set)."""
        ident = self.gate.identity_headers(decision)
        raw: list[tuple[bytes, bytes]] = scope["headers"]
        forged = any(n.lower().startswith(_RESERVED) for n, _ in raw)
        if not ident and not forged:
            return scope
        headers = [(n, v) for n, v in raw if not n.lower().startswith(_RESERVED)] if forged else list(raw)
        headers.extend((n.encode("latin-1"), v.encode("utf-8")) for n, v in ident)
        return {**scope, "headers": headers}

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate
        if not self.runtime.started:
            await self.runtime.ensure_started()
        decision = gate.begin(RequestHead.from_scope(scope), scope)
        if not await gate.admit(decision, receive, send):
            return
        body = decision.body

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        out_headers: list[tuple[bytes, bytes]] = []
        prefix = bytearray()
        cap = self._prefix_cap if self._observe else 0

        ctx = decision.ctx

        async def watch(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = list(message.get("headers", ()))
                if ctx.tags:
                    extra = answer_headers(ctx, status, {n.lower() for n, _ in out_headers})
                    if extra:
                        message = {**message, "headers": out_headers + extra}
            elif cap and message["type"] == "http.response.body" and len(prefix) < cap:
                prefix.extend(message.get("body", b"")[: cap - len(prefix)])
            await send(message)

        await self.app(self.app_scope(scope, decision), replay, watch)
        verdict = decision.verdict
        if verdict is None:  # pragma: no cover - inspect() always sets it unless rejected
            return
        gate.finish(decision, verdict, status, upstream_status=status)
        if self._observe:
            info = ResponseInfo(status, tuple((_text(n).lower(), _text(v)) for n, v in out_headers), bytes(prefix))
            await gate.observe(decision, info, status)
