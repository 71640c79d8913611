"""The compiled fast path never disagrees with jsonschema (property test), and formats are linear."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apiward.learn.schema import CompiledSchema

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "required": ["a"], "additionalProperties": False, "properties": {
        "a": {"type": "integer", "minimum": 0, "maximum": 10},
        "b": {"type": ["string", "null"], "maxLength": 3, "pattern": "^[a-c]*$"},
        "c": {"type": "array", "items": {"type": "number"}, "maxItems": 2, "uniqueItems": True},
        "d": {"enum": [1, "1", True, None]}}},
    {"$defs": {"d0": {"type": "object", "properties": {"n": {"$ref": "#/$defs/d0"}, "v": {"type": "boolean"}}}},
     "$ref": "#/$defs/d0"},
    {"anyOf": [{"type": "string", "format": "email"}, {"type": "integer", "exclusiveMinimum": 5}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}], "not": {"const": 3}},
    {"allOf": [{"type": "object", "minProperties": 1}, {"maxProperties": 2}],
     "additionalProperties": {"type": "string", "format": "uuid"}},
]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.floats(-20, 20, allow_nan=False)
    | st.sampled_from(["", "a", "abc", "abcd", "x@example.com", "1", "550e8400-e29b-41d4-a716-446655440000"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "b", "c", "d", "n", "v", "z"]), children, max_size=4),
    max_leaves=12,
)


def test_all_have_fast_paths() -> None:
    assert all(CompiledSchema(s).has_fast_path for s in SCHEMAS)
    assert not CompiledSchema({"type": "object", "dependentRequired": {"a": ["b"]}}).has_fast_path


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=300, deadline=None)
@given(instance=JSON)
def test_fast_path_agrees_with_jsonschema(index: int, instance: Any) -> None:
    compiled = CompiledSchema(SCHEMAS[index])
    assert compiled.is_valid(instance) == compiled.slow_is_valid(instance)
    if not compiled.is_valid(instance):
        assert compiled.errors(instance)


def test_errors_describe_constraint_not_value() -> None:
    compiled = CompiledSchema(SCHEMAS[0])
    errors = compiled.errors({"a": 99, "b": "secret-value", "zz": 1})
    assert {e.keyword for e in errors} >= {"maximum", "additionalProperties"}
    assert all("secret-value" not in e.message for e in errors)


def test_long_format_inputs_are_cheap() -> None:
    compiled = CompiledSchema({"type": "string", "format": "email"})
    assert not compiled.is_valid("a" * 100_000 + "@" + "b" * 100_000)
    assert not compiled.is_valid("x" * 1_000_000)
