"""Helpers for the CLI tests (a module name unique across the test tree)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import typer
import uvicorn


def cli_app() -> typer.Typer:
    """A fresh typer app with every command registered, as `apiward` builds it."""
    from apiward.cli import commands

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    commands.register_all(app)
    return app


@contextlib.contextmanager
def running(app: Any, lifespan: str = "on") -> Iterator[str]:
    """Serve ``app`` on an ephemeral 127.0.0.1 port until the block ends; yields its URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.005)  # polling readiness
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
