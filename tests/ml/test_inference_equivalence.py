"""The fast inference path (`ngram_sums` + the model head) computes what the original path
(`featurize_views` + `linear_scores`, kept in `reference_inference`) computed, on the shipped
model, for real values from the development corpora and for edge cases."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from apiward.errors import RequestRejected
from apiward.evaluation.corpus import CorpusReader
from apiward.http.normalize import normalize
from apiward.http.parse import corpus_request
from apiward.ml.features import (
    GatherBuffers,
    featurize_views,
    linear_scores,
    ngram_sums,
    views_from_normalized,
    weight_table,
)
from apiward.ml.model import AttackModel, default_model_path
from apiward.settings import LimitSettings

from .reference_inference import reference_proba

TOLERANCE = 1e-4
RECORDS_PER_FILE = 600

EDGE_VALUES = [
    "",
    "a",
    "\x04\x04\x04\x04",
    "\x02\x03",
    "1' or '1'='1",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "ünïcödé ＳＥＬＥＣＴ \ud800",
    "x" * 10_000,
    "ab" * 3000 + "<svg onload=alert(1)>",
    "\u0000\u00ff\U0001f600",
]


@pytest.fixture(scope="module")
def model() -> AttackModel:
    path = default_model_path()
    if not path.is_file():
        pytest.fail(f"shipped model missing at {path}: run `apiward train`")
    return AttackModel.load(path)


def _request_rows(path: Path, n: int) -> Iterator[list[tuple[str, ...]]]:
    """Per request of the corpus file, the model rows of its field values (as the stage does)."""
    limits = LimitSettings()
    for record in islice(CorpusReader(path), n):
        try:
            view = corpus_request(record.data, limits)
        except RequestRejected:
            continue
        rows = [views_from_normalized(normalize(f.value)) for f in view.fields if f.value]
        if rows:
            yield rows


@pytest.mark.parametrize("name", ["wcp-legit-dev.jsonl.gz", "crs-regression.jsonl.gz"])
def test_fast_path_equals_reference_on_corpus_values(model: AttackModel, shared_data: Path, name: str) -> None:
    checked = 0
    worst = 0.0
    for rows in _request_rows(shared_data / name, RECORDS_PER_FILE):
        got = model._scores_views(rows)
        want = reference_proba(model, rows)
        np.testing.assert_allclose(model.scores(featurize_views(rows)), want, atol=TOLERANCE, rtol=0)
        assert got.shape == want.shape == (len(rows), len(model.categories))
        worst = max(worst, float(np.abs(got - want).max()))
        checked += len(rows)
    assert checked >= 2000
    assert worst <= TOLERANCE


def test_predict_proba_equals_reference_on_edge_values(model: AttackModel) -> None:
    rows = [views_from_normalized(normalize(v)) for v in EDGE_VALUES]
    want = reference_proba(model, rows)
    np.testing.assert_allclose(model.predict_proba(EDGE_VALUES), want, atol=TOLERANCE, rtol=0)
    # the training / evaluation path (a featurised Batch) too
    np.testing.assert_allclose(model.scores(featurize_views(rows)), want, atol=TOLERANCE, rtol=0)
    # one value at a time (and again from the cache) gives the same rows as the batch
    for i, value in enumerate(EDGE_VALUES):
        for _ in range(2):
            np.testing.assert_allclose(model.predict_proba([value])[0], want[i], atol=TOLERANCE, rtol=0)


def test_ngram_sums_equal_the_batch_sums(model: AttackModel) -> None:
    """The integer n-gram sums, scale and dense measures equal those of `featurize_views`."""
    rows = [views_from_normalized(normalize(v)) for v in EDGE_VALUES]
    table = weight_table(np.ascontiguousarray(model.weights_t.T))
    sums, scale, dense = ngram_sums(rows, table)
    batch = featurize_views(rows)
    units = table.shape[1]
    plain = linear_scores(batch, np.ascontiguousarray(model.weights_t), np.zeros((dense.shape[1], units), np.float32), np.zeros(units, np.float32))
    np.testing.assert_array_equal(sums * batch.scale[:, None], plain)
    np.testing.assert_array_equal(sums, np.rint(sums))
    np.testing.assert_array_equal(scale, batch.scale)
    np.testing.assert_array_equal(dense, batch.dense)
    assert sums.dtype == np.float32


def test_loaded_model_memory_is_bounded(model: AttackModel) -> None:
    """The model holds one int8 weight table and cache-sized scratch buffers (a worker's RSS
    stays far below the 300 MB budget)."""
    held = [model._table, model._buffers.int8, model._buffers.float32, model._buffers.ones]
    assert sum(a.nbytes for a in held) < 12 << 20


@pytest.mark.parametrize("block_rows", [1, 7, 64, 4096])
def test_block_size_does_not_change_the_sums(model: AttackModel, block_rows: int) -> None:
    """Values split across gather blocks (and blocks holding many values) sum to the same."""
    rows = [views_from_normalized(normalize(v)) for v in EDGE_VALUES * 2]
    table = weight_table(np.ascontiguousarray(model.weights_t.T))
    want = ngram_sums(rows, table)
    got = ngram_sums(rows, table, GatherBuffers(table.shape[1], rows=block_rows))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_value_batches_equal_their_rows_in_a_larger_batch(model: AttackModel) -> None:
    """`ngram_sums` has a shortcut for a batch of one value: bit for bit the same features as
    that value's row in a batch of several."""
    rows = [views_from_normalized(normalize(value)) for value in EDGE_VALUES + ["id=1 union select 1", "GET /a/b"]]
    table = weight_table(model.weights_t.T)
    together = ngram_sums(rows, table, GatherBuffers(table.shape[1]))
    for i, row in enumerate(rows):
        alone = ngram_sums([row], table, GatherBuffers(table.shape[1]))
        for a, b in zip(alone, together, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a[0], b[i])
