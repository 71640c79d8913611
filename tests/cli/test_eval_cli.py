"""`apiward eval` end to end: a small corpus written here, scored in-process through
`build_pipeline` (with the demo shop's OpenAPI spec as a real, deterministic stage) and black-box
through a real gateway in front of the real shop."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import cli_app, running
from typer.testing import CliRunner

from apiward.demo.launcher import bundled_spec
from apiward.demo.shop import create_shop_app

H = {"Host": "shop.example", "User-Agent": "Mozilla/5.0"}
RECORDS: list[dict[str, Any]] = [
    # attack the spec stops (not a documented category): true positive
    {"method": "GET", "url": "/api/products?category=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "headers": H,
     "data": "", "label": "attack", "category": "xss"},
    # labelled attack but a perfectly valid request: false negative
    {"method": "GET", "url": "/api/search?q=kettle", "headers": H, "data": "", "label": "attack",
     "category": "sqli"},
    # benign and valid: true negative
    {"method": "POST", "url": "/api/login", "headers": {**H, "Content-Type": "application/json"},
     "data": '{"username": "alice", "password": "wonderland"}', "label": "benign", "category": "api"},
    # benign but undocumented path: false positive, from another site
    {"method": "GET", "url": "/not/in/the/spec", "headers": {"Host": "other.example"}, "data": "",
     "label": "benign", "category": "api"},
]


def _write(path: Path, garbage: bool = True) -> None:
    lines = [json.dumps(r) for r in RECORDS]
    if garbage:
        lines.insert(1, "{broken")
        lines.append(json.dumps({"method": "GET", "url": "/x", "label": "unknown"}))
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def _spec_only_config(tmp_path: Path) -> Path:
    # Only the OpenAPI stage, so the expected counts do not move when the detection model changes.
    config = tmp_path / "apiward.yaml"
    config.write_text("detection:\n  enabled: false\n")
    return config


def test_in_process_scores_per_file_and_category(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl.gz"
    _write(corpus)
    array = tmp_path / "small.json"
    array.write_text(json.dumps(RECORDS))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli_app(), ["eval", str(corpus), str(array), "--spec", str(bundled_spec()), "--by-site",
                    "--json", str(out), "--config", str(_spec_only_config(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    assert "small.jsonl.gz" in result.output and "TPR" in result.output
    assert "2 invalid records skipped" in " ".join(result.output.split())
    report = json.loads(out.read_text())
    assert report["mode"] == "in-process"
    first = report["files"][0]
    assert first["skipped"] == 2
    total = first["total"]
    assert (total["tp"], total["fn"], total["tn"], total["fp"]) == (1, 1, 1, 1)
    assert total["tpr"] == 0.5 and total["tnr"] == 0.5 and total["balanced_accuracy"] == 0.5
    assert first["categories"]["xss"]["tpr"] == 1.0
    assert first["categories"]["sqli"]["tpr"] == 0.0
    assert first["categories"]["api"]["tnr"] == 0.5 and first["categories"]["api"]["tpr"] is None
    # misclassified records point back into the file (line numbers, garbage lines included)
    misses = {(m["index"], m["label"]) for m in first["misclassified"]}
    assert misses == {(2, "attack"), (4, "benign")}
    assert first["misclassified_total"] == 2
    assert first["false_positive_reasons"] == {"schema in path": 1}
    assert first["false_negative_categories"] == {"sqli": 1}
    # per-site rows, worst TNR first
    assert list(first["sites"]) == ["other.example", "shop.example"]
    assert first["sites"]["other.example"]["tnr"] == 0.0
    assert first["throughput_rps"] > 0
    assert report["files"][1]["total"]["count"] == 4 and report["overall"]["count"] == 8


def test_limit_scores_the_first_records(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl"
    _write(corpus, garbage=False)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli_app(), ["eval", str(corpus), "--limit", "2", "--json", str(out),
                                            "--config", str(_spec_only_config(tmp_path))])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["overall"]["count"] == 2


def test_holdout_leaves_out_the_records_the_model_trained_on(tmp_path: Path) -> None:
    from apiward.ml.split import trained_on

    corpus = tmp_path / "crs.jsonl"
    records = [dict(RECORDS[1], source=f"crs-regression:942100:{t}") for t in range(1, 21)]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(cli_app(), ["eval", str(corpus), "--holdout", "--json", str(out),
                                            "--config", str(_spec_only_config(tmp_path))])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    held_out = sum(not trained_on(r["source"]) for r in records)
    assert 0 < held_out < len(records)
    assert report["overall"]["count"] == held_out and "held-out" in report["mode"]


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli_app(), ["eval", str(tmp_path / "missing.jsonl.gz")])
    assert missing.exit_code == 2
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"a": 1}\n' * 1000)[:-30])
    assert runner.invoke(cli_app(), ["eval", str(broken)]).exit_code == 2
    bad_config = tmp_path / "bad.yaml"
    bad_config.write_text("detection:\n  no_such_key: 1\n")
    good = tmp_path / "ok.jsonl"
    _write(good)
    result = runner.invoke(cli_app(), ["eval", str(good), "--config", str(bad_config)])
    assert result.exit_code == 2 and "no_such_key" in result.output


@pytest.fixture
def gateway_url(tmp_path: Path) -> Any:
    from apiward.gateway.app import create_app
    from apiward.settings import load_settings

    with running(create_shop_app(), lifespan="off") as shop:
        settings = load_settings(None, {
            "gateway": {"upstream": shop},
            "api": {"spec": str(bundled_spec())},
            "detection": {"enabled": False},
            "events": {"store": f"sqlite:///{tmp_path / 'events.db'}"},
        })
        with running(create_app(settings)) as gateway:
            yield gateway


def test_via_a_running_gateway(tmp_path: Path, gateway_url: str) -> None:
    corpus = tmp_path / "small.jsonl"
    _write(corpus)
    out = tmp_path / "via.json"
    result = CliRunner().invoke(cli_app(), ["eval", str(corpus), "--via", gateway_url, "--json", str(out),
                                            "--concurrency", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["mode"] == f"via {gateway_url}"
    total = report["files"][0]["total"]
    assert (total["tp"], total["fn"], total["tn"], total["fp"], total["errors"]) == (1, 1, 1, 1, 0)


def test_via_an_unreachable_gateway_counts_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl"
    _write(corpus, garbage=False)
    out = tmp_path / "via.json"
    result = CliRunner().invoke(cli_app(), ["eval", str(corpus), "--via", "http://127.0.0.1:9", "--json",
                                            str(out)])
    assert result.exit_code == 0, result.output
    first = json.loads(out.read_text())["files"][0]
    total = first["total"]
    assert total["errors"] == 4 and total["count"] == 0 and total["tpr"] is None
    assert len(first["errors"]) == 4 and all("ConnectError" in e["reason"] for e in first["errors"])


def test_headers_swap_replays_legitimate_requests_with_sdk_headers(tmp_path: Path) -> None:
    # the markup sits in a header an SDK does not send: scored as recorded it is a false positive,
    # replayed as an SDK would send the request it is gone
    record = {"method": "GET", "url": "/api/search?q=kettle", "headers": {**H, "X-Note": "<script>alert(1)</script>"},
              "data": "", "label": "benign", "category": "api"}
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(record) + "\n")
    reports = {}
    for mode in ("recorded", "swap"):
        out = tmp_path / f"{mode}.json"
        result = CliRunner().invoke(cli_app(), ["eval", str(corpus), "--headers", mode, "--json", str(out)])
        assert result.exit_code == 0, result.output
        reports[mode] = json.loads(out.read_text())
    assert reports["recorded"]["overall"]["fp"] == 1
    assert reports["swap"]["overall"]["fp"] == 0 and reports["swap"]["overall"]["tn"] == 1
    assert "headers replayed as swap" in reports["swap"]["mode"]
