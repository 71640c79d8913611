"""Rich tables of an evaluation report (rendering only; the CLI prints them)."""

from __future__ import annotations

from rich.table import Table

from apiward.evaluation.metrics import Counts
from apiward.evaluation.report import EvalReport, FileResult


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _row(name: str, c: Counts, throughput: str = "") -> list[str]:
    return [
        name,
        str(c.total),
        str(c.attacks),
        str(c.benign),
        _pct(c.tpr),
        _pct(c.tnr),
        _pct(c.balanced_accuracy),
        str(c.errors) if c.errors else "",
        throughput,
    ]


def _table(title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("group", min_width=12, overflow="fold")
    for name in ("count", "attacks", "benign", "TPR", "TNR", "bal.acc", "errors", "req/s"):
        table.add_column(name, justify="right", no_wrap=True)
    return table


def file_table(result: FileResult) -> Table:
    skipped = f" ({result.skipped} invalid records skipped)" if result.skipped else ""
    table = _table(f"{result.path}{skipped}")
    for name, counts in sorted(result.categories.items()):
        table.add_row(*_row(name, counts))
    table.add_section()
    table.add_row(*_row("[bold]all[/bold]", result.counts, f"{result.throughput:,.0f}"))
    extra = []
    if result.counts.throttled:
        extra.append(f"{result.counts.throttled} throttled (429)")
    if result.counts.rejected:
        extra.append(f"{result.counts.rejected} refused by the parser")
    if extra:
        table.caption = "blocked includes " + ", ".join(extra)
    return table


def site_table(result: FileResult, top: int = 25) -> Table:
    table = Table(title=f"{result.path}: sites by TNR (worst first)", title_justify="left")
    for name, justify in (("site", "left"), ("benign", "right"), ("false pos.", "right"), ("TNR", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for site, counts in result.worst_sites()[:top]:
        table.add_row(site, str(counts.benign), str(counts.fp), _pct(counts.tnr))
    return table


def summary_table(report: EvalReport) -> Table:
    table = _table(f"summary ({report.mode})")
    for result in report.files:
        table.add_row(*_row(str(result.path.name), result.counts, f"{result.throughput:,.0f}"))
    if len(report.files) > 1:
        table.add_section()
        table.add_row(*_row("[bold]all[/bold]", report.overall))
    return table


def reasons_table(result: FileResult, top: int = 10) -> Table | None:
    """The commonest reasons benign records were blocked (category and input source)."""
    if not result.fp_reasons:
        return None
    table = Table(title=f"{result.path.name}: why benign requests were blocked", title_justify="left")
    table.add_column("reason")
    table.add_column("false pos.", justify="right")
    for reason, n in result.fp_reasons.most_common(top):
        table.add_row(reason, str(n))
    return table
