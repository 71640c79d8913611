"""The featurizer is stateless and deterministic, and its fast scorer equals the sparse product."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from apiward.ml.features import (
    N_BUCKETS,
    N_DENSE,
    N_FEATURES,
    featurize,
    linear_scores,
    schema_hash,
    to_csr,
    value_views,
)

VALUES = ["", "1", "hello world", "O'Brien", "1' or '1'='1", "%3Cscript%3Ealert(1)%3C/script%3E", "ünïcödé ＳＥＬＥＣＴ", "x" * 10000]


def test_featurize_is_deterministic_and_independent_of_batch_order() -> None:
    a = to_csr(featurize(VALUES))
    b = to_csr(featurize(list(reversed(VALUES))))
    assert a.shape == (len(VALUES), N_FEATURES)
    for i in range(len(VALUES)):
        j = len(VALUES) - 1 - i
        assert (a[i] != b[j]).nnz == 0
    again = to_csr(featurize(VALUES))
    assert (a != again).nnz == 0


def test_schema_hash_is_stable() -> None:
    assert schema_hash() == schema_hash()
    assert len(schema_hash()) == 16


def test_views_decode_and_lower_case() -> None:
    views = value_views("%3CScRiPt%3E")
    assert views[0] == "%3cscript%3e"
    assert "<script>" in views


def test_long_values_are_windowed() -> None:
    batch = featurize(["a" * 1_000_000])
    assert batch.buckets.shape[0] < 10_000


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=12))
def test_fast_scores_equal_the_sparse_product(values: list[str]) -> None:
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(N_BUCKETS, 3)).astype(np.float32)
    dense = rng.normal(size=(N_DENSE, 3)).astype(np.float32)
    bias = rng.normal(size=3).astype(np.float32)
    batch = featurize(values)
    fast = linear_scores(batch, np.ascontiguousarray(weights.T), dense, bias)
    ref = to_csr(batch) @ np.vstack([weights, dense]) + bias
    assert fast.shape == (len(values), 3)
    np.testing.assert_allclose(fast, ref, rtol=1e-4, atol=1e-3)
    q = np.clip(np.rint(weights * 20), -127, 127).astype(np.int8)
    scaled = linear_scores(batch, np.ascontiguousarray(q.T), dense, bias, np.full(3, 0.05, np.float32))
    ref_q = to_csr(batch) @ np.vstack([q.astype(np.float32) * 0.05, dense]) + bias
    np.testing.assert_allclose(scaled, ref_q, rtol=1e-4, atol=1e-3)


def test_empty_batch() -> None:
    batch = featurize([])
    assert batch.n_rows == 0
    out = linear_scores(batch, np.zeros((2, N_BUCKETS), np.float32), np.zeros((N_DENSE, 2), np.float32), np.zeros(2, np.float32))
    assert out.shape == (0, 2)
