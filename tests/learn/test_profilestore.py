"""Versioned profile storage on real SQLite files and the real PostgreSQL server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apiward.errors import StoreError
from apiward.learn.baseline import BaselineLearner
from apiward.learn.profilestore import ProfileStore
from apiward.http.parse import corpus_request
from apiward.settings import LimitSettings

from .test_cli import _app


def _baseline():  # type: ignore[no-untyped-def]
    learner = BaselineLearner(min_samples=1000)
    for i in range(50):
        learner.observe("GET /x", corpus_request({"method": "GET", "url": f"/x?a={i}", "headers": {}, "data": ""}, LimitSettings()))
    return learner.finish()


def _exercise(store: ProfileStore, name: str, tmp_path: Path) -> None:
    baseline = _baseline()
    assert baseline.data["endpoints"]["GET /x"]["state"] == "learning"
    assert store.save(name, baseline, {"openapi": "3.1.0", "paths": {}}, note="first") == 1
    assert store.promote(name, ["GET /x"]) == 2
    assert [v.version for v in store.versions(name)] == [1, 2]
    latest, spec, version = store.load(name)
    assert version == 2 and latest.data["endpoints"]["GET /x"]["state"] == "enforcing"
    first, _, _ = store.load(name, 1)
    assert first.data["endpoints"]["GET /x"]["state"] == "learning"
    assert store.export(name, tmp_path / "out", 1) == 1
    assert json.loads((tmp_path / "out" / "baseline.json").read_text())["endpoints"]["GET /x"]["state"] == "learning"
    with pytest.raises(StoreError):
        store.load(name, 99)


def test_sqlite_store(tmp_path: Path) -> None:
    store = ProfileStore(f"sqlite:///{tmp_path / 'profiles.db'}")
    try:
        _exercise(store, "shop", tmp_path)
    finally:
        store.close()


def test_postgres_store(tmp_path: Path, database_url: str) -> None:
    try:
        store = ProfileStore(database_url)
    except StoreError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    try:
        _exercise(store, f"test-{uuid.uuid4().hex}", tmp_path)
    finally:
        store.close()


def test_bad_urls(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        ProfileStore("redis://x")
    with pytest.raises(StoreError):
        ProfileStore(f"sqlite:///{tmp_path}/missing-dir/x.db")


def test_cli_learn_into_store_and_export(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"method": "GET", "url": f"/y?i={i}", "headers": {}, "data": ""}) for i in range(40)))
    url = f"sqlite:///{tmp_path / 'p.db'}"
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(_app(), ["learn", str(corpus), "--out", str(tmp_path / "p"), "--store", url, "--name", "api"])
        assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    listed = runner.invoke(_app(), ["profile", "versions", url, "api"])
    assert listed.exit_code == 0 and "apiward learn" in listed.output
    exported = runner.invoke(_app(), ["profile", "export", url, "api", "--out", str(tmp_path / "e"), "--version", "1"])
    assert exported.exit_code == 0 and (tmp_path / "e" / "openapi.yaml").is_file()
