"""`apiward demo`: the bundled shop behind the gateway, with the dashboard; Ctrl-C stops it all."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from apiward.demo.launcher import DemoConfig, DemoError, DemoProcesses, prepare


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def instructions(config: DemoConfig) -> str:
    gw, admin = config.gateway_url, config.admin_url
    login = """'{"username": "alice", "password": "wonderland"}'"""
    login_cmd = f"curl -s -X POST {gw}/api/login -H 'content-type: application/json' -d {login}"
    identity_lines = (
        "\n[bold]With a token[/bold] (the gateway verifies the shop's JWTs and its authorization policy):\n"
        f"  TOKEN=$({login_cmd} | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n"
        f"  curl -s -H \"authorization: Bearer $TOKEN\" {gw}/api/me\n"
        f"  curl -si -H \"authorization: Bearer $TOKEN\" {gw}/api/users/2     # another user's record: 403\n"
        f"  curl -si {gw}/api/orders                                   # no token: 401\n"
        if config.jwt_secret
        else ""
    )
    spec_line = (
        f"  curl -si {gw}/api/admin/export     # in neither the OpenAPI spec nor the policy: refused\n"
        if config.spec
        else ""
    )
    return f"""
[bold green]apiward demo is running[/bold green]  (Ctrl-C stops everything)

  shop API (unprotected)   {config.api_url}      spec: {config.api_url}/openapi.yaml
  gateway (protected)      {gw}
  admin / dashboard        {admin}/dashboard
  admin token              [bold]{config.token}[/bold]
  events                   {config.events_db}

[bold]A normal call passes[/bold] (200):
  curl -s '{gw}/api/products?category=kitchen&limit=2'
  {login_cmd}

[bold]An attack is blocked[/bold] (403 problem+json with an event id):
  curl -si "{gw}/api/search?q=%27%20OR%201%3D1%20--"
  curl -si "{gw}/api/products?category=%3Cscript%3Ealert(1)%3C/script%3E"
  curl -si "{gw}/api/search?q=..%2F..%2F..%2Fetc%2Fpasswd"
{spec_line}{identity_lines}
[bold]See the events[/bold]:
  curl -s -H 'authorization: Bearer {config.token}' {admin}/api/events
  open {admin}/dashboard and sign in with the admin token
"""


def demo_command(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its config, token and events.")
    ] = Path(".apiward-demo"),
    api: Annotated[str, typer.Option("--api", help="HOST:PORT of the sample shop.")] = "127.0.0.1:8000",
    listen: Annotated[str, typer.Option("--listen", help="HOST:PORT of the gateway.")] = "127.0.0.1:8080",
    admin: Annotated[str, typer.Option("--admin", help="HOST:PORT of the admin API and dashboard.")] = (
        "127.0.0.1:8081"
    ),
    enforce_spec: Annotated[
        bool, typer.Option("--spec/--no-spec", help="Enforce the shop's OpenAPI spec at the gateway.")
    ] = True,
    identity: Annotated[
        bool,
        typer.Option("--identity/--no-identity", help="JWT verification, authorization policy, rate limits."),
    ] = True,
) -> None:
    """Start the sample shop API, the gateway in front of it and the admin dashboard."""
    console = Console()
    config = prepare(
        directory, api=api, listen=listen, admin=admin, enforce_spec=enforce_spec, identity=identity
    )
    processes = DemoProcesses(config)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the children too, like Ctrl-C
    # a shell starts background jobs with SIGINT ignored, and children inherit that: Ctrl-C / kill -INT
    # must still stop the demo (and, through `stop`, its children) wherever it was started from
    signal.signal(signal.SIGINT, signal.default_int_handler)
    console.print(f"starting the demo in {config.directory} ...")
    try:
        processes.start()
        processes.wait_ready()
        console.print(instructions(config), highlight=False, soft_wrap=True)
        processes.wait()
    except KeyboardInterrupt:
        console.print("\nstopping ...")
    except DemoError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        processes.stop()
        raise typer.Exit(1) from exc
    finally:
        processes.stop()
    console.print("stopped.")
