"""The inference path as it was before the speed work (featurize_views + linear_scores + the
softmax/Platt head), kept verbatim as the reference the fast path must equal."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from apiward.ml.features import N_DENSE, NGRAM_MAX, NGRAM_MIN, VIEW_HEAD, VIEW_TAIL
from apiward.ml.model import AttackModel

_START = "\x02"
_SEP = "\x03"
_PAD_LEN = NGRAM_MAX - 1
_PAD = "\x04" * _PAD_LEN
_MUL = np.uint32(0x01000193)
_SALTS = [np.uint32((0x9E3779B9 * n) & 0xFFFFFFFF) for n in range(NGRAM_MAX + 1)]
_MIX = np.uint32(0x85EBCA6B)
_SHIFT = np.uint32(32 - 18)

_CLASS = np.zeros(256, dtype=np.int8)
for _b in range(256):
    _c = chr(_b)
    if _b >= 0x80:
        _CLASS[_b] = 4
    elif _c.isalpha():
        _CLASS[_b] = 1
    elif _c.isdigit():
        _CLASS[_b] = 2
    elif _c.isspace():
        _CLASS[_b] = 3
_CLASS_ONEHOT = np.eye(5, dtype=np.float32)[_CLASS]
_CLASS_ONEHOT[[ord(_START), ord(_SEP), ord(_PAD[0])]] = 0


def _cut(view: str) -> str:
    if len(view) <= VIEW_HEAD + VIEW_TAIL:
        return view
    return view[:VIEW_HEAD] + "\n" + view[-VIEW_TAIL:]


def reference_proba(model: AttackModel, rows: Sequence[Sequence[str]]) -> np.ndarray:
    """Calibrated probabilities for rows of views (see `views_from_normalized`), the old way."""
    texts: list[bytes] = []
    n_views = np.empty(len(rows), dtype=np.float32)
    for i, views in enumerate(rows):
        n_views[i] = len(views)
        texts.append((_START + "".join([_cut(v) + _SEP for v in views]) + _PAD).encode("utf-8", "surrogatepass"))
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lens)
    starts = ends - lens
    total = int(ends[-1])
    data = np.frombuffer(b"".join(texts), dtype=np.uint8)
    codes = data.astype(np.uint32)
    buckets = np.empty((total, NGRAM_MAX - NGRAM_MIN + 1), dtype=np.intp)
    h = np.zeros(total, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for n in range(1, NGRAM_MAX + 1):
            h[: total - n + 1] = h[: total - n + 1] * _MUL + codes[n - 1 :]
            if n >= NGRAM_MIN:
                buckets[:, n - NGRAM_MIN] = ((h ^ _SALTS[n]) * _MIX) >> _SHIFT
    kept = lens - _PAD_LEN
    pos_in_row = np.arange(total, dtype=np.int64) - np.repeat(starts, lens)
    buckets = buckets[pos_in_row < np.repeat(kept, lens)]
    kept_ends = np.cumsum(kept)
    row_starts = kept_ends - kept
    scale = (1.0 / np.sqrt(kept.astype(np.float32) * (NGRAM_MAX - NGRAM_MIN + 1))).astype(np.float32)
    per_row = np.add.reduceat(np.take(_CLASS_ONEHOT, data, axis=0), starts, axis=0)
    chars = np.maximum(per_row.sum(axis=1), 1.0)
    dense = np.empty((len(texts), N_DENSE), dtype=np.float32)
    dense[:, 0] = np.log1p(chars) / 8.0
    dense[:, 1] = (n_views - 1.0) / 3.0
    dense[:, 2:] = per_row[:, [1, 2, 3, 0, 4]] / chars[:, None]
    # linear_scores
    weights_t = np.ascontiguousarray(model.weights_t)
    gathered = np.take(weights_t, buckets.reshape(-1), axis=1)
    sums = np.add.reduceat(gathered, row_starts * buckets.shape[1], axis=1, dtype=np.float32).T
    sums = sums * model.weight_scale
    pre = (sums * scale[:, None] + dense @ model.dense_weights + model.bias).astype(np.float32, copy=False)
    # head
    hidden = np.maximum(pre, 0.0)
    out = hidden @ model.out_weights + model.out_bias
    out -= out.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(out).sum(axis=1, keepdims=True))
    log_p = out[:, 1:] - log_norm
    z = (log_p - np.log1p(-np.minimum(np.exp(log_p), 1.0 - 1e-7))).astype(np.float32)
    x = z * model.calibration[0] + model.calibration[1]
    return (1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))).astype(np.float32, copy=False)
