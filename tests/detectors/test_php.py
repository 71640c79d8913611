"""Table-driven tests of the php analysers: data/php.yaml."""

from __future__ import annotations

from detector_tables import flagged_lookalikes, load_table, missed_attacks

TABLE = load_table("php")


def test_catches_attacks() -> None:
    ran, missed = missed_attacks(TABLE)
    assert ran >= 10
    assert not missed, "\n".join(missed)


def test_passes_lookalikes() -> None:
    ran, flagged = flagged_lookalikes(TABLE)
    assert ran >= 5
    assert not flagged, "\n".join(flagged)


def test_a_long_run_of_letters_in_brackets_is_not_re_split() -> None:
    # "(" + letters + "!" once made the concatenated-call pattern try every split of the letters
    # (seconds at 40 letters, hours at 80); scanning it must return like any other value
    from apiward.detectors import php

    assert php.scan("(" + "a" * 80 + "!") == []
    assert php.scan("(" + "sys" * 30 + ")('id')") == []
