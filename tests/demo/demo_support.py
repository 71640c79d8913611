"""Helpers for the demo tests (a module name unique across the test tree)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


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
    return server, thread, int(server.servers[0].sockets[0].getsockname()[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
