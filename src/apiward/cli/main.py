"""`apiward` entry point: registers each command module on one typer app."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="apiward",
    help="apiward: an AI-powered API security gateway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Each module exposes `register(app)`; imported here, not for side effects at import time.
    from apiward.cli import commands

    commands.register_all(app)


def main() -> None:
    _register()
    app()
