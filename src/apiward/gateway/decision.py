"""The decision endpoint: inspection as a service for nginx ``auth_request`` and Envoy ``ext_authz``.

It answers ``200`` (empty body) to allow, and ``403`` / ``401`` / ``429`` (+ ``Retry-After``) /
``503`` (fail-closed) with an ``application/problem+json`` body and an ``X-Apiward-Event-Id``
header to deny. Over-limit or malformed requests get their 4xx. Run it with
``create_decision_app(settings)`` on its own listener (e.g. ``uvicorn --factory``); it never
contacts an upstream. The client address follows ``gateway.trusted_proxies``: list the nginx /
Envoy address there so their ``X-Forwarded-For`` counts.

Two request shapes, chosen by ``gateway.decision_style`` — explicitly, never guessed from the
request, so a client cannot send ``X-Original-URI`` through Envoy to have a harmless URI inspected
instead of its own:

nginx ``auth_request`` (``decision_style: nginx``, the default; the original method and URI in
headers that nginx sets, replacing any the client sent; the subrequest has no body, so bodies are
not inspected this way — use the proxy or the middleware when bodies matter)::

    location / {
        auth_request /_apiward;
        auth_request_set $apiward_event $upstream_http_x_apiward_event_id;
        add_header X-Apiward-Event-Id $apiward_event always;
        proxy_pass http://api_backend;
    }
    location = /_apiward {
        internal;
        proxy_pass http://127.0.0.1:8082/;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-URI $request_uri;
        proxy_set_header X-Original-Method $request_method;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }

nginx itself only distinguishes 2xx (allow), 401 and 403 (deny with that code); any other status
(our 429 / 503) becomes a 500 there. To keep throttling visible, map it::

    error_page 500 = @apiward_error;   # in the protected location
    location @apiward_error { return 429; }

Envoy ``ext_authz`` HTTP service (``decision_style: envoy``; the original method and path are the
check request's own; the body is inspected when ``with_request_body`` is set; set
``gateway.decision_path_prefix`` to the ``path_prefix`` configured in Envoy so it is stripped)::

    http_filters:
    - name: envoy.filters.http.ext_authz
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
        http_service:
          server_uri: {uri: "http://127.0.0.1:8082", cluster: apiward, timeout: 0.25s}
          path_prefix: /check
          authorization_request:
            allowed_headers:
              patterns: [{safe_regex: {regex: ".*"}}]
          authorization_response:
            allowed_client_headers:
              patterns: [{exact: content-type}, {exact: retry-after}, {exact: x-apiward-event-id}]
        with_request_body: {max_request_bytes: 1048576, allow_partial_message: false}
        failure_mode_allow: false

Identity: an allowed check answers with the ``x-apiward-*`` identity headers (subject, roles,
scopes, tenant, key id; HMAC-signed when ``identity.forward_secret`` is set) and the
``RateLimit-Policy`` / ``RateLimit`` headers. Pass the former upstream (nginx: ``auth_request_set
$apiward_subject $upstream_http_x_apiward_subject;`` + ``proxy_set_header``; Envoy:
``allowed_upstream_headers`` with prefix ``x-apiward-``). The decision endpoint cannot remove
headers from a request it does not carry: configure the proxy so that client-sent
``x-apiward-*`` headers never reach the upstream (nginx: ``proxy_set_header`` every
``X-Apiward-*`` name, to the check's value or ""; Envoy replaces only the names the check answer
carries, so strip the rest before ext_authz runs). With a ``forward_secret``, the upstream
verifying the signature rejects forgeries regardless.
"""

from __future__ import annotations

from collections.abc import Sequence

from apiward.gateway.body import ClientGone
from apiward.gateway.gate import Gate, answer_headers
from apiward.gateway.head import RequestHead
from apiward.gateway.problem import send_problem
from apiward.gateway.runtime import Runtime, run_lifespan
from apiward.pipeline import ResponseObserver, Stage
from apiward.settings import DecisionStyle, Settings
from apiward.types import Receive, Scope, Send

ORIGINAL_URI = "x-original-uri"
ORIGINAL_METHOD = "x-original-method"
_ALLOW_START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
_ALLOW_BODY = {"type": "http.response.body", "body": b""}
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection"})
_DROPPED = _FRAMING | {ORIGINAL_URI, ORIGINAL_METHOD}


class DecisionApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.gate = Gate(runtime)
        settings = runtime.settings
        self._prefix = settings.gateway.decision_path_prefix.rstrip("/")
        self._nginx = settings.gateway.decision_style is DecisionStyle.NGINX

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await run_lifespan(self.runtime, receive, send)

    def original(self, head: RequestHead) -> tuple[str, str, str] | None:
        """(method, raw path, query) of the request being authorised; None when an nginx-style
        call does not name it."""
        if self._nginx:
            uri = next((v for n, v in head.headers if n == ORIGINAL_URI), None)
            if uri is None:
                return None
            method = next((v for n, v in head.headers if n == ORIGINAL_METHOD), "GET").upper()
            path, _, query = uri.partition("?")
            return method, path or "/", query
        raw_path = head.raw_path
        if self._prefix and raw_path.startswith(self._prefix):
            raw_path = raw_path[len(self._prefix):] or "/"
        return head.method, raw_path, head.query

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate
        if not self.runtime.started:
            await self.runtime.ensure_started()
        head = RequestHead.from_scope(scope)
        original = self.original(head)
        if original is None:
            await send_problem(send, 400, "X-Original-URI is required (gateway.decision_style is nginx)", None)
            return
        method, raw_path, query = original
        # Events and logs name the authorised request, not the check call.
        head.method, head.raw_path, head.query = method, raw_path, query
        head.target = f"{raw_path}?{query}" if query else raw_path
        dropped = _DROPPED if self._nginx else _FRAMING
        head.headers = [(n, v) for n, v in head.headers if n not in dropped]
        decision = gate.begin(head)
        try:
            await gate.read(decision, receive)
        except ClientGone:
            return
        if decision.body:
            head.headers.append(("content-length", str(len(decision.body))))
        if decision.rejected is None:
            await gate.inspect(decision)
        if decision.interrupts:
            head.method = "GET"  # the answer to the check call always carries its problem body
            await gate.refuse(send, decision)
            return
        # Allowed: the identity headers (x-apiward-*, signed when identity.forward_secret is set) and
        # RateLimit headers ride on the 200, for nginx (auth_request_set) / Envoy
        # (allowed_upstream_headers, allowed_client_headers_on_success) to pass on.
        extra = gate.identity_headers(decision)
        if extra or decision.ctx.tags:
            headers = [(b"content-length", b"0")]
            headers.extend((n.encode("latin-1"), v.encode("utf-8")) for n, v in extra)
            headers.extend(answer_headers(decision.ctx, 200))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        else:
            await send(_ALLOW_START)
        await send(_ALLOW_BODY)
        if decision.verdict is not None:
            gate.finish(decision, decision.verdict, 200)


def create_decision_app(
    settings: Settings,
    *,
    stages: Sequence[Stage] | None = None,
    observers: Sequence[ResponseObserver] = (),
) -> DecisionApp:
    return DecisionApp(Runtime(settings, stages=stages, observers=observers, with_upstream=False))
