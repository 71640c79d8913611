"""Table-driven tests of the php analysers: data/php.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("php")


def test_a_long_run_of_letters_in_brackets_is_not_re_split() -> None:
    # "(" + letters + "!" once made the concatenated-call pattern try every split of the letters
    # (seconds at 40 letters, hours at 80); scanning it must return like any other value
    from apiward.detectors import php

    assert php.scan("(" + "a" * 80 + "!") == []
    assert php.scan("(" + "sys" * 30 + ")('id')") == []
