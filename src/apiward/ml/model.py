"""The attack model: a small neural network (one hidden ReLU layer, softmax over benign + the
attack categories) over hashed n-gram features, with Platt calibration per category, stored as a
versioned, pickle-free artifact.

Artifact format (one ``.npz`` file, loaded with ``allow_pickle=False``):

- ``header``: UTF-8 JSON (as a uint8 array) with ``format`` (= `FORMAT`), ``format_version``,
  ``feature_schema`` and ``feature_schema_hash``, ``categories``, ``thresholds``, library versions
  used for training, training date, data digests, metrics, and ``arrays``: the SHA-256 of every
  array below (a flipped bit is refused, not silently used);
- ``weights`` int8 (N_BUCKETS x hidden) and ``weight_scale`` float32 (hidden): the hashed n-gram
  weights of the hidden layer, quantised per unit; ``dense_weights`` float32 (N_DENSE x hidden),
  ``bias`` float32 (hidden);
- ``out_weights`` float32 (hidden x 1 + categories), ``out_bias`` float32 (1 + categories): the
  softmax layer, column 0 is "benign";
- ``calibration`` float32 (2 x categories): Platt slope and intercept per category, applied to
  the logit of the category's softmax probability.

Inference is numpy only. `AttackModel.load` raises `ModelError` on a missing, corrupt or
mismatched file: a detection stage never starts with a model it cannot trust.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from apiward.core import ATTACK_CATEGORIES, Category
from apiward.errors import ModelError
from apiward.ml.features import (
    FEATURE_SCHEMA,
    N_BUCKETS,
    N_DENSE,
    Batch,
    GatherBuffers,
    linear_scores,
    ngram_sums,
    schema_hash,
    sigmoid,
    value_views,
    views_from_normalized,
    weight_table,
)

FORMAT = "apiward-attack-model"
FORMAT_VERSION = 2
MODEL_FILENAME = "apiward-attack-model.npz"
MAX_ARTIFACT_BYTES = 64 << 20
_ARRAYS: dict[str, tuple[str, int]] = {  # name -> (dtype, ndim)
    "weights": ("int8", 2),
    "weight_scale": ("float32", 1),
    "dense_weights": ("float32", 2),
    "bias": ("float32", 1),
    "out_weights": ("float32", 2),
    "out_bias": ("float32", 1),
    "calibration": ("float32", 2),
}
CACHE_SIZE = 4096  # distinct short values remembered per model (headers repeat across requests)
CACHE_MAX_CHARS = 512


def default_model_path() -> Path:
    """The shipped model: ``models/apiward-attack-model.npz`` at the repository root."""
    return Path(__file__).resolve().parents[3] / "models" / MODEL_FILENAME


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def quantize(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column symmetric int8 quantisation: ``w ~ q * scale``."""
    peak = np.abs(weights).max(axis=0)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(weights / scale), -127, 127).astype(np.int8)
    return q, scale


class AttackModel:
    """Calibrated attack probabilities per category for a batch of values.

    ``categories`` orders the columns of `predict_proba`. ``thresholds`` are the per-category
    operating points chosen at training for the false-positive rate stated in the header
    (``header["operating_point"]``); ``header`` carries the rest of the model card data.
    """

    def __init__(
        self,
        categories: Sequence[Category],
        weights: np.ndarray,
        dense_weights: np.ndarray,
        bias: np.ndarray,
        out_weights: np.ndarray,
        out_bias: np.ndarray,
        calibration: np.ndarray,
        thresholds: Mapping[Category, float] | None = None,
        header: Mapping[str, Any] | None = None,
        cache_size: int = CACHE_SIZE,
        weight_scale: np.ndarray | None = None,
    ) -> None:
        k = len(categories)
        hidden = weights.shape[1] if weights.ndim == 2 else -1
        if weights.shape != (N_BUCKETS, hidden) or dense_weights.shape != (N_DENSE, hidden) or bias.shape != (hidden,):
            raise ModelError(f"hidden layer shapes {weights.shape}/{dense_weights.shape}/{bias.shape} are inconsistent")
        if out_weights.shape != (hidden, k + 1) or out_bias.shape != (k + 1,) or calibration.shape != (2, k):
            raise ModelError(f"output shapes {out_weights.shape}/{out_bias.shape}/{calibration.shape} do not fit {k} categories")
        self.categories: tuple[Category, ...] = tuple(categories)
        if weights.dtype == np.int8:
            if weight_scale is None or weight_scale.shape != (hidden,):
                raise ModelError("int8 weights need a per-unit weight_scale")
            q, scale = weights, weight_scale.astype(np.float32)
        else:
            q, scale = quantize(weights.astype(np.float32))
        # Kept quantised (4x less memory), as (buckets + 1, units) rows: each n-gram gathers one
        # contiguous 32-byte row; pad positions gather the extra zero row (`ngram_sums`).
        self._table = weight_table(q)
        self._buffers = GatherBuffers(hidden)
        self._compute_lock = threading.Lock()
        self.weight_scale = np.ascontiguousarray(scale, dtype=np.float32)
        self.dense_weights = np.ascontiguousarray(dense_weights, dtype=np.float32)
        self.bias = np.ascontiguousarray(bias, dtype=np.float32)
        self.out_weights = np.ascontiguousarray(out_weights, dtype=np.float32)
        self.out_bias = np.ascontiguousarray(out_bias, dtype=np.float32)
        self.calibration = np.ascontiguousarray(calibration, dtype=np.float32)
        self.thresholds: dict[Category, float] = dict(thresholds or {})
        self.header: dict[str, Any] = dict(header or {})
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._cache_size = cache_size

    @property
    def weights_t(self) -> np.ndarray:
        """The quantised n-gram weights as (units, N_BUCKETS) int8 (a view)."""
        return self._table[:N_BUCKETS].T

    # -- inference ---------------------------------------------------------------------------
    def _head(self, pre: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from the hidden layer's pre-activations."""
        hidden = np.maximum(pre, 0.0, out=pre)
        out = hidden @ self.out_weights
        out += self.out_bias
        out -= out.max(axis=1, keepdims=True)
        log_p = out[:, 1:] - np.log(np.exp(out).sum(axis=1, keepdims=True))  # log P(category)
        # logit(p) = log p - log(1 - p), computed stably; then Platt
        z = log_p - np.log1p(-np.minimum(np.exp(log_p), 1.0 - 1e-7))
        z *= self.calibration[0]
        z += self.calibration[1]
        return sigmoid(z).astype(np.float32, copy=False)

    def _scores_views(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        """`scores` of ``featurize_views(rows)`` by the fast inference path (`ngram_sums`)."""
        with self._compute_lock:
            sums, scale, dense = ngram_sums(rows, self._table, self._buffers)
        pre = sums
        pre *= self.weight_scale
        pre *= scale[:, None]
        pre += dense @ self.dense_weights
        pre += self.bias
        return self._head(pre)

    def logits(self, batch: Batch) -> np.ndarray:
        """Per-category log-odds before calibration: logit of the softmax probability."""
        hidden = np.maximum(linear_scores(batch, self.weights_t, self.dense_weights, self.bias, self.weight_scale), 0.0)
        out = hidden @ self.out_weights + self.out_bias
        out -= out.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(out).sum(axis=1, keepdims=True))
        log_p = out[:, 1:] - log_norm  # log P(category)
        # logit(p) = log p - log(1 - p), computed stably
        return (log_p - np.log1p(-np.minimum(np.exp(log_p), 1.0 - 1e-7))).astype(np.float32)

    def scores(self, batch: Batch) -> np.ndarray:
        """Calibrated probabilities for an already featurised batch."""
        z = self.logits(batch)
        return sigmoid(z * self.calibration[0] + self.calibration[1]).astype(np.float32, copy=False)

    def predict_proba(self, values: Sequence[str]) -> np.ndarray:
        """(len(values), len(categories)) attack probabilities; one featurisation for the batch.

        Values are the raw field values; they are normalised here (`apiward.http.normalize`).
        Short values are remembered in a bounded LRU cache (header values repeat across requests);
        the result is the same with or without it."""
        return self._predict(values, lambda i: value_views(values[i]))

    def predict_proba_normalized(self, views: Sequence[Sequence[str]]) -> np.ndarray:
        """Same as `predict_proba` for callers that already hold ``normalize(value)`` per value
        (raw view first): avoids decoding each value twice."""
        keys = [v[0] if v else "" for v in views]
        return self._predict(keys, lambda i: views_from_normalized(views[i]))

    def _predict(self, keys: Sequence[str], make_row: Callable[[int], tuple[str, ...]]) -> np.ndarray:
        out = np.empty((len(keys), len(self.categories)), dtype=np.float32)
        todo: list[int] = []
        with self._lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key) if len(key) <= CACHE_MAX_CHARS else None
                if hit is None:
                    todo.append(i)
                else:
                    out[i] = hit
                    self._cache.move_to_end(key)
        if todo:
            probs = self._scores_views([make_row(i) for i in todo])
            out[todo] = probs
            if self._cache_size:
                with self._lock:
                    for j, i in enumerate(todo):
                        if len(keys[i]) <= CACHE_MAX_CHARS:
                            self._cache[keys[i]] = probs[j]
                    while len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return out

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: Path, header: Mapping[str, Any] | None = None) -> Path:
        """Write the artifact (atomically: temp file + rename)."""
        arrays = {
            "weights": np.ascontiguousarray(self.weights_t.T),
            "weight_scale": self.weight_scale,
            "dense_weights": self.dense_weights,
            "bias": self.bias,
            "out_weights": self.out_weights,
            "out_bias": self.out_bias,
            "calibration": self.calibration,
        }
        meta = dict(self.header)
        meta.update(header or {})
        meta.update(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "feature_schema": FEATURE_SCHEMA,
                "feature_schema_hash": schema_hash(),
                "categories": [c.value for c in self.categories],
                "thresholds": {c.value: float(t) for c, t in self.thresholds.items()},
                "arrays": {name: _digest(a) for name, a in arrays.items()},
            }
        )
        buf = io.BytesIO()
        np.savez_compressed(buf, header=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8), **arrays)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(path)
        self.header = meta
        return path

    @property
    def weights(self) -> np.ndarray:
        """The hidden layer's n-gram weights, dequantised, (N_BUCKETS, units)."""
        return self.weights_t.T.astype(np.float32) * self.weight_scale

    @classmethod
    def load(cls, path: Path) -> AttackModel:
        """Load and verify an artifact; `ModelError` names what is wrong."""
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ModelError(f"model file {path} cannot be read: {exc.strerror}") from exc
        if size > MAX_ARTIFACT_BYTES:
            raise ModelError(f"model file {path} is {size} bytes, larger than {MAX_ARTIFACT_BYTES}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                loaded = {name: npz[name] for name in npz.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise ModelError(f"model file {path} is not a valid artifact: {exc}") from exc
        header = _read_header(path, loaded)
        arrays: dict[str, np.ndarray] = {}
        for name, (dtype, ndim) in _ARRAYS.items():
            array = loaded.get(name)
            if array is None:
                raise ModelError(f"model file {path}: array {name!r} is missing")
            if array.dtype != np.dtype(dtype) or array.ndim != ndim:
                raise ModelError(f"model file {path}: array {name!r} has dtype {array.dtype}/{array.ndim}d, expected {dtype}/{ndim}d")
            if _digest(array) != header["arrays"].get(name):
                raise ModelError(f"model file {path}: array {name!r} does not match its recorded digest (corrupt)")
            if array.dtype.kind == "f" and not np.isfinite(array).all():
                raise ModelError(f"model file {path}: array {name!r} holds non-finite values")
            arrays[name] = array
        categories = tuple(Category(c) for c in header["categories"])
        thresholds = {Category(k): float(v) for k, v in header.get("thresholds", {}).items() if k in header["categories"]}
        return cls(
            categories,
            arrays["weights"],
            arrays["dense_weights"],
            arrays["bias"],
            arrays["out_weights"],
            arrays["out_bias"],
            arrays["calibration"],
            thresholds=thresholds,
            header=header,
            weight_scale=arrays["weight_scale"],
        )


def _read_header(path: Path, loaded: Mapping[str, np.ndarray]) -> dict[str, Any]:
    raw = loaded.get("header")
    if raw is None or raw.dtype != np.uint8:
        raise ModelError(f"model file {path}: header is missing")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"model file {path}: header is not valid JSON") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelError(f"model file {path}: not an {FORMAT} artifact")
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"model file {path}: format version {header.get('format_version')!r}, this apiward reads {FORMAT_VERSION}")
    if header.get("feature_schema_hash") != schema_hash():
        raise ModelError(
            f"model file {path}: built for feature schema {header.get('feature_schema_hash')!r}, "
            f"this apiward computes {schema_hash()!r}; retrain with `apiward train`"
        )
    cats = header.get("categories")
    known = {c.value for c in ATTACK_CATEGORIES}
    if not isinstance(cats, list) or not cats or any(c not in known for c in cats) or len(set(cats)) != len(cats):
        raise ModelError(f"model file {path}: invalid category list {cats!r}")
    if not isinstance(header.get("arrays"), dict):
        raise ModelError(f"model file {path}: header lacks array digests")
    return header


__all__ = ["AttackModel", "FORMAT", "FORMAT_VERSION", "MODEL_FILENAME", "default_model_path", "quantize"]
