"""Hypothesis strategies for instances that satisfy a (2020-12, translated) JSON Schema: enough of
the vocabulary to generate valid requests from the specs under test."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_FORMATS = {
    "email": st.sampled_from(["a@example.com", "first.last@mail.example.org", "x_y+z@sub.example.net"]),
    "date-time": st.sampled_from(["2024-01-31T12:00:00Z", "1999-12-31T23:59:59+02:00"]),
    "date": st.sampled_from(["2024-01-31", "2000-02-29"]),
    "uuid": st.uuids().map(str),
    "ipv4": st.ip_addresses(v=4).map(str),
    "uri": st.sampled_from(["https://example.com/a?b=c", "http://x.org"]),
}
_ALPHABET = st.characters(min_codepoint=32, max_codepoint=126)


def _resolve(schema: Any, defs: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _merge_all_of(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for sub in schema.get("allOf", ()):
        sub = _merge_all_of(_resolve(sub, defs), defs)
        out.setdefault("properties", {}).update(sub.get("properties", {}))
        out["required"] = sorted(set(out.get("required", [])) | set(sub.get("required", [])))
        for key, value in sub.items():
            if key not in ("properties", "required"):
                out.setdefault(key, value)
    return out


def from_schema(schema: Any, defs: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    schema = _resolve(schema, defs)
    if schema is True or schema is None or schema == {}:
        return st.just("x")
    schema = _merge_all_of(schema, defs)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    typ = schema.get("type", "string")
    if isinstance(typ, list):
        typ = next(t for t in typ if t != "null")
    if typ == "integer":
        return st.integers(schema.get("minimum", -1000), schema.get("maximum", 1000))
    if typ == "number":
        return st.floats(schema.get("minimum", -1000), schema.get("maximum", 1000), allow_nan=False)
    if typ == "boolean":
        return st.booleans()
    if typ == "string":
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**6)
            )
        return st.text(_ALPHABET, min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 20), 20))
    if typ == "array":
        return st.lists(
            from_schema(schema.get("items", {}), defs, depth + 1),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 3), 3),
        )
    props = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if k in props]
    optional = [k for k in props if k not in required]
    return st.fixed_dictionaries(
        {k: from_schema(props[k], defs, depth + 1) for k in required},
        optional={k: from_schema(props[k], defs, depth + 1) for k in optional} if depth < 4 else {},
    )
