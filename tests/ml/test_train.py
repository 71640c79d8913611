"""`apiward train` end to end on a tiny synthetic data directory (seconds, no shared data)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from apiward.cli.main import _register, app
from apiward.ml.generators import generate_attacks, generate_benign
from apiward.ml.model import MODEL_FILENAME, AttackModel
from apiward.ml.training import TrainConfig, train


def _write(path: Path, records: list[dict]) -> None:  # type: ignore[type-arg]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")


def _record(value: str, label: str, category: str, site: str) -> dict:  # type: ignore[type-arg]
    from urllib.parse import quote

    return {
        "method": "GET",
        "url": f"/p?q={quote(value, safe='')}",
        "headers": {"Host": f"{site}.example", "User-Agent": "test/1.0"},
        "data": "",
        "label": label,
        "category": category,
        "source": f"synthetic:{site}",
    }


def _data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    rng = random.Random(0)
    benign = [s.value for s in generate_benign(99, 400)]
    _write(data / "wcp-legit-dev.jsonl.gz", [_record(v, "benign", "browsing", f"site{rng.randrange(6)}") for v in benign])
    _write(data / "csic2010-train.jsonl.gz", [_record(v, "benign", "csic-normal", "csic") for v in benign[:50]])
    attacks = generate_attacks(98, 5)
    crs = [_record(s.value, "attack", "sqli" if s.category == "sqli" else "rce", "crs") for s in attacks]
    crs += [_record(v, "benign", "sqli", "crs") for v in benign[:20]]
    for i, r in enumerate(crs):
        r["source"] = f"crs-regression:{942000 + i}:1"
    _write(data / "crs-regression.jsonl.gz", crs)
    return data


def _config(data: Path, out: Path) -> TrainConfig:
    return TrainConfig(
        data_dir=data, out_dir=out, seed=3, attacks_per_category=60, generated_benign=300, max_benign_values=2000,
        folds=2, fold_max_benign=1000, fold_attacks_per_category=40, epochs=3, n_jobs=1,
    )


def test_train_writes_a_loadable_model_and_card(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    result = train(_config(data, tmp_path / "out"))
    model = AttackModel.load(result.model_path)
    assert model.predict_proba(["1' or 1=1--", "hello"]).shape == (2, len(model.categories))
    card = result.card_path.read_text()
    assert "Site-held-out" in card and "crs-regression" in card
    assert result.metrics["site_held_out"]["sites"] == 6
    # half of the crs-regression attacks are learnt from; the report covers the other half only
    assert model.header["training_values"]["real_attack"] > 0
    assert "the held-out half" in card
    crs_attacks = len(generate_attacks(98, 5))
    assert 0 < result.metrics["crs-regression.jsonl.gz"]["attacks"] < crs_attacks
    assert model.header["data"]["wcp-legit-dev.jsonl.gz"]["sha256"]


def test_training_is_reproducible(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    a = AttackModel.load(train(_config(data, tmp_path / "a")).model_path)
    b = AttackModel.load(train(_config(data, tmp_path / "b")).model_path)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.calibration, b.calibration)


def test_cli_train(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    _register()
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        app, ["train", "--data", str(data), "--out", str(out), "--seed", "2", "--folds", "0", "--attacks-per-category", "50", "--max-benign", "1000", "--limit", "500"]
    )
    assert result.exit_code == 0, result.output
    assert (out / MODEL_FILENAME).is_file()
    assert (out / "MODEL_CARD.md").is_file()


def test_cli_train_missing_data(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(app, ["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2


def test_fold_models_score_each_site_with_the_model_that_never_saw_it(tmp_path: Path) -> None:
    import dataclasses
    import json

    data = _data_dir(tmp_path)
    folds = tmp_path / "folds"
    train(dataclasses.replace(_config(data, tmp_path / "out"), fold_dir=folds))
    paths = sorted(folds.glob("fold-*.npz"))
    assert len(paths) == 2
    held = [set(AttackModel.load(p).header["held_out_groups"]) for p in paths]
    assert held[0].isdisjoint(held[1]) and held[0] | held[1] == {f"synthetic:site{i}" for i in range(6)}

    _register()
    report = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["eval", str(data / "wcp-legit-dev.jsonl.gz"), "--fold-models", str(folds),
                                      "--json", str(report)])
    assert result.exit_code == 0, result.output
    scored = json.loads(report.read_text())
    assert "site-held-out" in scored["mode"] and scored["overall"]["count"] == 400
    # and a directory without fold models is a clear error
    empty = CliRunner().invoke(app, ["eval", str(data / "wcp-legit-dev.jsonl.gz"), "--fold-models", str(tmp_path)])
    assert empty.exit_code == 2 and "fold" in empty.output


def test_sample_keeps_every_value_the_model_is_asked_about() -> None:
    from apiward.ml.labelling import model_reads
    from apiward.ml.training import _sample_read_first

    asked = [f"<b>{i}</b>" for i in range(50)] + ["text/html,application/xml;q=0.9,*/*;q=0.8"]
    plain = [f"word{i}" for i in range(500)]
    reads = {v: model_reads(v) for v in asked + plain}
    assert all(reads[v] for v in asked) and not any(reads[v] for v in plain)
    picked = _sample_read_first(random.Random(3), plain + asked, 120, reads)
    assert len(picked) == 120 and set(asked) <= set(picked)
    assert len(set(picked)) == 120  # no value twice
    # more asked-about values than room: a sample of them, still no plain value
    only = _sample_read_first(random.Random(3), plain + asked, 20, reads)
    assert len(only) == 20 and set(only) <= set(asked)
