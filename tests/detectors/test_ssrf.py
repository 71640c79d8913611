"""Table-driven tests of the ssrf analyser's remote-include shapes: data/ssrf.yaml."""

from __future__ import annotations

from detector_tables import flagged_lookalikes, load_table, missed_attacks

TABLE = load_table("ssrf")


def test_catches_attacks() -> None:
    ran, missed = missed_attacks(TABLE)
    assert ran >= 10
    assert not missed, "\n".join(missed)


def test_passes_lookalikes() -> None:
    ran, flagged = flagged_lookalikes(TABLE)
    assert ran >= 5
    assert not flagged, "\n".join(flagged)
