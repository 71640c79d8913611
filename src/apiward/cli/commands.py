"""The list of command modules. Adding a command group: write cli/NAME.py with `register(app)`
and add it here."""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: tuple[str, ...] = (
    # "serve", "demo", "eval", "bench", "train", "learn", "policy",
    "serve",
    "eval",
    "demo",
    "bench",
    "learn",
    "train",
    "policy",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"apiward.cli.{name}")
        module.register(app)
