"""The gateway: reverse proxy, ASGI middleware, decision endpoint and admin API.

Modules, in the order a request meets them:

- `server`      ``apiward serve``: uvicorn worker processes (uvloop + httptools) on one port,
                the admin listener once, settings handed to workers as a JSON file.
- `protocol`    uvicorn's httptools protocol plus a request-header deadline (slowloris -> 408);
                with TLS (``gateway.tls_cert``) also the ASGI TLS extension (client certificate),
                which `gate` turns into an mTLS identity before inspection.
- `app`         `create_app` (proxy), `create_admin_app`, `create_decision_app`.
- `proxy`       the pure-ASGI reverse proxy; WebSocket/upgrade requests are refused (403 / 501).
- `head`        the request head read from the ASGI scope in one pass.
- `gate`        bounded body read -> `build_request_view` -> pipeline -> verdict -> problem+json;
                shared by the proxy, `middleware.ApiwardMiddleware` and `decision`.
- `forwarding`  trusted-proxy client address; hop-by-hop removal; X-Forwarded-* / Forwarded.
                (`proxy` also drops client ``x-apiward-*`` headers and adds the signed identity
                headers of `apiward.identity.forwarding`; answers get its RateLimit headers.)
- `upstream`    the pooled keep-alive aiohttp client; 502 / 504 translation.
- `problem`     RFC 9457 problem+json answers.
- `recorder`    events (redacted, sampled) to the store's bounded `EventWriter`.
- `metrics`     ``apiward_*`` Prometheus metrics (multiprocess-aware), incl. the stages' ``stats()``.
- `runtime`     what a process holds between requests; lifespan start/stop (flushes events).
- `admin`       ``/healthz``, ``/readyz``, ``/metrics``, ``/api/events``, ``/api/endpoints``,
                ``/api/drift``, ``/dashboard``.
- `awareness`   inputs of ``/api/endpoints`` and ``/api/drift`` (profile, spec, recent events).
- `stack`       `build_pipeline`: the one place where inspection stages are assembled.

Defaults worth knowing: fail-closed (a stage error answers 503), ``monitor`` mode never
interrupts, the reason for a block is not disclosed to the client (``gateway.expose_reason``),
no proxy is trusted (``gateway.trusted_proxies``), one worker per core.
"""
