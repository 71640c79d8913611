"""AttackModel: artifact round-trip, refusal of missing / corrupt / mismatched files, output shape."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from apiward.core import Category
from apiward.errors import ModelError
from apiward.ml.features import N_BUCKETS, N_DENSE
from apiward.ml.model import AttackModel

CATS = (Category.SQLI, Category.XSS, Category.TRAVERSAL)


def _model(seed: int = 0) -> AttackModel:
    rng = np.random.default_rng(seed)
    hidden = 8
    return AttackModel(
        CATS,
        rng.normal(scale=0.5, size=(N_BUCKETS, hidden)).astype(np.float32),
        rng.normal(size=(N_DENSE, hidden)).astype(np.float32),
        rng.normal(size=hidden).astype(np.float32),
        rng.normal(size=(hidden, len(CATS) + 1)).astype(np.float32),
        rng.normal(size=len(CATS) + 1).astype(np.float32),
        np.array([[1.0, 1.2, 0.8], [0.0, -0.5, 0.3]], dtype=np.float32),
        thresholds={c: 0.5 for c in CATS},
    )


def _rewrite(src: Path, dst: Path, edit_header=None, edit_arrays=None) -> None:  # type: ignore[no-untyped-def]
    with np.load(src, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(arrays.pop("header").tobytes())
    if edit_header:
        edit_header(header)
    if edit_arrays:
        edit_arrays(arrays)
    buf = io.BytesIO()
    np.savez(buf, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), **arrays)
    dst.write_bytes(buf.getvalue())


def test_round_trip(tmp_path: Path) -> None:
    model = _model()
    path = model.save(tmp_path / "m.npz", {"note": "test"})
    loaded = AttackModel.load(path)
    values = ["1' or 1=1--", "<script>alert(1)</script>", "hello", ""]
    assert loaded.categories == CATS
    assert loaded.thresholds == {c: 0.5 for c in CATS}
    assert loaded.weights.shape == (N_BUCKETS, 8)
    assert loaded.header["note"] == "test"
    # int8 quantisation: probabilities agree closely with the float model
    np.testing.assert_allclose(loaded.predict_proba(values), model.predict_proba(values), atol=0.05)


def test_predict_proba_shape_and_range(tmp_path: Path) -> None:
    model = AttackModel.load(_model().save(tmp_path / "m.npz"))
    values = [f"value {i}" for i in range(37)] + ["x" * 100_000]
    out = model.predict_proba(values)
    assert out.shape == (len(values), len(CATS))
    assert out.dtype == np.float32
    assert np.all((out >= 0) & (out <= 1))
    assert model.predict_proba([]).shape == (0, len(CATS))


def test_cache_does_not_change_results(tmp_path: Path) -> None:
    model = AttackModel.load(_model().save(tmp_path / "m.npz"))
    values = ["a=1", "b=2", "a=1", "<b>x</b>"]
    first = model.predict_proba(values)
    second = model.predict_proba(list(reversed(values)))
    np.testing.assert_array_equal(first, second[::-1])
    from apiward.http.normalize import normalize

    np.testing.assert_allclose(model.predict_proba_normalized([normalize(v) for v in values]), first)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot be read"):
        AttackModel.load(tmp_path / "nope.npz")


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(b"definitely not a model")
    with pytest.raises(ModelError):
        AttackModel.load(path)


def test_truncated_file(tmp_path: Path) -> None:
    path = _model().save(tmp_path / "m.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError):
        AttackModel.load(path)


def test_tampered_weights_fail_the_digest(tmp_path: Path) -> None:
    src = _model().save(tmp_path / "m.npz")

    def flip(arrays: dict) -> None:  # type: ignore[type-arg]
        arrays["weights"] = arrays["weights"].copy()
        arrays["weights"][5, 0] ^= 1

    _rewrite(src, tmp_path / "bad.npz", edit_arrays=flip)
    with pytest.raises(ModelError, match="digest"):
        AttackModel.load(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h: h.update(feature_schema_hash="0000000000000000"), "feature schema"),
        (lambda h: h.update(format_version=99), "format version"),
        (lambda h: h.update(format="something-else"), "not an"),
        (lambda h: h.update(categories=["sqli", "nope", "xss"]), "category"),
    ],
)
def test_mismatched_header_is_refused(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    src = _model().save(tmp_path / "m.npz")
    _rewrite(src, tmp_path / "bad.npz", edit_header=edit)
    with pytest.raises(ModelError, match=message):
        AttackModel.load(tmp_path / "bad.npz")


def test_missing_array_is_refused(tmp_path: Path) -> None:
    src = _model().save(tmp_path / "m.npz")
    _rewrite(src, tmp_path / "bad.npz", edit_arrays=lambda a: a.pop("calibration"))
    with pytest.raises(ModelError, match="calibration"):
        AttackModel.load(tmp_path / "bad.npz")


def test_artifact_holds_no_pickles(tmp_path: Path) -> None:
    path = _model().save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            with zf.open(name) as fh:
                head = fh.read(128)
            assert b"'descr': '|O'" not in head and b"'descr': 'O'" not in head
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == {"header", "weights", "weight_scale", "dense_weights", "bias", "out_weights", "out_bias", "calibration"}
