"""`apiward eval`: score labelled corpora through the gateway's pipeline (or a running gateway)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from apiward.errors import ApiwardError, ConfigError
from apiward.evaluation.corpus import CorpusError, CorpusReader
from apiward.evaluation.replay_headers import HeaderMode, header_transform
from apiward.evaluation.report import EvalReport
from apiward.evaluation.runner import evaluate_file
from apiward.evaluation.scorer import FoldScorer, InProcessScorer, RemoteScorer, Scorer
from apiward.evaluation.tables import (
    file_table,
    reasons_table,
    site_table,
    summary_table,
)
from apiward.settings import load_settings


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def _settings_overrides(spec: Path | None, profile: Path | None) -> dict[str, Any]:
    api: dict[str, Any] = {}
    if spec is not None:
        api["spec"] = str(spec)
    if profile is not None:
        api["profile"] = str(profile)
    return {"api": api} if api else {}


def eval_command(
    files: Annotated[list[Path], typer.Argument(help="Corpus files: .jsonl.gz, .jsonl or .json arrays.")],
    via: Annotated[
        str | None, typer.Option("--via", help="Send each record to a running gateway (403 = blocked).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full report as JSON here.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="apiward.yaml (in-process scoring).")] = None,
    spec: Annotated[Path | None, typer.Option("--spec", help="OpenAPI spec to enforce.")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="Learned profile directory.")] = None,
    by_site: Annotated[bool, typer.Option("--by-site", help="Add per-site (Host) TNR rows.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Score at most N records per file.")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Requests in flight with --via.")] = 16,
    fold_models: Annotated[
        Path | None,
        typer.Option("--fold-models", help="Score each record with the fold model that never saw its site (apiward train --fold-models)."),
    ] = None,
    holdout: Annotated[
        bool,
        typer.Option("--holdout", help="Leave out the crs-regression records the shipped model trained on."),
    ] = False,
    headers: Annotated[
        HeaderMode,
        typer.Option(
            "--headers",
            help="Replay with other header sets: browser (a browser's full set added), sdk (only Host, "
            "Content-Type, Authorization, Cookie), swap (attacks as browser, legitimate as sdk).",
        ),
    ] = HeaderMode.RECORDED,
    max_misses: Annotated[
        int, typer.Option("--max-misses", min=0, help="Misclassified records listed in the JSON.")
    ] = 200,
) -> None:
    """Score labelled corpora; print TPR / TNR / balanced accuracy per file and category.

    Exit code 0 whatever the scores (it is a measurement); 2 when a file or the config cannot be read.
    """
    # python-multipart warns on every malformed part through the last-resort handler; in a
    # corpus of attacks that is noise, and the outcome is already counted as rejected.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    out = Console()
    if not out.is_terminal:
        out = Console(width=120)
    err = Console(stderr=True)
    try:
        for path in files:
            CorpusReader(path)  # fails early on a missing file
        if via is not None and fold_models is not None:
            raise ConfigError("--fold-models scores in-process; it cannot be combined with --via")
        if via is None:
            settings = load_settings(config, _settings_overrides(spec, profile))
    except (CorpusError, ConfigError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc

    suffix = (", held-out half" if holdout else "") + (
        "" if headers is HeaderMode.RECORDED else f", headers replayed as {headers.value}"
    )

    async def run() -> EvalReport:
        scorer: Scorer
        if via is not None:
            scorer = RemoteScorer(via, concurrency=concurrency)
            report = EvalReport(mode=f"via {via}" + suffix)
        elif fold_models is not None:

            def settings_for(model: Path) -> Any:
                overrides = _settings_overrides(spec, profile)
                overrides["detection"] = {"model": str(model)}
                return load_settings(config, overrides)

            scorer = FoldScorer(settings_for, fold_models)
            report = EvalReport(mode="in-process, site-held-out fold models" + suffix)
        else:
            scorer = InProcessScorer(settings)
            report = EvalReport(mode="in-process" + suffix)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[records]} records"),
            TimeElapsedColumn(),
        )
        try:
            with Progress(*columns, console=err, transient=True) as progress:
                for path in files:
                    task = progress.add_task(path.name, total=1, records=0)

                    def update(done: int, total: int, records: int, task: Any = task) -> None:
                        progress.update(task, completed=done, total=max(total, 1), records=records)

                    report.files.append(
                        await evaluate_file(
                            path,
                            scorer,
                            limit=limit,
                            max_misses=max_misses,
                            progress=update,
                            holdout=holdout,
                            transform=header_transform(headers),
                        )
                    )
        finally:
            await scorer.aclose()
        return report

    try:
        report = asyncio.run(run())
    except CorpusError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except ApiwardError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc

    for result in report.files:
        out.print(file_table(result))
        reasons = reasons_table(result)
        if reasons is not None:
            out.print(reasons)
        if by_site:
            out.print(site_table(result))
    out.print(summary_table(report))
    if json_out is not None:
        json_out.write_bytes(orjson.dumps(report.to_dict(by_site=by_site), option=orjson.OPT_INDENT_2))
        out.print(f"report written to {json_out}")
