"""The generators are deterministic, cover every category and their families, and stay bounded."""

from __future__ import annotations

from collections import Counter

from apiward.core import ATTACK_CATEGORIES
from apiward.ml.generators import ATTACK_GENERATORS, generate_attacks, generate_benign


def test_every_attack_category_has_a_generator() -> None:
    assert set(ATTACK_GENERATORS) == set(ATTACK_CATEGORIES)


def test_attacks_are_deterministic_per_seed() -> None:
    a = generate_attacks(7, 50)
    b = generate_attacks(7, 50)
    c = generate_attacks(8, 50)
    assert a == b
    assert [s.value for s in a] != [s.value for s in c]


def test_each_category_is_produced_with_several_families() -> None:
    samples = generate_attacks(3, 400)
    per_category = Counter(s.category for s in samples)
    assert set(per_category) == {c.value for c in ATTACK_CATEGORIES}
    assert all(n == 400 for n in per_category.values())
    families = {(s.category, s.family) for s in samples}
    for category in ("sqli", "xss", "traversal", "cmdi", "ssrf", "nosqli", "ldapi", "crlf", "ssti", "xxe", "log4shell"):
        assert sum(1 for c, _ in families if c == category) >= 2, category


def test_attack_values_are_mostly_distinct_and_bounded() -> None:
    samples = generate_attacks(5, 300)
    values = [s.value for s in samples]
    assert len(set(values)) > 0.8 * len(values)
    assert max(len(v) for v in values) < 5000
    assert all(v for v in values)


def test_benign_generator_is_deterministic_and_varied() -> None:
    a = generate_benign(11, 2000)
    assert a == generate_benign(11, 2000)
    assert {s.category for s in a} == {"benign"}
    families = Counter(s.family for s in a)
    for family in ("prose", "name", "email", "url", "json", "token", "header", "search"):
        assert families[family] > 0, family


def test_generated_sqli_covers_the_techniques() -> None:
    families = {s.family for s in generate_attacks(1, {c: 0 for c in ATTACK_CATEGORIES} | {next(c for c in ATTACK_CATEGORIES if c.value == "sqli"): 2000})}
    assert {"union", "boolean", "time", "error", "stacked", "auth_bypass", "fragment"} <= families
