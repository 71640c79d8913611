"""Kinds and character classes of values (what discovery and baselines see)."""

from __future__ import annotations

import pytest

from apiward.learn.infer import char_classes, kind_of

KINDS = [
    ("", "empty"), ("12", "int"), ("-7", "int"), ("1.5", "float"), ("1e3", "float"), ("true", "bool"),
    ("550e8400-e29b-41d4-a716-446655440000", "uuid"), ("d41d8cd98f00b204e9800998ecf8427e", "hash"),
    ("2024-01-31", "date"), ("2024-01-31T10:00:00Z", "date-time"), ("2024-01-31T10:00:00+01:00", "date-time"),
    ("a.b@example.com", "email"), ("a@b", "string"), ("10.0.0.1", "ipv4"), ("999.0.0.1", "string"),
    ("https://example.com/x?y=1", "uri"), ("hello world", "string"), ("12abc", "string"), ("1.2.3", "string"),
    ("2024-13-01", "string"),
]


def test_kinds_ran() -> None:
    assert len(KINDS) >= 20


@pytest.mark.parametrize(("value", "kind"), KINDS)
def test_kind_of(value: str, kind: str) -> None:
    assert kind_of(value) == kind


def test_char_classes() -> None:
    assert char_classes("Abc 12") == frozenset({"A", "a", " ", "0"})
    assert char_classes("x' OR '1") == frozenset({"a", "'", " ", "A", "0"})
    assert char_classes("ñ\x01<") == frozenset({"u", "\x00", "<"})
