"""Helpers for the detector test tables in ``data/*.yaml``: must-catch attacks and must-pass lookalikes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from apiward.core import Category
from apiward.detectors.analysers import scan_value

DATA = Path(__file__).parent / "data"
BLOCK = 0.5  # the default detection.block_threshold


def load_table(name: str) -> dict[str, Any]:
    with (DATA / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def attack_cases(table: dict[str, Any]) -> list[tuple[str, Category]]:
    default = table.get("category")
    out: list[tuple[str, Category]] = []
    for key in ("attacks", "attacks_folded"):
        for item in table.get(key) or ():
            if isinstance(item, dict):
                out.append((item["value"], Category(item["category"])))
            else:
                out.append((item, Category(default)))
    return out


def missed_attacks(table: dict[str, Any]) -> tuple[int, list[str]]:
    cases = attack_cases(table)
    missed = []
    for value, category in cases:
        scores = {h.category: h.score for h in scan_value(value)}
        if scores.get(category, 0.0) < BLOCK:
            missed.append(f"{value!r}: {scores}")
    return len(cases), missed


def flagged_lookalikes(table: dict[str, Any]) -> tuple[int, list[str]]:
    values = table.get("lookalikes") or []
    flagged = []
    for value in values:
        hits = [h for h in scan_value(value) if h.score >= BLOCK]
        if hits:
            flagged.append(f"{value!r}: {[(h.category.value, h.rule, h.score) for h in hits]}")
    return len(values), flagged


def table_tests(name: str, min_attacks: int = 10, min_lookalikes: int = 5) -> tuple[Callable[[], None], Callable[[], None]]:
    """The two tests of a table, for a test module to bind at module level:
    ``test_catches_attacks, test_passes_lookalikes = table_tests("sql")``."""
    table = load_table(name)

    def test_catches_attacks() -> None:
        ran, missed = missed_attacks(table)
        assert ran >= min_attacks
        assert not missed, "\n".join(missed)

    def test_passes_lookalikes() -> None:
        ran, flagged = flagged_lookalikes(table)
        assert ran >= min_lookalikes
        assert not flagged, "\n".join(flagged)

    return test_catches_attacks, test_passes_lookalikes
