"""Metric arithmetic: TPR, TNR, balanced accuracy and their edge cases."""

from __future__ import annotations

import pytest

from apiward.evaluation.metrics import Counts, balanced_accuracy


def _counts(tp: int, fn: int, tn: int, fp: int) -> Counts:
    c = Counts()
    for is_attack, blocked, n in ((True, True, tp), (True, False, fn), (False, False, tn), (False, True, fp)):
        for _ in range(n):
            c.add(is_attack, blocked)
    return c


def test_rates() -> None:
    c = _counts(tp=9, fn=1, tn=18, fp=2)
    assert (c.tp, c.fn, c.tn, c.fp) == (9, 1, 18, 2)
    assert (c.attacks, c.benign, c.total) == (10, 20, 30)
    assert c.tpr == pytest.approx(0.9)
    assert c.tnr == pytest.approx(0.9)
    assert c.balanced_accuracy == pytest.approx(0.9)


def test_balanced_accuracy_is_not_plain_accuracy() -> None:
    # 1 attack missed out of 1, 99 benign passed: accuracy 99 %, balanced accuracy 50 %
    c = _counts(tp=0, fn=1, tn=99, fp=0)
    assert c.tpr == 0.0 and c.tnr == 1.0
    assert c.balanced_accuracy == pytest.approx(0.5)


def test_undefined_rates_are_none_not_zero() -> None:
    only_benign = _counts(tp=0, fn=0, tn=3, fp=1)
    assert only_benign.tpr is None
    assert only_benign.tnr == pytest.approx(0.75)
    assert only_benign.balanced_accuracy == pytest.approx(0.75)  # mean over the classes present
    only_attacks = _counts(tp=1, fn=3, tn=0, fp=0)
    assert only_attacks.tnr is None and only_attacks.balanced_accuracy == pytest.approx(0.25)
    empty = Counts()
    assert empty.tpr is None and empty.tnr is None and empty.balanced_accuracy is None
    assert balanced_accuracy(None, None) is None


def test_errors_are_left_out_of_the_rates() -> None:
    c = _counts(tp=1, fn=1, tn=1, fp=1)
    c.errors = 50
    assert c.total == 4 and c.tpr == 0.5 and c.tnr == 0.5


def test_merge_and_dict() -> None:
    a, b = _counts(1, 2, 3, 4), _counts(10, 20, 30, 40)
    b.throttled, b.rejected, b.errors = 1, 2, 3
    a.merge(b)
    d = a.to_dict()
    assert d["tp"] == 11 and d["fn"] == 22 and d["tn"] == 33 and d["fp"] == 44
    assert d["count"] == 110 and d["throttled"] == 1 and d["rejected"] == 2 and d["errors"] == 3
    assert d["tpr"] == pytest.approx(11 / 33, abs=1e-6)
    assert d["balanced_accuracy"] == pytest.approx((11 / 33 + 33 / 77) / 2, abs=1e-6)
