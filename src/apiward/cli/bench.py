"""`apiward bench`: inspection and proxy benchmarks, printed next to the targets of issue 2."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import apiward
from apiward.evaluation.bench import (
    TARGETS,
    BenchError,
    BenchPlan,
    BenchReport,
    run_bench,
)


def register(app: typer.Typer) -> None:
    app.command("bench")(bench_command)


def default_data_dir() -> Path:
    """``../shared/data`` relative to the repository (or to the current directory)."""
    repo = Path(apiward.__file__).resolve().parents[2]
    candidates = [repo.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value / 1e6:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f}"


def figures(report: BenchReport) -> list[tuple[str, float | None, str, str]]:
    """(what, measured, unit, target) rows of the summary table."""
    tp, insp = report.throughput, report.inspection
    added = report.added_latency()

    def rps(name: str, kind: str) -> float | None:
        value = tp.get(name, {}).get(kind, {}).get("rps_median")
        return float(value) if value is not None else None

    def lat(name: str, q: str) -> float | None:
        value = report.latency.get(name, {}).get(q)
        return float(value) if value is not None else None

    benign: dict[str, Any] = insp.get("benign", {})
    attack: dict[str, Any] = insp.get("attack", {})
    return [
        ("proxy GET req/s, inspection on (50 conn.)", rps("inspection_on", "get"), "", f">= {TARGETS['get_rps']:,.0f}"),
        ("proxy 1 KB JSON POST req/s, inspection on", rps("inspection_on", "post"), "", f">= {TARGETS['post_rps']:,.0f}"),
        ("proxy GET req/s, inspection off", rps("inspection_off", "get"), "", ""),
        ("proxy 1 KB JSON POST req/s, inspection off", rps("inspection_off", "post"), "", ""),
        ("upstream direct GET req/s", rps("direct", "get"), "", ""),
        ("added p50 latency @1k req/s, inspection on", added.get("inspection_on_p50_ms"), "ms",
         f"< {TARGETS['added_p50_ms']:.0f} ms"),
        ("added p99 latency @1k req/s, inspection on", added.get("inspection_on_p99_ms"), "ms",
         f"< {TARGETS['added_p99_ms']:.0f} ms"),
        ("added p50 latency, inspection off", added.get("inspection_off_p50_ms"), "ms", ""),
        ("added p99 latency, inspection off", added.get("inspection_off_p99_ms"), "ms", ""),
        ("p50 latency direct to upstream", lat("inspection_on", "direct_p50_ms"), "ms", ""),
        ("p99 latency direct to upstream", lat("inspection_on", "direct_p99_ms"), "ms", ""),
        ("p50 latency through gateway, inspection on", lat("inspection_on", "p50_ms"), "ms", ""),
        ("p99 latency through gateway, inspection on", lat("inspection_on", "p99_ms"), "ms", ""),
        ("in-process parse+inspect, benign stream, each request once (1 core) req/s", benign.get("rps_stream"), "",
         f">= {TARGETS['inspect_benign_rps']:,.0f}"),
        ("in-process parse+inspect, benign sample replayed (warm) req/s", benign.get("rps_parse_and_inspect_median"), "", ""),
        ("in-process parse+inspect, benign sample, first pass (cold) req/s", benign.get("rps_parse_and_inspect_cold"), "", ""),
        ("in-process inspect only, benign mix req/s", benign.get("rps_inspect_only_median"), "", ""),
        ("in-process parse only, benign mix req/s", benign.get("parse_only_rps_median"), "", ""),
        ("in-process parse+inspect, CRS attacks req/s", attack.get("rps_parse_and_inspect_median"), "", ""),
        ("pipeline build incl. model load", insp.get("pipeline_build_seconds"), "s", ""),
        ("RSS with pipeline loaded", insp.get("rss_pipeline_bytes"), "MB", ""),
        ("peak RSS of the bench process (incl. the corpus records it holds)", insp.get("rss_peak_bytes"), "MB", ""),
    ]


def _verdict(value: float | None, target: str) -> str:
    if value is None or not target:
        return ""
    op, _, number = target.partition(" ")
    limit = float(number.replace(",", "").split()[0])
    ok = value >= limit if op == ">=" else value < limit
    return "met" if ok else "MISSED"


def summary_table(report: BenchReport) -> Table:
    table = Table(title="apiward bench (medians)", title_justify="left")
    table.add_column("figure")
    table.add_column("measured", justify="right")
    table.add_column("target (issue 2)", justify="right")
    table.add_column("", justify="left")
    for what, value, unit, target in figures(report):
        table.add_row(what, _fmt(value, unit), target, _verdict(value, target))
    return table


SECTION = "## Gateway and inspection performance (issue 2, `apiward bench`)"
REFERENCE = (
    "Reference from issue 2, same machine: nginx + ModSecurity 3.0.9 + OWASP CRS 3.3.4 (PL1) served about "
    "600-800 GET/s and about 250 JSON POST/s (wrk, 2 threads, 50 connections), p50 latency 60-90 ms; "
    "plain nginx about 24,000 req/s."
)


def markdown(report: BenchReport) -> str:
    """The figures as a Markdown section (``## ...``), for bench/RESULTS.md."""
    m = report.machine
    lines = [
        SECTION,
        "",
        f"- machine: {m.get('nproc')} CPUs (`nproc`), {m.get('cpu')}; {m.get('platform')}; Python {m.get('python')}",
        f"- date: {m.get('date')}",
        f"- command: `{report.command}`",
        f"- load generator: {m.get('load_generator')}",
        (
            f"- load average (1, 5, 15 min) at start / end: {m.get('load_average_at_start')} / "
            f"{m.get('load_average_at_end')} (other work shares the machine: figures are pessimistic)"
        ),
        "",
        "| figure | measured | target (issue 2) | |",
        "| --- | ---: | ---: | --- |",
    ]
    for what, value, unit, target in figures(report):
        lines.append(f"| {what} | {_fmt(value, unit)} | {target} | {_verdict(value, target)} |")
    stages = report.inspection.get("benign", {}).get("stage_us_per_request") or {}
    if stages:
        per_stage = ", ".join(f"{name} {us:.0f} µs" for name, us in stages.items())
        lines += ["", f"Inspection time per benign request by stage: {per_stage}."]
    lines += ["", REFERENCE, "", "Notes:"] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Put ``section`` into the Markdown file at ``path``, replacing an earlier copy of it and
    keeping every other section (other parts of the project record their results there too)."""
    if not path.exists():
        path.write_text("# apiward benchmark results\n\n" + section)
        return
    lines = path.read_text().splitlines(keepends=True)
    heading = section.splitlines()[0]
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == heading), None)
    if start is None:
        title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        at = 0 if title is None else title + 1
        head = lines[:at] + (["\n"] if at else [])
        path.write_text("".join(head) + section + "\n" + "".join(lines[at:]).lstrip("\n"))
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    path.write_text("".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:]))


def bench_command(
    quick: Annotated[bool, typer.Option("--quick", help="Shorter runs and a smaller sample.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write every figure as JSON here.")] = None,
    markdown_out: Annotated[
        Path | None,
        typer.Option("--markdown", help="Write (or update) the figures' section of a Markdown file (bench/RESULTS.md)."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Development data dir (default ../shared/data of the repo).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Gateway workers (0: one per CPU).")] = 0,
    rate: Annotated[float, typer.Option("--rate", min=1, help="Fixed rate of the latency runs (req/s).")] = 1000.0,
    connections: Annotated[int, typer.Option("--connections", min=1, help="Concurrent connections.")] = 50,
) -> None:
    """Measure inspection throughput, proxy throughput and added latency (medians of 3 runs)."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    err = Console(stderr=True)
    data_dir = data or default_data_dir()
    plan = BenchPlan(data_dir=data_dir, quick=quick, connections=connections, rate=rate, workers=workers)
    command = "apiward " + shlex.join(["bench", *sys.argv[2:]]) if len(sys.argv) > 1 else "apiward bench"
    try:
        report = run_bench(plan, command, log=lambda msg: err.print(f"[dim]{msg}[/dim]"))
    except BenchError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    console.print(summary_table(report))
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
    if json_out is not None:
        json_out.write_bytes(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2))
    if markdown_out is not None:
        write_section(markdown_out, markdown(report))
