"""A uvicorn server on a thread of this process, returned once it accepts connections.

The gateway runs its admin listener this way beside the worker supervisor; benchmarks and tests
run upstreams and gateways this way. Readiness is ``server.started`` (set once the sockets are
bound and listening), never a fixed sleep.
"""

from __future__ import annotations

import threading
import time

import uvicorn


class ServerStartError(RuntimeError):
    """The server thread exited, or did not report started in time (the cause is in its log)."""


def start_in_thread(
    config: uvicorn.Config, *, timeout: float = 15.0, name: str | None = None
) -> tuple[uvicorn.Server, threading.Thread]:
    """Start ``uvicorn.Server(config)`` on a daemon thread and wait until it accepts connections.
    Stop it with ``server.should_exit = True`` and a join of the thread."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ServerStartError(f"server {name or config.host} did not start within {timeout:.0f}s")
        time.sleep(0.005)
    return server, thread


def bound_port(server: uvicorn.Server) -> int:
    """The port the (started) server listens on: the one the OS chose for ``port=0``."""
    return int(server.servers[0].sockets[0].getsockname()[1])


__all__ = ["ServerStartError", "bound_port", "start_in_thread"]
