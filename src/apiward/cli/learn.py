"""`apiward learn`: API discovery and baselines from traffic; `apiward profile`: review and promote."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from apiward.errors import ApiwardError
from apiward.learn.baseline import GLOBAL, Baseline
from apiward.learn.profile import BASELINE_FILE, SPEC_FILE, learn_profile
from apiward.learn.profilestore import ProfileStore

profile_app = typer.Typer(help="Review learned profiles and promote endpoints to enforcement.", no_args_is_help=True)


def _console() -> Console:
    """Tables stay one row per endpoint when output is piped (no terminal width to wrap to)."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def register(app: typer.Typer) -> None:
    app.command("learn")(learn_command)
    app.add_typer(profile_app, name="profile")


def learn_command(
    traffic: Annotated[list[str], typer.Argument(help="Corpus .jsonl(.gz)/.json, HAR, nginx/Apache combined logs, or sqlite:///events.db")],
    out: Annotated[Path, typer.Option("--out", help="Profile directory to write (openapi.yaml + baseline.json).")],
    min_samples: Annotated[int, typer.Option("--min-samples", min=1, help="Samples before an endpoint/parameter is enforced.")] = 30,
    client_cap: Annotated[int, typer.Option("--client-cap", min=1, help="Most samples one client contributes per endpoint.")] = 200,
    store: Annotated[str | None, typer.Option("--store", help="Also save a new version to sqlite:///... or postgresql://...")] = None,
    name: Annotated[str, typer.Option("--name", help="Profile name in --store.")] = "default",
) -> None:
    """Discover the API (OpenAPI 3.1) and learn per-endpoint baselines from traffic.

    Requests labelled attack (corpora) or blocked/flagged (event store) are never learned; garbage
    lines are skipped and counted. Exit 2 when an input cannot be read.
    """
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    console = Console()
    try:
        report = learn_profile(traffic, out, min_samples=min_samples, client_cap=client_cap)
    except (ApiwardError, OSError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    s = report.stats
    console.print(
        f"read {s.records} requests, skipped {s.skipped} unparseable, ignored {s.attacks} attacks/flagged; "
        f"{report.samples} learned ({report.capped} over the per-client cap)"
    )
    console.print(f"{report.endpoints} endpoints, {report.enforcing} with enough samples to enforce")
    console.print(f"wrote {report.spec_path} and {report.baseline_path}")
    if store is not None:
        import yaml

        try:
            profiles = ProfileStore(store)
            try:
                version = profiles.save(name, Baseline.load(report.baseline_path),
                                        yaml.safe_load(report.spec_path.read_text(encoding="utf-8")), note="apiward learn")
            finally:
                profiles.close()
        except ApiwardError as exc:
            Console(stderr=True).print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        console.print(f"saved profile {name!r} version {version}")


def _load(profile: Path) -> Baseline:
    try:
        return Baseline.load(profile / BASELINE_FILE)
    except ApiwardError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp)) if stamp is not None else "-"


@profile_app.command("show")
def show_command(
    profile: Annotated[Path, typer.Argument(help="Profile directory.")],
    since: Annotated[str | None, typer.Option("--since", help="Only endpoints first seen on/after this ISO date.")] = None,
) -> None:
    """List the endpoints of a profile with their sample counts, state and first/last sighting."""
    from datetime import datetime, timezone

    baseline = _load(profile)
    keep: set[str] | None = None
    if since is not None:
        try:
            moment = datetime.fromisoformat(since)
        except ValueError as exc:
            Console(stderr=True).print(f"[red]error:[/red] --since: not an ISO date: {since!r}")
            raise typer.Exit(2) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        keep = set(baseline.endpoints_since(moment.timestamp()))
    table = Table("endpoint", "samples", "clients", "params", "state", "first seen", "last seen")
    for key, ep in sorted(baseline.data["endpoints"].items()):
        if key == GLOBAL or (keep is not None and key not in keep):
            continue
        table.add_row(key, str(ep["n"]), str(ep.get("clients", 0)), str(len(ep.get("params", {}))), str(ep.get("state")),
                      _when(ep.get("first_seen")), _when(ep.get("last_seen")))
    _console().print(table)
    _console().print(f"spec: {profile / SPEC_FILE}  baseline version {baseline.data['version']}, created {baseline.data.get('created')}")


def _set_state(profile: Path, endpoints: list[str] | None, state: str) -> None:
    baseline = _load(profile)
    unknown = [e for e in endpoints or () if e not in baseline.data["endpoints"]]
    if unknown:
        Console(stderr=True).print(f"[red]error:[/red] unknown endpoints: {', '.join(unknown)}")
        raise typer.Exit(2)
    changed = baseline.promote(endpoints, state)
    baseline.save(profile / BASELINE_FILE)
    Console().print(f"{len(changed)} endpoint(s) now {state}")


@profile_app.command("promote")
def promote_command(
    profile: Annotated[Path, typer.Argument(help="Profile directory.")],
    endpoints: Annotated[list[str] | None, typer.Argument(help="'METHOD /template' (all when omitted).")] = None,
) -> None:
    """Move endpoints from learning to enforcement."""
    _set_state(profile, endpoints, "enforcing")


@profile_app.command("demote")
def demote_command(
    profile: Annotated[Path, typer.Argument(help="Profile directory.")],
    endpoints: Annotated[list[str] | None, typer.Argument(help="'METHOD /template' (all when omitted).")] = None,
) -> None:
    """Move endpoints back to learning (their baselines stop scoring)."""
    _set_state(profile, endpoints, "learning")


@profile_app.command("drift")
def drift_command(
    profile: Annotated[Path, typer.Argument(help="Profile directory.")],
    spec: Annotated[Path, typer.Option("--spec", help="The documented OpenAPI spec to compare with.")],
) -> None:
    """Shadow (observed but undocumented) endpoints and documented endpoints never observed.
    Exit 1 when there are shadow endpoints."""
    from apiward.learn.contract import Contract
    from apiward.learn.drift import drift
    from apiward.learn.spec import load_spec
    from apiward.settings import ApiSettings

    baseline = _load(profile)
    try:
        contract = Contract(load_spec(spec), ApiSettings())
    except ApiwardError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    result = drift(contract, baseline)
    console = Console()
    console.print(f"{len(result.documented)} documented endpoints observed")
    for key in result.shadow:
        console.print(f"shadow (undocumented): {key}")
    for key in result.unused:
        console.print(f"documented, never observed: {key}")
    if result.shadow:
        raise typer.Exit(1)


@profile_app.command("versions")
def versions_command(
    store: Annotated[str, typer.Argument(help="sqlite:///... or postgresql://...")],
    name: Annotated[str, typer.Argument(help="Profile name.")] = "default",
) -> None:
    """List the stored versions of a profile."""
    try:
        profiles = ProfileStore(store)
        try:
            rows = profiles.versions(name)
        finally:
            profiles.close()
    except ApiwardError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    table = Table("version", "created (UTC)", "note")
    for row in rows:
        table.add_row(str(row.version), time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row.created)), row.note)
    _console().print(table)


@profile_app.command("export")
def export_command(
    store: Annotated[str, typer.Argument(help="sqlite:///... or postgresql://...")],
    name: Annotated[str, typer.Argument(help="Profile name.")],
    out: Annotated[Path, typer.Option("--out", help="Profile directory to write.")],
    version: Annotated[int | None, typer.Option("--version", min=1, help="Version (latest when omitted).")] = None,
) -> None:
    """Write a stored profile version as a directory for --profile."""
    try:
        profiles = ProfileStore(store)
        try:
            found = profiles.export(name, out, version)
        finally:
            profiles.close()
    except ApiwardError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    Console().print(f"exported {name!r} version {found} to {out}")
