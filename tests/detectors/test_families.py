"""Table-driven: more attack shapes per family (data/families.yaml), each caught in its category."""

from __future__ import annotations

from detector_tables import load_table, missed_attacks

TABLE = load_table("families")


def test_catches_every_family() -> None:
    ran, missed = missed_attacks(TABLE)
    assert ran >= 100
    assert not missed, "\n".join(missed)
