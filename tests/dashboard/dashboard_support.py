"""Helpers shared by the dashboard tests (a module name unique across the test tree)."""

from __future__ import annotations

import threading

import uvicorn

from apiward.gateway.threaded import bound_port, start_in_thread

TOKEN = "test-admin-token-0123456789"
XSS = '<script>window.__pwned=1;alert("x")</script><img src=x onerror="window.__pwned=2">'


def run_server(app: object) -> tuple[uvicorn.Server, threading.Thread, int]:
    """uvicorn on an ephemeral 127.0.0.1 port in a thread; returns once it accepts connections."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server, thread = start_in_thread(config, timeout=20, name="test server")
    return server, thread, bound_port(server)
