"""Helpers shared by the dashboard tests (a module name unique across the test tree)."""

from __future__ import annotations

import threading
import time

import uvicorn

TOKEN = "test-admin-token-0123456789"
XSS = '<script>window.__pwned=1;alert("x")</script><img src=x onerror="window.__pwned=2">'


def run_server(app: object) -> tuple[uvicorn.Server, threading.Thread, int]:
    """uvicorn on an ephemeral 127.0.0.1 port in a thread; returns once it accepts connections."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, int(port)
