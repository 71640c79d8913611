"""Assembling the gateway's ASGI apps from settings.

- `create_app(settings)`: the inspecting reverse proxy (needs ``gateway.upstream``).
- `create_admin_app(settings, runtime)`: health, readiness, metrics, events API, dashboard.
- `create_decision_app(settings)`: the nginx ``auth_request`` / Envoy ``ext_authz`` endpoint
  (see `apiward.gateway.decision`).
- `apiward.gateway.middleware.ApiwardMiddleware`: the same pipeline inside a Starlette/FastAPI app.

Tests and embedders may pass their own ``stages``/``observers`` instead of `build_pipeline`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from apiward.gateway.admin import create_admin_app
from apiward.gateway.decision import create_decision_app
from apiward.gateway.proxy import ProxyApp
from apiward.gateway.runtime import Runtime
from apiward.pipeline import ResponseObserver, Stage
from apiward.settings import Settings

__all__ = ["ProxyApp", "Runtime", "create_admin_app", "create_app", "create_decision_app"]


def create_app(
    settings: Settings,
    *,
    stages: Sequence[Stage] | None = None,
    observers: Sequence[ResponseObserver] = (),
    runtime: Runtime | None = None,
) -> ProxyApp:
    """The inspecting reverse proxy. Its `runtime` (pipeline, metrics, events) is ``app.runtime``."""
    if runtime is None:
        runtime = Runtime(settings, stages=stages, observers=observers)
    return ProxyApp(runtime)
