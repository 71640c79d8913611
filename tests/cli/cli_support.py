"""Helpers for the CLI tests (a module name unique across the test tree)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import typer
import uvicorn

from apiward.gateway.threaded import bound_port, start_in_thread


def cli_app() -> typer.Typer:
    """A fresh typer app with every command registered, as `apiward` builds it."""
    from apiward.cli import commands

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    commands.register_all(app)
    return app


@contextlib.contextmanager
def running(app: Any, lifespan: str = "on") -> Iterator[str]:
    """Serve ``app`` on an ephemeral 127.0.0.1 port until the block ends; yields its URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    server, thread = start_in_thread(config, timeout=20)
    try:
        yield f"http://127.0.0.1:{bound_port(server)}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
