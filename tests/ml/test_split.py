"""`apiward.ml.split`: the fixed half of crs-regression the model trains on."""

from __future__ import annotations

from apiward.ml.split import trained_on


def test_only_crs_regression_records_are_ever_trained_on() -> None:
    assert not trained_on("")
    assert not trained_on("wcp-legit:amazon")
    assert not trained_on("csic2010:dev:1")


def test_the_split_is_a_stable_half() -> None:
    sources = [f"crs-regression:{rule}:{test}" for rule in range(942100, 942200) for test in range(1, 11)]
    chosen = [s for s in sources if trained_on(s)]
    assert 0.45 < len(chosen) / len(sources) < 0.55
    assert chosen == [s for s in sources if trained_on(s)]  # a pure function of the tag
    # known points, so a change of the split (which would mix the halves of a shipped model) fails here
    assert [trained_on(f"crs-regression:942100:{t}") for t in range(1, 7)] == [True, False, True, True, True, True]
