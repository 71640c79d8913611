"""`apiward train`: reproduce the shipped attack model from the development data + generators."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from apiward.errors import ApiwardError


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)


def train_command(
    data: Annotated[Path, typer.Option("--data", help="Directory with wcp-legit-dev, csic2010-* and crs-regression corpora.")] = Path("../shared/data"),
    out: Annotated[Path, typer.Option("--out", help="Where the model and MODEL_CARD.md are written.")] = Path("models"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generators, sampling and SGD.")] = 1,
    folds: Annotated[int, typer.Option("--folds", help="Site-held-out validation folds (0: skip validation).")] = 3,
    attacks_per_category: Annotated[int, typer.Option("--attacks-per-category", help="Generated attack values per category.")] = 6000,
    max_benign_values: Annotated[int, typer.Option("--max-benign", help="Real-traffic values in the final model: every one the stage asks the model about, then a sample of the plain ones.")] = 120000,
    fold_models: Annotated[Path | None, typer.Option("--fold-models", help="Also keep the site-fold models here (for `apiward eval --fold-models`).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Read only the first N requests of each corpus (quick runs).")] = None,
) -> None:
    """Train the attack model; writes OUT/apiward-attack-model.npz and OUT/MODEL_CARD.md."""
    from apiward.ml.training import TrainConfig, train

    logging.getLogger("multipart").setLevel(logging.ERROR)
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    if not data.is_dir():
        typer.echo(f"error: data directory {data} not found", err=True)
        raise typer.Exit(2)
    small = limit is not None and limit < 20000
    config = TrainConfig(
        data_dir=data,
        out_dir=out,
        seed=seed,
        folds=folds,
        attacks_per_category=attacks_per_category,
        max_benign_values=max_benign_values,
        generated_benign=2000 if small else 40000,
        fold_max_benign=min(40000, max_benign_values),
        fold_attacks_per_category=min(2000, attacks_per_category),
        wcp_limit=limit,
        csic_limit=limit,
        eval_limit=limit,
        fold_dir=fold_models,
    )
    try:
        result = train(config, log=typer.echo)
    except ApiwardError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"model: {result.model_path}\ncard: {result.card_path}\ntime: {result.seconds:.0f}s")
