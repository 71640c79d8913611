"""Stateless, deterministic feature extraction: hashed character n-grams over the normalised
views of a value, plus a few dense lexical measures.

A value becomes the text ``\\x02view\\x03`` for each of its views (the raw value lower-cased, then
the decoded / folded / base64 views of `apiward.http.normalize`), each view cut to a head + tail
window. Character n-grams of orders ``NGRAM_MIN..NGRAM_MAX`` of the UTF-8 bytes are hashed into
``N_BUCKETS`` buckets with a multiplicative rolling hash computed by numpy over the whole batch at
once (no per-character Python loop). Each occurrence weighs ``1/sqrt(n_grams_of_the_value)``,
so a linear model sees a length-normalised bag of n-grams.

The extractor has no fitted state: `FEATURE_SCHEMA` (hashed into `schema_hash()`) fully defines
it, and a model artifact records that hash so a model is never applied to other features.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from apiward.http.normalize import normalize

NGRAM_MIN = 1
NGRAM_MAX = 5
HASH_BITS = 18
N_BUCKETS = 1 << HASH_BITS
VIEW_HEAD = 1536
VIEW_TAIL = 512
MAX_VIEWS = 4
DENSE_NAMES: tuple[str, ...] = ("log_length", "n_views", "frac_alpha", "frac_digit", "frac_space", "frac_special", "frac_nonascii")
N_DENSE = len(DENSE_NAMES)
N_FEATURES = N_BUCKETS + N_DENSE

_START = "\x02"
_SEP = "\x03"
_PAD_LEN = NGRAM_MAX - 1
_PAD = "\x04" * _PAD_LEN
_MUL = np.uint32(0x01000193)  # FNV prime: h = h * prime + byte, per order
_SALTS = [np.uint32((0x9E3779B9 * n) & 0xFFFFFFFF) for n in range(NGRAM_MAX + 1)]
_MIX = np.uint32(0x85EBCA6B)
_SHIFT = np.uint32(32 - HASH_BITS)

FEATURE_SCHEMA: dict[str, object] = {
    "name": "apiward-char-ngrams",
    "version": 1,
    "ngram": [NGRAM_MIN, NGRAM_MAX],
    "hash": "fnv-rolling-u32/xor-order-salt/mul-mix/top-bits/pad4-dropped",
    "hash_bits": HASH_BITS,
    "views": "raw-lower + apiward.http.normalize views[1:], max %d, window %d+%d, \\x02 v \\x03 v \\x03 \\x04*4" % (MAX_VIEWS, VIEW_HEAD, VIEW_TAIL),
    "weight": "1/sqrt(positions * orders)",
    "dense": list(DENSE_NAMES),
}

# Byte classes for the dense measures: 0 other punctuation, 1 alpha, 2 digit, 3 space, 4 non-ASCII.
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
_CLASS_ONEHOT = np.eye(5, dtype=np.float32)[_CLASS]  # (256, 5)
_CLASS_ONEHOT[[ord(_START), ord(_SEP), ord(_PAD[0])]] = 0


def schema_hash() -> str:
    """A digest of everything that defines the features (stored in and checked against models)."""
    return hashlib.sha256(json.dumps(FEATURE_SCHEMA, sort_keys=True).encode()).hexdigest()[:16]


def _cut(view: str) -> str:
    if len(view) <= VIEW_HEAD + VIEW_TAIL:
        return view
    return view[:VIEW_HEAD] + "\n" + view[-VIEW_TAIL:]


def value_views(value: str) -> tuple[str, ...]:
    """The views a value is featurised from: the raw value lower-cased, then the normalised ones."""
    views = normalize(value)
    return views_from_normalized(views)


def views_from_normalized(views: Sequence[str]) -> tuple[str, ...]:
    """Same as `value_views` for a caller that already holds ``normalize(value)``."""
    if not views:
        return ("",)
    first = views[0].lower()
    out = [first]
    for view in views[1 : MAX_VIEWS + 1]:
        if view not in out:
            out.append(view)
    return tuple(out[:MAX_VIEWS])


@dataclass(frozen=True, slots=True)
class Batch:
    """Hashed features of a batch of values.

    ``buckets`` (positions x orders) holds the bucket of the n-gram of each order starting at each
    byte position of the concatenated texts, or ``N_BUCKETS`` (a null bucket) where that n-gram
    would run past the end of its value. ``starts``/``ends`` delimit each value's positions;
    ``scale`` is 1/sqrt(n-gram count) per value; ``dense`` the lexical measures."""

    buckets: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    scale: np.ndarray
    dense: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.starts.shape[0])


def featurize_views(rows: Sequence[Sequence[str]]) -> Batch:
    """Hash a batch, one row per value, each row given as its views (see `value_views`)."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Batch(np.zeros((0, NGRAM_MAX - NGRAM_MIN + 1), np.intp), empty, empty, np.zeros(0, np.float32), np.zeros((0, N_DENSE), np.float32))
    texts: list[bytes] = []
    n_views = np.empty(len(rows), dtype=np.float32)
    for i, views in enumerate(rows):
        n_views[i] = len(views)
        texts.append((_START + "".join([_cut(v) + _SEP for v in views]) + _PAD).encode("utf-8", "surrogatepass"))
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lens)
    starts = ends - lens
    total = int(ends[-1]) if len(texts) else 0
    data = np.frombuffer(b"".join(texts), dtype=np.uint8)
    codes = data.astype(np.uint32)
    # Every text ends with NGRAM_MAX - 1 pad bytes, so an n-gram never runs into the next value.
    buckets = np.empty((total, NGRAM_MAX - NGRAM_MIN + 1), dtype=np.intp)
    h = np.zeros(total, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for n in range(1, NGRAM_MAX + 1):
            h[: total - n + 1] = h[: total - n + 1] * _MUL + codes[n - 1 :]
            if n >= NGRAM_MIN:
                buckets[:, n - NGRAM_MIN] = ((h ^ _SALTS[n]) * _MIX) >> _SHIFT
    # n-grams starting in a value's pad bytes would reach into the next value: drop them.
    kept = lens - _PAD_LEN
    pos_in_row = np.arange(total, dtype=np.int64) - np.repeat(starts, lens)
    buckets = buckets[pos_in_row < np.repeat(kept, lens)]
    kept_ends = np.cumsum(kept)
    scale = (1.0 / np.sqrt(kept.astype(np.float32) * (NGRAM_MAX - NGRAM_MIN + 1))).astype(np.float32)
    # Dense lexical measures from byte classes (segment sums, no per-char Python loop).
    per_row = np.add.reduceat(np.take(_CLASS_ONEHOT, data, axis=0), starts, axis=0)
    chars = np.maximum(per_row.sum(axis=1), 1.0)
    dense = np.empty((len(texts), N_DENSE), dtype=np.float32)
    dense[:, 0] = np.log1p(chars) / 8.0
    dense[:, 1] = (n_views - 1.0) / 3.0
    dense[:, 2:] = per_row[:, [1, 2, 3, 0, 4]] / chars[:, None]
    return Batch(buckets=buckets, starts=kept_ends - kept, ends=kept_ends, scale=scale, dense=dense)


# -- the inference path: n-gram weight sums without materialising a Batch -----------------------
_NULL_BUCKET = N_BUCKETS  # a zero row appended to the weight table: pad positions gather it
_CLASS6 = np.where(_CLASS_ONEHOT.sum(axis=1) > 0, _CLASS, 5).astype(np.intp)  # 5 = not counted
_DENSE_ORDER = [1, 2, 3, 0, 4]  # alpha, digit, space, special, non-ASCII (as in `DENSE_NAMES`)
_N_ORDERS = NGRAM_MAX - NGRAM_MIN + 1
_PAD_BYTES = _PAD.encode()
_ORDER_SALTS = np.array([[_SALTS[n]] for n in range(NGRAM_MIN, NGRAM_MAX + 1)], dtype=np.uint32)  # (orders, 1)
# Rows gathered and summed per block (int8 + float32 copies: 640 KiB with 32 units, cache-sized).
# float32 sums of integer weights (|w| <= 127) are exact below 2**24 // 127 rows per block.
GATHER_BLOCK_ROWS = 4096


def weight_table(weights: np.ndarray) -> np.ndarray:
    """The (N_BUCKETS + 1, units) gather table for `ngram_sums`: the bucket rows plus a zero row."""
    table = np.zeros((N_BUCKETS + 1, weights.shape[1]), dtype=weights.dtype)
    table[:N_BUCKETS] = weights
    return table


class GatherBuffers:
    """Reusable scratch arrays for `ngram_sums`: gathered rows are summed block by block in
    these (cache-sized, allocated once) instead of in fresh per-call arrays. Not thread-safe:
    one user at a time (the model guards its own with a lock)."""

    def __init__(self, units: int, rows: int = GATHER_BLOCK_ROWS) -> None:
        self.rows = rows
        self.int8 = np.empty((rows, units), dtype=np.int8)
        self.float32 = np.empty((rows, units), dtype=np.float32)
        self.ones = np.ones(rows, dtype=np.float32)
        self.piece = np.empty(units, dtype=np.float32)


def _segment_sums(table: np.ndarray, flat: np.ndarray, starts: np.ndarray, ends: np.ndarray, buffers: GatherBuffers) -> np.ndarray:
    """``table[flat[starts[i]:ends[i]]].sum(axis=0)`` for every i (segments contiguous, in
    order, covering ``flat``), gathering a block of rows at a time into ``buffers`` and summing
    each segment's part of the block with one BLAS vector-matrix product (numpy's reduceat over
    rows measured ~1.8x slower). Integer tables give exact sums: a block holds fewer than
    2**24 / 127 rows, so its float32 partial sums are exact, and a segment split over blocks
    adds its parts in float64."""
    n_seg = starts.shape[0]
    units = table.shape[1]
    sums = np.empty((n_seg, units), dtype=np.float32)
    split: dict[int, np.ndarray] = {}
    g8, gf, ones, piece = buffers.int8, buffers.float32, buffers.ones, buffers.piece
    seg_starts, seg_ends = starts.tolist(), ends.tolist()
    total = flat.shape[0]
    i = 0
    for lo in range(0, total, buffers.rows):
        hi = min(total, lo + buffers.rows)
        k = hi - lo
        np.take(table, flat[lo:hi], axis=0, out=g8[:k], mode="clip")  # indices are in range
        np.copyto(gf[:k], g8[:k], casting="unsafe")
        while i < n_seg and seg_starts[i] < hi:
            a, b = max(seg_starts[i], lo), min(seg_ends[i], hi)
            if a == seg_starts[i] and b == seg_ends[i]:
                np.dot(ones[: b - a], gf[a - lo : b - lo], out=sums[i])
            else:
                np.dot(ones[: b - a], gf[a - lo : b - lo], out=piece)
                acc = split.setdefault(i, np.zeros(units, dtype=np.float64))
                acc += piece
            if seg_ends[i] > hi:
                break
            i += 1
    for j, acc in split.items():
        sums[j] = acc
    return sums


def ngram_sums(
    rows: Sequence[Sequence[str]], table: np.ndarray, buffers: GatherBuffers | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value, the sum of the weight-table rows of all its n-grams (what `linear_scores`
    sums before scaling), the n-gram weight ``scale`` and the ``dense`` measures of `Batch`.

    Same features as `featurize_views`, computed for inference: the n-grams starting in a
    value's pad bytes gather the table's zero row instead of being filtered out, so each value's
    rows (positions x orders, position-major) are one contiguous segment (`_segment_sums`).
    ``table`` is `weight_table` of integer (int8) weights: the sums are exact integers, returned
    as float32. ``buffers``: reusable scratch (fresh ones when not given)."""
    n_rows = len(rows)
    parts: list[bytes] = []
    kept = np.empty(n_rows, dtype=np.int64)
    n_views = np.empty(n_rows, dtype=np.float32)
    for i, views in enumerate(rows):
        text = (_START + "".join([_cut(v) + _SEP for v in views])).encode("utf-8", "surrogatepass")
        parts.append(text)
        kept[i] = len(text)
        n_views[i] = len(views)
    parts.append(b"")
    data = np.frombuffer(_PAD_BYTES.join(parts), dtype=np.uint8)
    total = data.shape[0]
    padded = kept + _PAD_LEN
    # order-major hashing (contiguous uint32 passes): row n-1 holds the rolling hash of the
    # n-gram starting at each position (the last n-1 positions, pad bytes, keep order n-1's);
    # salt, mix and shift then run once over all orders
    hashes = np.empty((NGRAM_MAX, total), dtype=np.uint32)
    np.copyto(hashes[0], data, casting="unsafe")
    for n in range(2, NGRAM_MAX + 1):
        prev, cur, head = hashes[n - 2], hashes[n - 1], total - n + 1
        np.multiply(prev[:head], _MUL, out=cur[:head])
        np.add(cur[:head], data[n - 1 :], out=cur[:head])
        cur[head:] = prev[head:]
    by_order = hashes[NGRAM_MIN - 1 :]
    np.bitwise_xor(by_order, _ORDER_SALTS, out=by_order)
    np.multiply(by_order, _MIX, out=by_order)
    np.right_shift(by_order, _SHIFT, out=by_order)
    # one transposing copy to the position-major layout that makes each value's rows one
    # contiguous segment
    buckets = np.empty((total, _N_ORDERS), dtype=np.intp)
    np.copyto(buckets, by_order.T, casting="unsafe")
    # n-grams starting in a value's pad bytes would reach into the next value: zero row
    if n_rows == 1:
        ends = padded
        starts = np.zeros(1, dtype=np.int64)
        buckets[int(kept[0]) :] = _NULL_BUCKET
        classes = _CLASS6[data]
    else:
        ends = np.cumsum(padded)
        starts = ends - padded
        pad = np.zeros(total + 1, dtype=np.int8)
        pad[starts + kept] = 1
        pad[ends] = -1
        buckets[np.cumsum(pad[:total], dtype=np.int8).view(np.bool_)] = _NULL_BUCKET
        classes = _CLASS6[data] + np.repeat(np.arange(n_rows, dtype=np.intp) * 6, padded)
    sums = _segment_sums(table, buckets.reshape(-1), starts * _N_ORDERS, ends * _N_ORDERS, buffers or GatherBuffers(table.shape[1]))
    scale = (1.0 / np.sqrt(kept.astype(np.float32) * _N_ORDERS)).astype(np.float32)
    per_row = np.bincount(classes, minlength=6 * n_rows).reshape(n_rows, 6)[:, :5].astype(np.float32)
    chars = np.maximum(per_row.sum(axis=1), 1.0)
    dense = np.empty((n_rows, N_DENSE), dtype=np.float32)
    dense[:, 0] = np.log1p(chars) / 8.0
    dense[:, 1] = (n_views - 1.0) / 3.0
    dense[:, 2:] = per_row[:, _DENSE_ORDER] / chars[:, None]
    return sums, scale, dense


def featurize(values: Sequence[str]) -> Batch:
    return featurize_views([value_views(v) for v in values])


def to_csr(batch: Batch) -> "scipy.sparse.csr_matrix":  # type: ignore[name-defined]  # noqa: F821
    """The batch as a sparse matrix (rows x N_FEATURES) for training (scipy is a training-only need)."""
    from scipy import sparse

    lens = batch.ends - batch.starts
    rows = np.repeat(np.arange(batch.n_rows), lens)
    orders = batch.buckets.shape[1]
    rows = np.repeat(rows, orders)
    cols = batch.buckets.reshape(-1)
    vals = batch.scale[rows]
    grams = sparse.csr_matrix((vals, (rows, cols)), shape=(batch.n_rows, N_FEATURES), dtype=np.float32)
    dense_cols = np.tile(np.arange(N_BUCKETS, N_FEATURES), batch.n_rows)
    dense_rows = np.repeat(np.arange(batch.n_rows), N_DENSE)
    dense = sparse.csr_matrix((batch.dense.reshape(-1), (dense_rows, dense_cols)), shape=(batch.n_rows, N_FEATURES), dtype=np.float32)
    out = (grams + dense).tocsr()
    out.sum_duplicates()
    return out


def linear_scores(
    batch: Batch,
    weights: np.ndarray,
    dense_weights: np.ndarray,
    bias: np.ndarray,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """``X @ W + b`` without building X: gather bucket weights, sum per value (numpy only).

    ``weights`` is (columns, N_BUCKETS), any numeric dtype (the model keeps int8 with a
    per-column ``scale``); ``dense_weights`` is (N_DENSE, columns)."""
    if batch.n_rows == 0:
        return np.zeros((0, bias.shape[0]), dtype=np.float32)
    # Rows are contiguous in the flattened (position, order) buckets and never empty (every text
    # has start and separator bytes), so one gather and one segment sum per column do it. The
    # (columns, buckets) layout keeps each gathered column contiguous, which makes the segment
    # sum several times faster than summing rows of a (buckets, columns) gather.
    flat = batch.buckets.reshape(-1)
    first = batch.starts * batch.buckets.shape[1]
    if weights.dtype == np.int8 and weights.flags.f_contiguous and not weights.flags.c_contiguous:
        # a transposed view of int8 (buckets, columns) rows (the model's table): gather rows
        orders = batch.buckets.shape[1]
        sums = _segment_sums(weights.T, flat, first, batch.ends * orders, GatherBuffers(weights.shape[0]))
    else:
        gathered = np.take(weights, flat, axis=1)
        sums = np.add.reduceat(gathered, first, axis=1, dtype=np.float32).T
    if scale is not None:
        sums = sums * scale
    out = sums * batch.scale[:, None] + batch.dense @ dense_weights + bias
    return out.astype(np.float32, copy=False)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


__all__ = [
    "Batch",
    "FEATURE_SCHEMA",
    "N_BUCKETS",
    "N_DENSE",
    "N_FEATURES",
    "featurize",
    "featurize_views",
    "linear_scores",
    "GatherBuffers",
    "ngram_sums",
    "schema_hash",
    "sigmoid",
    "to_csr",
    "value_views",
    "views_from_normalized",
    "weight_table",
]

