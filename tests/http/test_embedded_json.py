"""JSON documents inside values are read leaf by leaf; everything else passes through unchanged."""

from __future__ import annotations

import json

import pytest

from apiward.core import Field, Source
from apiward.http.embedded_json import MAX_NESTING, embedded_fields, json_document


def expanded(*fields: Field, max_leaves: int = 5000) -> list[tuple[str, str]]:
    return [(f.location, f.value) for f in embedded_fields(fields, max_leaves)]


def test_a_json_parameter_becomes_its_leaves_with_keys_that_are_not_identifiers() -> None:
    value = json.dumps({"price": {"$lt": 10}, "tags": ["a", "<b>"]})
    assert sorted(expanded(Field(Source.QUERY, "filter", value))) == [
        ("query.filter.price.$lt", "10"),
        ("query.filter.price.$lt#key", "$lt"),
        ("query.filter.tags[0]", "a"),
        ("query.filter.tags[1]", "<b>"),
    ]


def test_json_lines_in_a_text_body_are_numbered() -> None:
    body = '{"a": 1}\n{"b": "x y"}\n'
    assert sorted(expanded(Field(Source.BODY, "", body))) == [("body.[0].a", "1"), ("body.[1].b", "x y")]


def test_json_text_inside_a_json_leaf_is_read_too_up_to_the_nesting_bound() -> None:
    inner = json.dumps({"c": "' or 1=1--"})
    assert expanded(Field(Source.BODY, "payload", json.dumps({"b": inner}))) == [("body.payload.b.c", "' or 1=1--")]
    deep = "x"
    for _ in range(MAX_NESTING + 1):
        deep = json.dumps({"k": deep})
    # the innermost document past the bound stays one (JSON text) value
    (location, value), = expanded(Field(Source.COOKIE, "c", deep))
    assert location == "cookie.c" + ".k" * MAX_NESTING and json_document(value) is not None


@pytest.mark.parametrize(
    "value",
    ["", "x", "{", "[1", '{"a":1} trailing', '"a string"', "42", "{}", "[]", "{not json}", "[1]\n[2",
     "/search?q={x}", "{{7*7}}", "${jndi:ldap://x/a}"],
)
def test_values_that_are_not_a_json_document_stay_whole(value: str) -> None:
    assert expanded(Field(Source.QUERY, "q", value)) == [("query.q", value)]


def test_path_segments_are_never_expanded_and_a_json_name_is_named_by_its_head() -> None:
    doc = '{"a": 1}'
    assert expanded(Field(Source.PATH, "0", doc)) == [("path.0", doc)]
    # a JSON body posted as a form without "=": the whole document is a parameter name
    body = json.dumps([["a", None, "x" * 80]])
    out = expanded(Field(Source.BODY, body + "#key", body))
    assert sorted(out) == sorted([(f"body.{body[:64]}…#key[0][0]", "a"), (f"body.{body[:64]}…#key[0][2]", "x" * 80)])


def test_the_leaf_budget_bounds_the_request_and_past_it_values_stay_whole() -> None:
    big = json.dumps([f"v{i}" for i in range(30)])
    fields = [Field(Source.QUERY, f"p{i}", big) for i in range(3)]
    out = expanded(*fields, max_leaves=70)
    # two documents fit (60 leaves); the third would exceed the budget and is inspected whole
    assert len(out) == 61 and out[-1] == ("query.p2", big)


def test_nulls_booleans_and_numbers_in_arrays_are_not_leaves() -> None:
    """A protobuf-as-JSON beacon is mostly null padding: 6,000 nulls would be over the leaf budget
    and the 30 KB text read whole; its strings are what there is to read."""
    doc = json.dumps([[1663170900542, 0, 0], [17893, *([None] * 6000), "a b", True, 1.5e3, "' or 1=1--"]])
    assert expanded(Field(Source.BODY, "beacon", doc)) == [("body.beacon[1][6001]", "a b"),
                                                          ("body.beacon[1][6004]", "' or 1=1--")]
    # an object member keeps its scalar value (its name can be the point: "$ne": null)
    assert sorted(expanded(Field(Source.QUERY, "f", '{"user": {"$ne": null}, "n": [null]}'))) == [
        ("query.f.user.$ne", "null"), ("query.f.user.$ne#key", "$ne")]


def test_too_deep_a_document_stays_whole() -> None:
    deep = "[" * 40 + "]" * 40
    assert expanded(Field(Source.QUERY, "q", deep)) == [("query.q", deep)]


def test_a_huge_document_is_refused_before_its_leaves_are_built() -> None:
    """The leaf cap is checked as each container is entered: a 200,000-element array is not
    walked, it stays one value (inspected whole, head + tail, by the detectors)."""
    huge = json.dumps(list(range(200_000)))
    (location, value), = expanded(Field(Source.BODY, "data", huge))
    assert location == "body.data" and value is huge
    lines = "\n".join(['{"a": 1}'] * 2000)  # more JSON lines than are read one by one
    assert expanded(Field(Source.BODY, "", lines)) == [("body", lines)]


def test_a_percent_encoded_json_cookie_is_decoded_and_read_leaf_by_leaf() -> None:
    value = "%7B%22a%22%3A%22x%20y%22%2C%22b%22%3A%5B%22z%22%5D%7D"
    assert sorted(expanded(Field(Source.COOKIE, "c", value))) == [("cookie.c.a", "x y"), ("cookie.c.b[0]", "z")]
    # not JSON once decoded, or not a cookie: kept as sent
    assert expanded(Field(Source.COOKIE, "c", "%7Bnot%20json")) == [("cookie.c", "%7Bnot%20json")]
    assert expanded(Field(Source.QUERY, "q", value)) == [("query.q", value)]


def test_first_character_gate_holds_every_whitespace_character() -> None:
    # `embedded_fields` passes a field on at once when its first character is not in
    # `_MAY_EMBED`; a value that opens with any whitespace must still be looked at
    from apiward.http.embedded_json import _MAY_EMBED

    spaces = {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert spaces <= _MAY_EMBED
    assert set("%{[") <= _MAY_EMBED
    assert expanded(Field(Source.QUERY, "q", '\u3000{"a":"x"}')) == [("query.q.a", "x")]


@pytest.mark.parametrize(
    "value",
    ['{"file": "../../etc/passwd", "id": 5, "file": "a.txt"}', '[{"q": "1"}, {"u": {"q": "x", "q": "y"}}]'],
)
def test_a_document_with_a_key_twice_in_one_object_stays_whole(value: str) -> None:
    """The parsed document keeps the last value only; some frameworks read the first."""
    fld = Field(Source.QUERY, "f", value)
    assert list(embedded_fields([fld])) == [fld]


def test_colons_inside_strings_are_no_duplicate_keys() -> None:
    fld = Field(Source.QUERY, "f", '{"url": "https://a.example:8443/x", "at": "12:00", "n": {"url": "b"}}')
    assert [f.name for f in embedded_fields([fld])] == ["f.url", "f.at", "f.n.url"]


def test_a_graphql_documents_string_arguments_are_read_as_fields() -> None:
    doc = 'query { reviews(productId: 9, orderBy: "rating DESC, (CASE WHEN 1=1 THEN rating ELSE id END)", q: "a\\"b") { id } }'
    out = [(f.name, f.value) for f in embedded_fields([Field(Source.BODY, "query", doc)])]
    assert out == [("query", doc), ("query#arg", "rating DESC, (CASE WHEN 1=1 THEN rating ELSE id END)"), ("query#arg", 'a"b')]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("query", "query Me { me { id name } }"),  # no argument
        ("subquery", 'query { x(a: "b") }'),  # not a field named "query"
        ("query", 'hello "world" (again)'),  # a search text, not a document
    ],
)
def test_other_values_named_query_stay_as_they_are(name: str, value: str) -> None:
    assert [(f.name, f.value) for f in embedded_fields([Field(Source.QUERY, name, value)])] == [(name, value)]
