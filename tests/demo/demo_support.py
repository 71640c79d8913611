"""Helpers for the demo tests (a module name unique across the test tree)."""

from __future__ import annotations

import socket
import threading

import uvicorn

from apiward.gateway.threaded import bound_port, start_in_thread


def run_server(app: object) -> tuple[uvicorn.Server, threading.Thread, int]:
    """uvicorn on an ephemeral 127.0.0.1 port in a thread; returns once it accepts connections."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server, thread = start_in_thread(config, timeout=20, name="test server")
    return server, thread, bound_port(server)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
