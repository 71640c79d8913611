"""The decision endpoint: inspection as a service for nginx ``auth_request`` and Envoy ``ext_authz``.

It answers ``200`` (empty body) to allow, and ``403`` / ``401`` / ``429`` (+ ``Retry-After``) /
``503`` (fail-closed) with an ``application/problem+json`` body and an ``X-Apiward-Event-Id``
header to deny. Over-limit or malformed requests get their 4xx. Run it with
``create_decision_app(settings)`` on its own listener (e.g. ``uvicorn --factory``); it never
contacts an upstream. The client address follows ``gateway.trusted_proxies``: list the nginx /
Envoy address there so their ``X-Forwarded-For`` counts.

Two request shapes, told apart by the ``X-Original-URI`` header:

nginx ``auth_request`` (the original method and URI in headers; the subrequest has no body, so
bodies are not inspected this way — use the proxy or the middleware when bodies matter)::

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

Envoy ``ext_authz`` HTTP service (the original method and path are the check request's own; the
body is inspected when ``with_request_body`` is set; set ``gateway.decision_path_prefix`` to the
``path_prefix`` configured in Envoy so it is stripped)::

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
"""

from __future__ import annotations

from collections.abc import Sequence

from apiward.errors import RequestRejected
from apiward.gateway.body import ClientGone, declared_length, read_body, too_large
from apiward.gateway.gate import Gate
from apiward.gateway.runtime import Runtime, run_lifespan
from apiward.pipeline import ResponseObserver, Stage
from apiward.settings import Settings
from apiward.types import Receive, Scope, Send

ORIGINAL_URI = "x-original-uri"
ORIGINAL_METHOD = "x-original-method"
_ALLOW_START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
_ALLOW_BODY = {"type": "http.response.body", "body": b""}
_DROPPED = frozenset({ORIGINAL_URI, ORIGINAL_METHOD, "content-length", "transfer-encoding", "connection"})


def _text(value: bytes) -> str:
    return value.decode("latin-1")


class DecisionApp:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.gate = Gate(runtime)
        settings = runtime.settings
        self._limit = settings.limits.max_body_bytes
        self._body_timeout = settings.gateway.body_timeout
        self._prefix = settings.gateway.decision_path_prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await run_lifespan(self.runtime, receive, send)

    def original(self, scope: Scope, headers: list[tuple[str, str]]) -> tuple[str, str, str]:
        """(method, raw path, query) of the request being authorised."""
        uri = next((v for n, v in headers if n == ORIGINAL_URI), None)
        if uri is not None:  # nginx auth_request
            method = next((v for n, v in headers if n == ORIGINAL_METHOD), "GET").upper()
            path, _, query = uri.partition("?")
            return method, path or "/", query
        raw_path = _text(scope.get("raw_path") or scope["path"].encode("utf-8"))
        if self._prefix and raw_path.startswith(self._prefix):
            raw_path = raw_path[len(self._prefix):] or "/"
        return scope["method"], raw_path, _text(scope["query_string"])

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate
        if not self.runtime.started:
            await self.runtime.ensure_started()
        decision = gate.begin()
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        all_headers = [(_text(n), _text(v)) for n, v in raw_headers]
        method, raw_path, query = self.original(scope, all_headers)
        headers = [(n, v) for n, v in all_headers if n not in _DROPPED]
        target = f"{raw_path}?{query}" if query else raw_path
        client = scope.get("client")
        peer = client[0] if client else ""
        client_ip = self.runtime.trust.client_ip(peer, all_headers) if peer else peer
        user_agent = next((v for n, v in headers if n == "user-agent"), "")
        try:
            length = declared_length(raw_headers)
            if length is not None and length > self._limit:
                raise too_large(self._limit)
            body = await read_body(receive, self._limit, self._body_timeout)
        except ClientGone:
            return
        except RequestRejected as exc:
            decision.rejected = exc
            await gate.refuse(send, decision, method="GET", target=target, client_ip=client_ip, user_agent=user_agent)
            return
        if body:
            headers.append(("content-length", str(len(body))))
        await gate.inspect(decision, method, raw_path, query, headers, client_ip, body, scope.get("scheme", "http"))
        if decision.interrupts:
            await gate.refuse(send, decision, method="GET", target=target, client_ip=client_ip, user_agent=user_agent)
            return
        await send(_ALLOW_START)
        await send(_ALLOW_BODY)
        if decision.verdict is not None:
            gate.finish(decision, decision.verdict, 200, method=method, target=target, client_ip=client_ip,
                        user_agent=user_agent)


def create_decision_app(
    settings: Settings,
    *,
    stages: Sequence[Stage] | None = None,
    observers: Sequence[ResponseObserver] = (),
) -> DecisionApp:
    return DecisionApp(Runtime(settings, stages=stages, observers=observers, with_upstream=False))
